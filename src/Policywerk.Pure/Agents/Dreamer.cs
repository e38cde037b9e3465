using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;

namespace Policywerk.Pure.Agents;

/// <summary>
/// Everything the agent learns: world model, actor, critic and its slow copy, the three optimizers' states, the
/// return scale S and the update count.
/// </summary>
public sealed record DreamerModel(WorldParams World, Params Actor, Params Critic, Params SlowCritic,
    AdamState WorldOptimizer, AdamState ActorOptimizer, AdamState CriticOptimizer, double ReturnScale, int Updates)
{
    /// <summary>A freshly initialised agent (actor output layer scaled by 0.1 so it starts near a = 0).</summary>
    public static Draw<DreamerModel> Init(DreamerNets nets, Key key)
    {
        var (world, k1) = WorldParams.Init(nets, key);
        var (actor, k2) = nets.Actor.Init(k1, outputGain: 0.1);
        var (critic, k3) = nets.Critic.Init(k2, outputGain: 0.1);
        var model = new DreamerModel(world, actor, critic, critic,
            AdamState.Init(world.Flat), AdamState.Init(actor), AdamState.Init(critic), 0.0, 0);
        return new Draw<DreamerModel>(model, k3);
    }
}

/// <summary>One update's report: the world model's loss terms and the actor-critic's.</summary>
public sealed record DreamerUpdate(WorldLoss World, BehaviourLoss Behaviour);

/// <summary>One training iteration's report (means over its updates).</summary>
/// <param name="Iteration">The iteration's number, from 1.</param>
/// <param name="Reconstruction">Mean per-pixel reconstruction MSE.</param>
/// <param name="RewardLoss">Reward-head MSE in symlog space.</param>
/// <param name="ContinueLoss">Continuation-head cross-entropy.</param>
/// <param name="Kl">Mean KL(q ‖ p) in nats.</param>
/// <param name="ImaginedReturn">Mean λ-return of the imagined starts.</param>
/// <param name="CriticLoss">The critic's loss.</param>
/// <param name="ActionStd">Mean σ of the actor's Gaussian in imagination.</param>
/// <param name="EpisodeReward">Mean return of the real episodes that ended during this iteration's collection (NaN if none did).</param>
/// <param name="EpisodesFinished">How many real episodes ended during this iteration.</param>
public sealed record IterationLog(int Iteration, double Reconstruction, double RewardLoss, double ContinueLoss, double Kl,
    double ImaginedReturn, double CriticLoss, double ActionStd, double EpisodeReward, int EpisodesFinished);

/// <summary>The whole training state as one value: the model, the replay, the real world's state, the agent's belief,
/// the return of the episode under way, and the key. <see cref="Dreamer.Iterate"/> maps it to the next.</summary>
public sealed record DreamerTraining<TState>(DreamerModel Model, SequenceReplay<DreamerStep> Replay, TState State,
    DreamerBelief Belief, double EpisodeReturn, int Iteration, Key Key);

/// <summary>A real episode as the pictures and evaluation need it: the states s_0 … s_T, the actions, the rewards.</summary>
public sealed record DreamerEpisode<TState>(ImmutableArray<TState> States, ImmutableArray<ImmutableArray<double>> Actions, ImmutableArray<double> Rewards)
{
    /// <summary>G = Σ_t r_t.</summary>
    public double Return
    {
        get
        {
            var g = 0.0;
            foreach (var r in Rewards) g += r;
            return g;
        }
    }

    /// <summary>The episode a trajectory from its first state records.</summary>
    public static DreamerEpisode<TState> Of(Trajectory<TState, ImmutableArray<double>> trajectory) => new(
        [trajectory.Steps[0].State, .. trajectory.Steps.Select(t => t.Next)],
        [.. trajectory.Steps.Select(t => t.Action)],
        [.. trajectory.Steps.Select(t => t.Reward)]);
}

