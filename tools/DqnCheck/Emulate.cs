using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;

/// <summary>
/// The Python original's dqn() loop, line by line, on the C# pieces (Breakout, Mlp, Dqn.Update/Adam), driven by
/// CPython's own random stream: the same draws in the same order (Xavier init, ε-greedy random()/randint, replay
/// randint over the physical list). With gradScale = 1/3 the update is Python's to ~1e-13.
/// </summary>
public static class Emulate
{
    public static (double[] Rewards, double GreedyReward, int GreedyBricks) Run(ulong seed, double gradScale, DqnConfig? cfg = null)
    {
        var config = cfg ?? new DqnConfig();
        var rng = new PyRandom(seed);
        var net = Mlp.Create([82, config.Hidden, 3], Activation.Relu);
        // create_network: layer by layer, xavier_init -> random_matrix(fan_out rows, fan_in cols), uniform(-lim, lim)
        var values = new double[net.ParameterCount];
        var offset = 0;
        for (var l = 0; l < net.Depth; l++)
        {
            int nIn = net.Widths[l], nOut = net.Widths[l + 1];
            var lim = Math.Sqrt(6.0 / (nIn + nOut));
            for (var o = 0; o < nOut; o++)
                for (var i = 0; i < nIn; i++)
                    values[offset + i * nOut + o] = rng.Uniform(-lim, lim);
            offset += nIn * nOut + nOut;
        }
        var theta = Params.Own(net.Layout, values);
        var model = new DqnModel(net, theta, theta, AdamState.Init(theta), 0, 0);
        var world = new Breakout();
        ObservationWriter<BreakoutState> observe = Breakout.WriteObservation;
        var buffer = new List<Transition<BreakoutState, int>>();
        var position = 0;
        var rewards = new double[config.Episodes];
        for (var ep = 0; ep < config.Episodes; ep++)
        {
            var state = Breakout.Start;
            var epsilon = Dqn.Epsilon(config, ep);
            double total = 0; var stepCount = 0; var done = false;
            while (!done)
            {
                var q = Dqn.QValues(model, observe, state).AsSpan();
                var action = rng.Random() < epsilon ? rng.RandInt(0, 2) : Dqn.Greedy(q);
                var r = world.Step(state, action, default);
                done = r.Done; total += r.Reward; stepCount++;
                var t = new Transition<BreakoutState, int>(state, action, r.Reward, r.Next, r.Done);
                if (buffer.Count < config.ReplayCapacity) buffer.Add(t); else buffer[position] = t;
                position = (position + 1) % config.ReplayCapacity;
                if (stepCount % config.TrainEvery == 0 && buffer.Count >= config.MinReplay)
                {
                    var batch = new Transition<BreakoutState, int>[config.BatchSize];
                    for (var j = 0; j < batch.Length; j++) batch[j] = buffer[rng.RandInt(0, buffer.Count - 1)];
                    model = gradScale == 1.0 ? Dqn.Update(config, model, batch.ToImmutableArray(), observe).Model
                                             : ScaledUpdate(config, model, batch.ToImmutableArray(), observe, gradScale);
                }
                state = r.Next;
            }
            if ((ep + 1) % config.TargetEvery == 0) model = model with { Target = model.Online };
            rewards[ep] = total;
        }
        // Greedy evaluation, as the lesson: ≤ 200 steps, first-max argmax, bricks = rewards of exactly 1.0
        var s = Breakout.Start; double g = 0; var bricks = 0;
        for (var k = 0; k < 200; k++)
        {
            var r = world.Step(s, Dqn.Act(model, observe, s), default);
            g += r.Reward; if (r.Reward == 1.0) bricks++;
            s = r.Next;
            if (r.Done) break;
        }
        return (rewards, g, bricks);
    }

    public static DqnModel ScaledUpdate<TState>(DqnConfig config, DqnModel model, ImmutableArray<Transition<TState, int>> batch, ObservationWriter<TState> observe, double scale) =>
        ScaledStep(config, model, batch, observe, scale).Model;

    /// <summary>Dqn.Update with the loss gradient multiplied by <paramref name="scale"/>; also returns the loss and the gradient.</summary>
    public static (DqnModel Model, double Loss, Params Grads) ScaledStep<TState>(DqnConfig config, DqnModel model, ImmutableArray<Transition<TState, int>> batch, ObservationWriter<TState> observe, double scale)
    {
        var b = batch.Length; var width = model.Net.In;
        var states = new double[b * width]; var nexts = new double[b * width]; var actions = new int[b];
        for (var i = 0; i < b; i++) { observe(batch[i].State, states.AsSpan(i * width, width)); observe(batch[i].Next, nexts.AsSpan(i * width, width)); actions[i] = batch[i].Action; }
        var qNext = model.Net.Predict(model.Target, Mat.Own(b, width, nexts));
        var targets = new double[b];
        for (var i = 0; i < b; i++) { var next = qNext.Row(i); targets[i] = batch[i].Reward + config.Gamma * batch[i].Continuation * next[Dqn.Greedy(next)]; }
        var cache = model.Net.Forward(model.Online, Mat.Own(b, width, states));
        var loss = Losses.HuberSelected(cache.Output, actions.ToImmutableArray(), targets, config.HuberDelta);
        var g = loss.Grad.Values.Select(x => x * scale).ToArray();
        var grads = model.Net.Backward(model.Online, cache, Mat.Own(loss.Grad.Rows, loss.Grad.Cols, g)).Grads;
        var (online, adam) = Adam.Step(model.Online, grads, model.Adam, config.Adam);
        return (model with { Online = online, Adam = adam, Updates = model.Updates + 1 }, loss.Value, grads);
    }
}
