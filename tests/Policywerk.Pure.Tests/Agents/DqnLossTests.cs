using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Worlds;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>The DQN loss and its gradient on a two-transition batch, worked out by hand.</summary>
public class DqnLossTests
{
    // o → h = relu(W0·o + b0) → Q = h·W1 + b1 with one input, one hidden unit and |A| = 2 outputs.
    // Parameters in layout order: W0, b0, W1[0], W1[1], b1[0], b1[1].
    private static readonly Mlp Net = Mlp.Create([1, 1, 2], Activation.Relu);
    private static readonly Params Online = Params.Own(Net.Layout, [1.0, 0.0, 1.0, 2.0, 0.0, 0.0]);  // Q(o) = (h, 2h)
    private static readonly Params Target = Params.Own(Net.Layout, [1.0, 0.0, 0.5, 1.0, 0.0, 0.0]);  // Q⁻(o) = (h/2, h)
    private static readonly DqnModel Model = new(Net, Online, Target, AdamState.Init(Online), 0, 0);
    private static readonly DqnConfig Config = new(Gamma: 0.5, HuberDelta: 1.0);

    // b = 0: o = 1, a = 0, r = 1.5, d = 1, o' = 2.   y = 1.5 + 0.5·1·max(1, 2) = 2.5;  Q(s, 0) = 1;   δ = −1.5 (linear part)
    // b = 1: o = 0.25, a = 1, r = 0.2, d = 0, o' = 4.  y = 0.2 (terminal);            Q(s, 1) = 0.5; δ = 0.3 (quadratic part)
    private static readonly DqnBatch Batch = new(
        Mat.FromRows([1.0], [0.25]), ImmutableArray.Create(0, 1), ImmutableArray.Create(1.5, 0.2), ImmutableArray.Create(1.0, 0.0),
        Mat.FromRows([2.0], [4.0]));

    [Fact]
    public void The_loss_terms_by_hand()
    {
        var terms = Dqn.Loss(Config, Model, Batch);
        Assert.Equal([2.5, 0.2], terms.Targets.ToArray());
        Assert.Equal(-1.5, terms.TdErrors[0], 15);
        Assert.Equal(0.3, terms.TdErrors[1], 15);
        // h(−1.5) = 1·(1.5 − 0.5) = 1;  h(0.3) = ½·0.09 = 0.045;  L = (1 + 0.045)/(B·|A| = 4)
        Assert.Equal(1.045 / 4.0, terms.Loss, 15);
        Assert.Equal(0.9, terms.MeanAbsTdError, 15);
    }

    [Fact]
    public void The_gradient_by_hand_and_the_same_terms_as_the_forward_loss()
    {
        var gradient = new double[Net.ParameterCount];
        var terms = Dqn.Backward(Config, Model, Batch, gradient);
        // ∂L/∂Q(s_0, 0) = clip(−1.5)/4 = −0.25;  ∂L/∂Q(s_1, 1) = 0.3/4 = 0.075; the untaken outputs get 0.
        // b = 0: h = 1:    ∂W1 += (−0.25, 0), ∂b1 += (−0.25, 0), ∂h = 1·(−0.25) → ∂W0 += 1·(−0.25), ∂b0 += −0.25
        // b = 1: h = 0.25: ∂W1 += (0, 0.25·0.075), ∂b1 += (0, 0.075), ∂h = 2·0.075 = 0.15 → ∂W0 += 0.25·0.15, ∂b0 += 0.15
        double[] expected = [-0.25 + 0.0375, -0.25 + 0.15, -0.25, 0.01875, -0.25, 0.075];
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], gradient[i], 15);
        var forward = Dqn.Loss(Config, Model, Batch);
        Assert.Equal(forward.Loss, terms.Loss, 15);
        Assert.Equal(forward.TdErrors.ToArray(), terms.TdErrors.ToArray());
        Assert.Equal(forward.Targets.ToArray(), terms.Targets.ToArray());
    }

    [Fact]
    public void The_gradient_matches_central_differences_of_the_loss_on_a_random_network()
    {
        var net = Mlp.Create([3, 5, 4], Activation.Relu);
        var (online, k) = net.Init(Key.FromSeed(11));
        var (target, k2) = net.Init(k);
        var model = new DqnModel(net, online, target, AdamState.Init(online), 0, 0);
        var (x, k3) = k2.NextGaussians(6 * 3);
        var states = Mat.Own(6, 3, x.ToArray());
        var (xn, _) = k3.NextGaussians(6 * 3);
        var batch = new DqnBatch(states, ImmutableArray.Create(0, 3, 1, 2, 2, 0), ImmutableArray.Create(0.5, -1.0, 2.0, 0.0, 0.3, 4.0),
            ImmutableArray.Create(1.0, 1.0, 0.0, 1.0, 0.0, 1.0), Mat.Own(6, 3, xn.ToArray()));
        var config = new DqnConfig(Gamma: 0.9, HuberDelta: 0.7);
        var analytic = new double[net.ParameterCount];
        Dqn.Backward(config, model, batch, analytic);
        var numerical = GradCheck.Numerical(theta => Dqn.Loss(config, model with { Online = theta }, batch).Loss, online);
        Assert.True(GradCheck.RelativeError(analytic, numerical.Span) < 1e-6);
    }

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public bool One_transitions_terms_recombine_to_exactly_what_the_loss_computes(ulong seed)
    {
        var config = new DqnConfig();
        var (model, key) = Dqn.Init(config, Breakout.ObservationSize, Breakout.ActionCount, Key.FromSeed(seed));
        model = model with { Target = model.Online.WithValues(model.Online.Span.ToArray().Select(v => 0.9 * v).ToArray()) }; // θ⁻ ≠ θ
        var game = Episodes.Run(new Breakout(), (s, k) => k.NextInt(Breakout.ActionCount), Breakout.Start, key, 60);
        foreach (var t in game.Steps)
        {
            var terms = Dqn.Explain(config, model, t, Breakout.WriteObservation, Breakout.ObservationSize);
            var y = t.Reward + config.Gamma * t.Discount * terms.NextValues[Arg.Max(terms.NextValues.AsSpan())];
            var delta = terms.Values[t.Action] - y;
            if (terms.Target != y || terms.TdError != delta) return false;
            if (terms.Loss != Losses.Huber(delta, config.HuberDelta) / Breakout.ActionCount) return false;
            if (terms.Gradient != Math.Clamp(delta, -config.HuberDelta, config.HuberDelta) / Breakout.ActionCount) return false;
        }
        return true;
    }
}