/// <summary>
/// Dreamer (Hafner et al. 2023, DreamerV3, in small) on any <see cref="IPixelWorld{TState}"/>: learn a world model from
/// real pixel sequences, learn to act inside it, act in the world from the same posterior state the model maintains.
/// <code>
///   repeat:  collect real steps with a ~ π(·|s_t), s_t from q(z|h_t, enc(o_t))   → replay
///            sample B×T chunks → world-model step (reconstruction, reward, continuation, balanced KL)
///            imagine H steps from the posterior states → critic on λ-returns, actor by dynamics backprop
/// </code>
/// </summary>
public static class Dreamer
{
    /// <summary>
    /// (a, belief′) = act(model, belief, o, key): observe o with the posterior, then a = tanh(μ_π(s)) when greedy
    /// (z the posterior mean), else a = tanh(μ_π + σ_π ε) (z sampled).
    /// </summary>
    public static Draw<(Mat Action, DreamerBelief Belief)> Act(DreamerConfig c, DreamerNets nets, DreamerModel model, DreamerBelief belief,
        Mat observations, Key key, bool greedy)
    {
        var (observed, k1) = DreamerRssm.Observe(nets, model.World, belief, observations, key, sample: !greedy, c.MinLatentStd);
        var stats = DreamerImagination.ActionStatsOf(nets.Actor.Predict(model.Actor, observed.State), c.MinActionStd, c.MaxActionStd);
        Mat action;
        var k2 = k1;
        if (greedy) action = DreamerImagination.Act(stats, null);
        else
        {
            (var eps, k2) = DreamerLatent.Noise(k1, stats.Mean.Rows, nets.ActionSize);
            action = DreamerImagination.Act(stats, eps);
        }
        return new Draw<(Mat, DreamerBelief)>((action, observed with { PreviousAction = action }), k2);
    }

    /// <summary>
    /// One update: θ_wm ← Adam_η(t)(clip(∇L_wm)) on a replayed batch (<see cref="StepWorld"/>), then from (a random subset of) its
    /// posterior states θ_π ← Adam(∇L_π), θ_v ← Adam(∇L_v), θ_v⁻ ← τθ_v + (1−τ)θ_v⁻ on imagined rollouts in the updated
    /// world model (<see cref="StepBehaviour"/>).
    /// </summary>
    public static (DreamerModel Model, DreamerUpdate Report) Update(DreamerConfig c, DreamerNets nets, DreamerModel model,
        ImmutableArray<SequenceChunk<DreamerStep>> sequences, Key key, Sharding? sharding = null)
    {
        var (kWorld, kBehaviour) = key.Split();
        sharding ??= Sharding.Sequential;
        var world = StepWorld(c, nets, model.World, model.WorldOptimizer, sequences, kWorld, sharding);
        var (next, behaviour) = StepBehaviour(c, nets, model, world, kBehaviour, sharding);
        return (next, new DreamerUpdate(world.Loss, behaviour));
    }

    /// <summary>The world-model half of an update: the new world parameters and optimizer state, the loss terms, and the
    /// batch's posterior states h_t, z_t (time-major), where imagination starts.</summary>
    public sealed record WorldStep(WorldParams World, AdamState Optimizer, WorldLoss Loss, Mat Deter, Mat Stoch);

    /// <summary>θ_wm ← Adam_η(t)(clip(∇L_wm)) on a batch of replayed sequences; η(t) is
    /// <see cref="DreamerConfig.WorldLearningRateAt"/> of the world model's update count t.</summary>
    public static WorldStep StepWorld(DreamerConfig c, DreamerNets nets, WorldParams world, AdamState optimizer,
        ImmutableArray<SequenceChunk<DreamerStep>> sequences, Key key, Sharding sharding)
    {
        // the sequences are independent (each starts from h = z = 0): shards of them add up to the batch's gradient
        var n = sequences.Length * sequences[0].Length;
        var g = sharding.Sum(sequences.Length, key,
            (rows, k) => WorldGradient.Of(c, nets, world, DreamerBatch.From(sequences.Slice(rows.First, rows.Count)), k, n), (x, y) => x + y);
        var step = Adam.Step(world.Flat, Clip.GlobalNorm(g.Grads.Flat, c.GradClip), optimizer, new AdamHyper(c.WorldLearningRateAt(optimizer.T)));
        return new WorldStep(WorldParams.FromFlat(step.Theta), step.State, g.Terms.Report(n, nets.Keypoints.Pixels), g.Deter, g.Stoch);
    }

