using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

public class OptimizerTests
{
    private static Params P(params double[] v) => Params.Own(Layout.Of(("w", [v.Length])), v);

    [Fact]
    public void Sgd_step_is_theta_minus_lr_g()
    {
        var next = Sgd.Step(P(1, 2), P(10, -20), 0.1);
        Assert.Equal(P(0, 4), next);
    }

    [Fact]
    public void Momentum_accumulates_velocity()
    {
        var theta = P(0.0);
        var state = MomentumState.Init(theta);
        var hyper = new MomentumHyper(0.1, 0.5);
        (theta, state) = Momentum.Step(theta, P(1.0), state, hyper); // v = 1, θ = −0.1
        (theta, state) = Momentum.Step(theta, P(1.0), state, hyper); // v = 1.5, θ = −0.25
        Assert.Equal(1.5, state.Velocity.Span[0], 15);
        Assert.Equal(-0.25, theta.Span[0], 15);
    }

    [Fact]
    public void Adam_matches_the_algorithm_written_out_for_three_steps()
    {
        var theta = P(0.5, -1.5, 2.0, 0.1, 3.0); // 5 values: vector path and scalar tail
        var grads = new[] { P(0.1, -0.2, 0.3, 0.0, 5.0), P(-0.4, 0.5, 0.1, 1.0, -2.0), P(0.2, 0.2, -0.2, 0.3, 1.0) };
        var hyper = new AdamHyper(LearningRate: 0.01);
        var state = AdamState.Init(theta);
        var expected = theta.Values.ToArray();
        var m = new double[5];
        var v = new double[5];
        for (var t = 1; t <= 3; t++)
        {
            (theta, state) = Adam.Step(theta, grads[t - 1], state, hyper);
            for (var i = 0; i < 5; i++)
            {
                var g = grads[t - 1].Span[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                var mHat = m[i] / (1 - Math.Pow(0.9, t));
                var vHat = v[i] / (1 - Math.Pow(0.999, t));
                expected[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }
        Assert.Equal(3, state.T);
        for (var i = 0; i < 5; i++) Assert.Equal(expected[i], theta.Span[i], 14);
    }

    [Fact]
    public void AdamW_decays_weights_decoupled_from_the_gradient()
    {
        var theta = P(2.0);
        var (next, _) = AdamW.Step(theta, P(0.0), AdamState.Init(theta), new AdamHyper(LearningRate: 0.1, WeightDecay: 0.5));
        Assert.Equal(2.0 - 0.1 * 0.5 * 2.0, next.Span[0], 15); // zero gradient: only the decay acts
    }

    [Fact]
    public void Polyak_update_and_hard_copy()
    {
        var target = P(0.0, 10.0);
        var online = P(1.0, 0.0);
        Assert.Equal(P(0.1, 9.0), target.Polyak(online, 0.1));
        Assert.Equal(online, target.Polyak(online, 1.0));
    }

    [Fact]
    public void Concat_and_part_round_trip_and_line_up_gradients()
    {
        var a = Params.Own(Layout.Of(("W", [2, 2]), ("b", [2])), [1, 2, 3, 4, 5, 6]);
        var b = Params.Own(Layout.Of(("W", [1, 3])), [7, 8, 9]);
        var both = Params.Concat(new Named("enc", a), new Named("dec", b));
        Assert.Equal(9, both.Count);
        Assert.Equal(new double[] { 7, 8, 9 }, both["dec/W"].ToArray());
        Assert.Equal(a, both.Part("enc"));
        Assert.Equal(b, both.Part("dec"));
    }
}

public class GradCheckTests
{
    [Fact]
    public void Public_grad_check_agrees_with_an_mlp_backward_and_catches_a_wrong_gradient()
    {
        var mlp = Mlp.Create([3, 5, 2], Activation.Silu);
        var (theta, key) = mlp.Init(Key.FromSeed(60));
        var x = Check.Gaussian(ref key, 4, 3);
        var y = Check.Gaussian(ref key, 4, 2);
        double Loss(Params th) => Losses.Mse(mlp.Predict(th, x), y).Value;
        var cache = mlp.Forward(theta, x);
        var analytic = mlp.Backward(theta, cache, Losses.Mse(cache.Output, y).Grad).Grads;
        var numerical = GradCheck.Numerical(Loss, theta);
        Assert.True(GradCheck.RelativeError(analytic.Span, numerical.Span) < 1e-7);
        Assert.True(GradCheck.RelativeError(analytic.Scale(1.01).Span, numerical.Span) > 1e-3);
    }
}

/// <summary>The Adam step that takes a gradient writer instead of a gradient buffer.</summary>
public class FusedAdamStepTests
{
    [FsCheck.Xunit.Property(MaxTest = 30)]
    public bool A_gradient_written_into_the_step_gives_the_bits_of_a_gradient_buffer(ulong seed, bool large)
    {
        // small nets keep the gradient on the stack, large ones (over 4,096 parameters) in a heap scratch buffer
        var key = Key.FromSeed(seed);
        var mlp = large ? Mlp.Create([70, 64, 3], Activation.Relu) : Mlp.Create([9, 16, 3], Activation.Relu);
        (var theta, key) = mlp.Init(key);
        var x = Check.Gaussian(ref key, 5, mlp.In);
        var dy = Check.Gaussian(ref key, 5, 3);
        var cache = mlp.Forward(theta, x);
        var state = AdamState.Init(theta);
        var hyper = new AdamHyper(LearningRate: 0.01);
        for (var step = 0; step < 3; step++) // a few steps, so the moments are not zero
            state = Adam.Step(theta, mlp.Backward(theta, cache, dy).Grads, state, hyper).State;
        var viaBuffer = Adam.Step(theta, mlp.Backward(theta, cache, dy).Grads, state, hyper);
        var viaWriter = Adam.Step(theta, g => mlp.BackwardInto(theta, cache, dy, g), state, hyper);
        return viaBuffer.Theta.Equals(viaWriter.Theta) && viaBuffer.State.M.Equals(viaWriter.State.M)
               && viaBuffer.State.V.Equals(viaWriter.State.V) && viaBuffer.State.T == viaWriter.State.T;
    }
}