    /// <summary>
    /// The behaviour half of an update, in the world model <paramref name="world"/> has just produced: N of its posterior
    /// states, drawn without replacement, start imagined rollouts (detached from the world model); then
    /// θ_π ← Adam(clip(∇L_π)), θ_v ← Adam(clip(∇L_v)), θ_v⁻ ← τθ_v + (1−τ)θ_v⁻. The model it returns holds the new world
    /// parameters too.
    /// </summary>
    public static (DreamerModel Model, BehaviourLoss Loss) StepBehaviour(DreamerConfig c, DreamerNets nets, DreamerModel model, WorldStep world,
        Key key, Sharding sharding)
    {
        var (kStarts, kImagine) = key.Split();
        var states = world.Deter.Rows;
        var starts = Math.Min(c.ImaginationStarts, states);
        var (order, _) = kStarts.NextPermutation(states);
        var h0 = new double[starts * c.Deter];
        var z0 = new double[starts * c.Stoch];
        for (var i = 0; i < starts; i++)
        {
            world.Deter.Row(order[i]).CopyTo(h0.AsSpan(i * c.Deter));
            world.Stoch.Row(order[i]).CopyTo(z0.AsSpan(i * c.Stoch));
        }
        var (hStarts, zStarts) = (Mat.Own(starts, c.Deter, h0), Mat.Own(starts, c.Stoch, z0));
        // the starts are independent: shards of them are imagined, and their gradients add up to the batch's
        var traces = sharding.Map(starts, kImagine, (rows, k) => DreamerImagination.Rollout(c, nets, world.World, model.Actor, model.SlowCritic,
            hStarts.SliceRows(rows.First, rows.Count), zStarts.SliceRows(rows.First, rows.Count), k));
        var scale = DreamerImagination.ReturnScale(c, model.ReturnScale, traces.All.Select(t => t.Imagined));
        var transposes = BehaviourTransposes.Of(nets, world.World, model.Actor, model.SlowCritic);
        var g = sharding.Sum(traces, t => BehaviourGradient.Of(c, nets, world.World, model.Actor, model.Critic, model.SlowCritic, t, scale,
            starts * c.Horizon, transposes), (x, y) => x + y);
        var actorStep = Adam.Step(model.Actor, Clip.GlobalNorm(g.Actor, c.GradClip), model.ActorOptimizer, new AdamHyper(c.ActorLearningRate));
        var criticStep = Adam.Step(model.Critic, Clip.GlobalNorm(g.Critic, c.GradClip), model.CriticOptimizer, new AdamHyper(c.CriticLearningRate));
        var next = new DreamerModel(world.World, actorStep.Theta, criticStep.Theta, model.SlowCritic.Polyak(criticStep.Theta, c.SlowCriticRate),
            world.Optimizer, actorStep.State, criticStep.State, scale, model.Updates + 1);
        return (next, new BehaviourLoss(g.StartReturns / starts, g.ActorLoss.Total, g.CriticLoss, g.ActorLoss.ActionStd, scale));
    }

    /// <summary>One world-model-only update: θ_wm ← Adam_η(t)(clip(∇L_wm)) on a replayed batch (the warm-up before the actor learns).</summary>
    public static (DreamerModel Model, WorldLoss Loss) UpdateWorld(DreamerConfig c, DreamerNets nets, DreamerModel model,
        ImmutableArray<SequenceChunk<DreamerStep>> sequences, Key key, Sharding? sharding = null)
    {
        var step = StepWorld(c, nets, model.World, model.WorldOptimizer, sequences, key, sharding ?? Sharding.Sequential);
        return (model with { World = step.World, WorldOptimizer = step.Optimizer }, step.Loss);
    }

    /// <summary>
    /// The world-model warm-up: <see cref="DreamerConfig.WarmupUpdates"/> world-model-only updates on the prefilled
    /// replay, so that the actor's first gradients come from a model that already knows where the dots are (an actor
    /// trained on an untrained model saturates its tanh toward an arbitrary corner and cannot come back).
    /// </summary>
    public static DreamerTraining<TState> WarmUp<TState>(DreamerConfig c, DreamerNets nets, DreamerTraining<TState> tr, Sharding? sharding = null)
    {
        var model = tr.Model;
        var key = tr.Key;
        for (var u = 0; u < c.WarmupUpdates; u++)
        {
            var (kSample, kRest) = key.Split();
            var (kUpdate, kNext) = kRest.Split();
            key = kNext;
            var chunks = tr.Replay.Sample(c.BatchSize, c.ChunkLength, kSample).Value;
            (model, _) = UpdateWorld(c, nets, model, chunks, kUpdate, sharding);
        }
        return tr with { Model = model, Key = key };
    }

    /// <summary>The replay entry of an episode's first observation: no action led to it, no reward came with it.</summary>
    private static DreamerStep FirstStep<TState>(IPixelWorld<TState> world, ImmutableArray<double> observation) =>
        new(observation, ImmutableArray.Create(new double[world.ActionSize]), 0.0, First: true, Terminal: false);

    /// <summary>o = the world's frame of <paramref name="state"/>.</summary>
    private static ImmutableArray<double> Observe<TState>(IPixelWorld<TState> world, TState state)
    {
        var o = new double[world.Side * world.Side];
        world.WriteObservation(state, o);
        return o.Freeze();
    }

    /// <summary>a ~ U[−1, 1]^d: the random policy of the prefill and of the evaluation's baseline.</summary>
    public static Draw<ImmutableArray<double>> RandomAction<TState>(IPixelWorld<TState> world, Key key) =>
        key.NextUniforms(world.ActionSize, -1.0, 1.0);

    /// <summary>
    /// The training state before the first update: an initialised model and a replay prefilled with
    /// <see cref="DreamerConfig.PrefillSteps"/> steps of the random policy, then the world-model warm-up.
    /// </summary>
    public static DreamerTraining<TState> Start<TState>(DreamerConfig c, IPixelWorld<TState> world, Key key, Sharding? sharding = null)
    {
        var nets = DreamerNets.For(c, world);
        var (kModel, kRest) = key.Split();
        var (kReset, kRun) = kRest.Split();
        var (model, _) = DreamerModel.Init(nets, kModel);
        var (state, _) = world.Reset(kReset);
        var training = new DreamerTraining<TState>(model, SequenceReplay<DreamerStep>.Empty(c.ReplayCapacity).Push(FirstStep(world, Observe(world, state)), true),
            state, DreamerBelief.Initial(c, nets, 1), 0.0, 0, kRun);
        return WarmUp(c, nets, Collect(c, nets, world, training, c.PrefillSteps, random: true).Training, sharding);
    }

    /// <summary>What <see cref="Collect"/> returns: the advanced training state and the returns of the episodes that ended.</summary>
    private sealed record Collected<TState>(DreamerTraining<TState> Training, ImmutableArray<double> Returns);

    /// <summary>The collector's state within an episode: its belief, the replay it fills, the return so far, and the frame
    /// of the state it is in (pushed to the replay already; the actor observes it next).</summary>
    private sealed record Collector(DreamerBelief Belief, SequenceReplay<DreamerStep> Replay, double Return, ImmutableArray<double> Observation);

    /// <summary>
    /// <paramref name="steps"/> real steps through <see cref="Episodes.Unroll"/>: a_t from the random policy or from π on
    /// the posterior state (sampled), o_{t+1} pushed with (a_t, r_{t+1}, terminal); when an episode ends the world is
    /// reset and the belief cleared.
    /// </summary>
    private static Collected<TState> Collect<TState>(DreamerConfig c, DreamerNets nets, IPixelWorld<TState> world, DreamerTraining<TState> tr,
        int steps, bool random)
    {
        var collector = new Collector(tr.Belief, tr.Replay, tr.EpisodeReturn, Observe(world, tr.State));
        var (state, key) = (tr.State, tr.Key);
        var returns = ImmutableArray.CreateBuilder<double>();
        while (steps > 0)
        {
            var unrolled = Episodes.Unroll(world, collector, state, key, steps,
                (agent, s, k) =>
                {
                    if (random) return new Decision<ImmutableArray<double>, Collector>(RandomAction(world, k).Value, agent);
                    var ((a, belief), _) = Act(c, nets, tr.Model, agent.Belief, Mat.RowVector(agent.Observation), k, greedy: false);
                    return new Decision<ImmutableArray<double>, Collector>(a.Values, agent with { Belief = belief });
                },
                (agent, t) =>
                {
                    var next = Observe(world, t.Next);
                    return agent with
                    {
                        Replay = agent.Replay.Push(new DreamerStep(next, t.Action, t.Reward, First: false, t.Terminal), false),
                        Return = agent.Return + t.Reward,
                        Observation = next,
                    };
                });
            steps -= unrolled.Trajectory.Length;
            (collector, state, key) = (unrolled.Agent, unrolled.State, unrolled.Key);
            if (!unrolled.EpisodeEnded) continue;
            returns.Add(collector.Return);
            var (kReset, kAfter) = key.Split();
            key = kAfter;
            state = world.Reset(kReset).Value;
            var first = Observe(world, state);
            collector = new Collector(DreamerBelief.Initial(c, nets, 1), collector.Replay.Push(FirstStep(world, first), true), 0.0, first);
        }
        return new Collected<TState>(tr with { Replay = collector.Replay, State = state, Belief = collector.Belief, EpisodeReturn = collector.Return, Key = key },
            returns.ToImmutable());
    }

    /// <summary>
    /// One training iteration: collect <see cref="DreamerConfig.StepsPerIteration"/> real steps with the current actor,
    /// then <see cref="DreamerConfig.UpdatesPerIteration"/> updates on replayed chunks. Returns the next state and the report.
    /// </summary>
    public static (DreamerTraining<TState> Training, IterationLog Log) Iterate<TState>(DreamerConfig c, IPixelWorld<TState> world,
        DreamerTraining<TState> tr, Sharding? sharding = null)
    {
        var nets = DreamerNets.For(c, world);
        sharding ??= Sharding.Sequential;
        var collected = Collect(c, nets, world, tr, c.StepsPerIteration, random: false);
        var next = collected.Training;
        var key = next.Key;
        var updates = c.UpdatesPerIteration;
        var keys = new (Key Sample, Key World, Key Behaviour)[updates];
        for (var u = 0; u < updates; u++)
        {
            var (kSample, kRest) = key.Split();
            var (kUpdate, kNext) = kRest.Split();
            key = kNext;
            var (kWorld, kBehaviour) = kUpdate.Split();
            keys[u] = (kSample, kWorld, kBehaviour);
        }
        // Update u's world half needs only update u−1's world half, so it runs one update ahead, side by side with the
        // behaviour half before it: the same bits as Update in turn.
        var (model, sums) = sharding.Pipeline<WorldStep, (DreamerModel Model, UpdateSums Sums)>(updates, (next.Model, new UpdateSums()),
            (u, previous) => StepWorld(c, nets, previous?.World ?? next.Model.World, previous?.Optimizer ?? next.Model.WorldOptimizer,
                next.Replay.Sample(c.BatchSize, c.ChunkLength, keys[u].Sample).Value, keys[u].World, sharding),
            (state, world, u) =>
            {
                var (m, behaviour) = StepBehaviour(c, nets, state.Model, world, keys[u].Behaviour, sharding);
                return (m, state.Sums.Add(world.Loss, behaviour));
            });
        var u1 = Math.Max(1, updates);
        var episodeReward = collected.Returns.IsEmpty ? double.NaN : collected.Returns.Average();
        var log = new IterationLog(tr.Iteration + 1, sums.Reconstruction / u1, sums.Reward / u1, sums.Continue / u1, sums.Kl / u1,
            sums.ImaginedReturn / u1, sums.CriticLoss / u1, sums.ActionStd / u1, episodeReward, collected.Returns.Length);
        return (next with { Model = model, Key = key, Iteration = tr.Iteration + 1 }, log);
    }

    /// <summary>Running sums of the updates' reports over an iteration.</summary>
    private sealed record UpdateSums(double Reconstruction = 0, double Reward = 0, double Continue = 0, double Kl = 0,
        double ImaginedReturn = 0, double CriticLoss = 0, double ActionStd = 0)
    {
        public UpdateSums Add(WorldLoss w, BehaviourLoss b) => new(Reconstruction + w.Reconstruction, Reward + w.Reward,
            Continue + w.Continue, Kl + w.Kl, ImaginedReturn + b.ImaginedReturn, CriticLoss + b.CriticLoss, ActionStd + b.ActionStd);
    }

    /// <summary>One real episode from <paramref name="start"/> with the trained agent acting greedily (a = tanh μ_π(s), s from
    /// the posterior mean), until the world ends it.</summary>
    public static DreamerEpisode<TState> RunAgent<TState>(DreamerConfig c, DreamerModel model, IPixelWorld<TState> world, TState start, Key key)
    {
        var nets = DreamerNets.For(c, world);
        return DreamerEpisode<TState>.Of(Episodes.Unroll(world, DreamerBelief.Initial(c, nets, 1), start, key, int.MaxValue,
            (belief, s, k) =>
            {
                var ((a, next), _) = Act(c, nets, model, belief, Mat.RowVector(Observe(world, s)), k, greedy: true);
                return new Decision<ImmutableArray<double>, DreamerBelief>(a.Values, next);
            },
            (belief, _) => belief).Trajectory);
    }

    /// <summary>One real episode from <paramref name="start"/> under a policy of the true state (random or scripted), until
    /// the world ends it.</summary>
    public static DreamerEpisode<TState> RunEpisode<TState>(IPixelWorld<TState> world, TState start, Key key,
        Func<TState, Key, Draw<ImmutableArray<double>>> policy) =>
        DreamerEpisode<TState>.Of(Episodes.Run(world, policy, start, key, int.MaxValue));
}
