using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;
using Policywerk.Pure.Worlds;

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

/// <summary>The whole training state as one value: the model, the replay, the real world's state, the agent's belief
/// and the key. <see cref="Dreamer.Iterate"/> maps it to the next.</summary>
public sealed record DreamerTraining(DreamerModel Model, SequenceReplay<DreamerStep> Replay, PointMassState State,
    ImmutableArray<double> Observation, DreamerBelief Belief, double EpisodeReturn, int Iteration, Key Key);

/// <summary>A real episode as the pictures and evaluation need it: the states s_0 … s_T, the actions, the rewards.</summary>
public sealed record DreamerEpisode(ImmutableArray<PointMassState> States, ImmutableArray<Force> Actions, ImmutableArray<double> Rewards)
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
}

/// <summary>
/// Dreamer (Hafner et al. 2023, DreamerV3, in small) on the pixel point mass: learn a world model from real pixel
/// sequences, learn to act inside it, act in the world from the same posterior state the model maintains.
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
    public static Draw<(Mat Action, DreamerBelief Belief)> Act(DreamerNets nets, DreamerModel model, DreamerBelief belief,
        Mat observations, Key key, bool greedy, DreamerConfig c)
    {
        var (observed, k1) = DreamerRssm.Observe(nets, model.World, belief, observations, key, sample: !greedy, c.MinLatentStd);
        var stats = DreamerImagination.ActionStatsOf(nets.Actor.Predict(model.Actor, observed.State), c.MinActionStd, c.MaxActionStd);
        Mat action;
        var k2 = k1;
        if (greedy) action = DreamerImagination.Act(stats, null);
        else
        {
            (var eps, k2) = DreamerLatent.Noise(k1, stats.Mean.Rows, 2);
            action = DreamerImagination.Act(stats, eps);
        }
        return new Draw<(Mat, DreamerBelief)>((action, observed with { PreviousAction = action }), k2);
    }

    /// <summary>
    /// One update: θ_wm ← Adam_η(t)(clip(∇L_wm)) on a replayed batch (<see cref="StepWorld"/>), then from (a random subset of) its
    /// posterior states θ_π ← Adam(∇L_π), θ_v ← Adam(∇L_v), θ_v⁻ ← τθ_v + (1−τ)θ_v⁻ on imagined rollouts in the updated
    /// world model (<see cref="StepBehaviour"/>).
    /// </summary>
    public static (DreamerModel Model, DreamerUpdate Report) Update(DreamerNets nets, DreamerModel model, DreamerBatch batch, Key key, DreamerConfig c,
        IEvaluator? evaluator = null)
    {
        var (kWorld, kBehaviour) = UpdateKeys(key);
        evaluator ??= Sequential.Instance;
        var world = StepWorld(nets, model, batch, kWorld, c, evaluator);
        var (next, behaviour) = StepBehaviour(nets, model, world, kBehaviour, c, evaluator);
        return (next, new DreamerUpdate(world.Loss, behaviour));
    }

    /// <summary>An update's key split into the world half's and the behaviour half's (<see cref="Update"/> and <see cref="Iterate"/>).</summary>
    private static KeyPair UpdateKeys(Key key) => key.Split();

    /// <summary>The world-model half of an update: the new world parameters and optimizer state, the loss terms, and the
    /// batch's posterior states h_t, z_t (time-major), where imagination starts.</summary>
    public sealed record WorldStep(WorldParams World, AdamState Optimizer, WorldLoss Loss, Mat Deter, Mat Stoch);

    /// <summary>θ_wm ← Adam_η(t)(clip(∇L_wm)) on a replayed batch, from the model's current world parameters; η(t) is
    /// <see cref="DreamerConfig.WorldLearningRateAt"/> of the world model's update count t.</summary>
    public static WorldStep StepWorld(DreamerNets nets, DreamerModel model, DreamerBatch batch, Key key, DreamerConfig c, IEvaluator evaluator)
    {
        var wg = DreamerRssm.Gradient(nets, model.World, batch, key, c, evaluator);
        var step = Adam.Step(model.World.Flat, Clip.GlobalNorm(wg.Grads.Flat, c.GradClip), model.WorldOptimizer, new AdamHyper(c.WorldLearningRateAt(model.WorldOptimizer.T)));
        return new WorldStep(WorldParams.FromFlat(step.Theta), step.State, wg.Loss, wg.Deter, wg.Stoch);
    }

    /// <summary>
    /// The behaviour half of an update, in the world model <paramref name="world"/> has just produced: N of its posterior
    /// states, drawn without replacement, start imagined rollouts (detached from the world model); then
    /// θ_π ← Adam(clip(∇L_π)), θ_v ← Adam(clip(∇L_v)), θ_v⁻ ← τθ_v + (1−τ)θ_v⁻. The model it returns holds the new world
    /// parameters too.
    /// </summary>
    public static (DreamerModel Model, BehaviourLoss Loss) StepBehaviour(DreamerNets nets, DreamerModel model, WorldStep world, Key key,
        DreamerConfig c, IEvaluator evaluator)
    {
        var (kStarts, kImagine) = key.Split();
        var rows = world.Deter.Rows;
        var starts = Math.Min(c.ImaginationStarts, rows);
        var (order, _) = kStarts.NextPermutation(rows);
        var h0 = new double[starts * c.Deter];
        var z0 = new double[starts * c.Stoch];
        for (var i = 0; i < starts; i++)
        {
            world.Deter.Row(order[i]).CopyTo(h0.AsSpan(i * c.Deter));
            world.Stoch.Row(order[i]).CopyTo(z0.AsSpan(i * c.Stoch));
        }
        var bg = DreamerImagination.Gradients(nets, world.World, model.Actor, model.Critic, model.SlowCritic, model.ReturnScale,
            Mat.Own(starts, c.Deter, h0), Mat.Own(starts, c.Stoch, z0), kImagine, c, evaluator);
        var actorStep = Adam.Step(model.Actor, Clip.GlobalNorm(bg.ActorGrads, c.GradClip), model.ActorOptimizer, new AdamHyper(c.ActorLearningRate));
        var criticStep = Adam.Step(model.Critic, Clip.GlobalNorm(bg.CriticGrads, c.GradClip), model.CriticOptimizer, new AdamHyper(c.CriticLearningRate));
        var next = new DreamerModel(world.World, actorStep.Theta, criticStep.Theta, model.SlowCritic.Polyak(criticStep.Theta, c.SlowCriticRate),
            world.Optimizer, actorStep.State, criticStep.State, bg.ReturnScale, model.Updates + 1);
        return (next, bg.Loss);
    }

    /// <summary>One world-model-only update: θ_wm ← Adam_η(t)(clip(∇L_wm)) on a replayed batch (the warm-up before the actor learns).</summary>
    public static (DreamerModel Model, WorldLoss Loss) UpdateWorld(DreamerNets nets, DreamerModel model, DreamerBatch batch, Key key, DreamerConfig c,
        IEvaluator? evaluator = null)
    {
        var step = StepWorld(nets, model, batch, key, c, evaluator ?? Sequential.Instance);
        return (model with { World = step.World, WorldOptimizer = step.Optimizer }, step.Loss);
    }

    /// <summary>
    /// The world-model warm-up: <see cref="DreamerConfig.WarmupUpdates"/> world-model-only updates on the prefilled
    /// replay, so that the actor's first gradients come from a model that already knows where the dots are (an actor
    /// trained on an untrained model saturates its tanh toward an arbitrary corner and cannot come back).
    /// </summary>
    public static DreamerTraining WarmUp(DreamerTraining tr, DreamerConfig c, IEvaluator? evaluator = null)
    {
        var nets = DreamerNets.For(c);
        var model = tr.Model;
        var key = tr.Key;
        for (var u = 0; u < c.WarmupUpdates; u++)
        {
            var (kSample, kRest) = key.Split();
            var (kUpdate, kNext) = kRest.Split();
            key = kNext;
            var chunks = tr.Replay.Sample(c.BatchSize, c.ChunkLength, kSample).Value;
            (model, _) = UpdateWorld(nets, model, DreamerBatch.From(chunks), kUpdate, c, evaluator);
        }
        return tr with { Model = model, Key = key };
    }

    /// <summary>The replay entry of an episode's first observation.</summary>
    private static DreamerStep FirstStep(ImmutableArray<double> observation) => new(observation, Force.Zero, 0.0, First: true, Terminal: false);

    /// <summary>
    /// The training state before the first update: an initialised model and a replay prefilled with
    /// <see cref="DreamerConfig.PrefillSteps"/> steps of the random policy.
    /// </summary>
    public static DreamerTraining Start(PixelPointMass world, DreamerConfig c, Key key, IEvaluator? evaluator = null)
    {
        var nets = DreamerNets.For(c);
        var (kModel, kRest) = key.Split();
        var (kReset, kRun) = kRest.Split();
        var (model, _) = DreamerModel.Init(nets, kModel);
        var (state, _) = world.Reset(kReset);
        var observation = world.Observe(state);
        var training = new DreamerTraining(model, SequenceReplay<DreamerStep>.Empty(c.ReplayCapacity).Push(FirstStep(observation), true),
            state, observation, DreamerBelief.Initial(c, 1), 0.0, 0, kRun);
        return WarmUp(Collect(nets, world, training, c.PrefillSteps, random: true, c).Training, c, evaluator);
    }

    /// <summary>What <see cref="Collect"/> returns: the advanced training state and the returns of the episodes that ended.</summary>
    private sealed record Collected(DreamerTraining Training, ImmutableArray<double> Returns);

    /// <summary>
    /// <paramref name="steps"/> real steps: a_t from the random policy or from π on the posterior state (sampled),
    /// o_{t+1} pushed with (a_t, r_{t+1}, terminal); at the end of an episode the world is reset and the belief cleared.
    /// </summary>
    private static Collected Collect(DreamerNets nets, PixelPointMass world, DreamerTraining tr, int steps, bool random, DreamerConfig c)
    {
        var replay = tr.Replay;
        var state = tr.State;
        var observation = tr.Observation;
        var belief = tr.Belief;
        var episodeReturn = tr.EpisodeReturn;
        var key = tr.Key;
        var returns = ImmutableArray.CreateBuilder<double>();
        for (var i = 0; i < steps; i++)
        {
            var (kAct, kNext) = key.Split();
            key = kNext;
            Force action;
            if (random) action = PointMassControllers.RandomForce(kAct).Value;
            else
            {
                var ((a, b), _) = Act(nets, tr.Model, belief, Mat.RowVector(observation), kAct, greedy: false, c);
                belief = b;
                action = new Force(a[0, 0], a[0, 1]);
            }
            var result = world.Step(state, action, kAct);
            var terminal = result.Terminal;
            episodeReturn += result.Reward;
            state = result.Next;
            observation = world.Observe(state);
            replay = replay.Push(new DreamerStep(observation, action, result.Reward, First: false, terminal), false);
            if (!result.Last) continue;
            returns.Add(episodeReturn);
            episodeReturn = 0.0;
            var (kReset, kAfter) = key.Split();
            key = kAfter;
            state = world.Reset(kReset).Value;
            observation = world.Observe(state);
            replay = replay.Push(FirstStep(observation), true);
            belief = DreamerBelief.Initial(c, 1);
        }
        return new Collected(tr with { Replay = replay, State = state, Observation = observation, Belief = belief, EpisodeReturn = episodeReturn, Key = key },
            returns.ToImmutable());
    }

    /// <summary>
    /// One training iteration: collect <see cref="DreamerConfig.StepsPerIteration"/> real steps with the current actor,
    /// then <see cref="DreamerConfig.UpdatesPerIteration"/> updates on replayed chunks. Returns the next state and the report.
    /// </summary>
    public static (DreamerTraining Training, IterationLog Log) Iterate(PixelPointMass world, DreamerTraining tr, DreamerConfig c,
        IEvaluator? evaluator = null)
    {
        var nets = DreamerNets.For(c);
        var collected = Collect(nets, world, tr, c.StepsPerIteration, random: false, c);
        var next = collected.Training;
        var model = next.Model;
        var key = next.Key;
        double rec = 0, rew = 0, cont = 0, kl = 0, ret = 0, crit = 0, std = 0;
        var updates = c.UpdatesPerIteration;
        var worldKeys = new Key[updates];
        var behaviourKeys = new Key[updates];
        var sampleKeys = new Key[updates];
        for (var u = 0; u < updates; u++)
        {
            var (kSample, kRest) = key.Split();
            var (kUpdate, kNext) = kRest.Split();
            key = kNext;
            sampleKeys[u] = kSample;
            (worldKeys[u], behaviourKeys[u]) = UpdateKeys(kUpdate);
        }
        var both = evaluator ?? Sequential.Instance;
        WorldStep StepWorldOn(DreamerModel m, int u) =>
            StepWorld(nets, m, DreamerBatch.From(next.Replay.Sample(c.BatchSize, c.ChunkLength, sampleKeys[u]).Value), worldKeys[u], c, both);

        // Update u's world half needs only update u−1's world half, and its behaviour half needs its own world half: the
        // world model runs one update ahead, side by side with the behaviour half before it (the same bits as Update in turn).
        var worldStep = updates > 0 ? StepWorldOn(model, 0) : null;
        for (var u = 0; u < updates; u++)
        {
            var ahead = worldStep!;
            var (nextWorld, (m, behaviour)) = both.Both(
                () => u + 1 < updates ? StepWorldOn(model with { World = ahead.World, WorldOptimizer = ahead.Optimizer }, u + 1) : null,
                () => StepBehaviour(nets, model, ahead, behaviourKeys[u], c, both));
            model = m;
            rec += ahead.Loss.Reconstruction;
            rew += ahead.Loss.Reward;
            cont += ahead.Loss.Continue;
            kl += ahead.Loss.Kl;
            ret += behaviour.ImaginedReturn;
            crit += behaviour.CriticLoss;
            std += behaviour.ActionStd;
            worldStep = nextWorld;
        }
        var u1 = Math.Max(1, c.UpdatesPerIteration);
        var episodeReward = collected.Returns.IsEmpty ? double.NaN : collected.Returns.Average();
        var log = new IterationLog(tr.Iteration + 1, rec / u1, rew / u1, cont / u1, kl / u1, ret / u1, crit / u1, std / u1,
            episodeReward, collected.Returns.Length);
        return (next with { Model = model, Key = key, Iteration = tr.Iteration + 1 }, log);
    }

    /// <summary>One real episode from <paramref name="start"/> with the trained agent acting greedily (a = tanh μ_π(s), s from the posterior mean).</summary>
    public static DreamerEpisode RunAgent(DreamerNets nets, DreamerModel model, PixelPointMass world, PointMassState start, DreamerConfig c) =>
        Record(world, start, (Belief: DreamerBelief.Initial(c, 1), Key: Key.FromSeed(0)), (state, mind) => // greedy: no draw is used
        {
            var ((a, belief), next) = Act(nets, model, mind.Belief, Mat.RowVector(world.Observe(state)), mind.Key, greedy: true, c);
            return (new Force(a[0, 0], a[0, 1]), next, (belief, next));
        });

    /// <summary>One real episode from <paramref name="start"/> under a policy of the true state (random or scripted).</summary>
    public static DreamerEpisode RunEpisode(PixelPointMass world, PointMassState start, Key key, Func<PointMassState, Key, Draw<Force>> policy) =>
        Record(world, start, key, (state, k) =>
        {
            var (kAct, kWorld) = k.Split();
            var (action, kNext) = policy(state, kAct);
            return (action, kWorld, kNext);
        });

    /// <summary>
    /// Steps the world from <paramref name="start"/> until it is done, recording states, actions and rewards: each step
    /// <paramref name="act"/> turns (state, the actor's own state) into the action, the key the world steps with, and the
    /// actor's next state.
    /// </summary>
    private static DreamerEpisode Record<TMind>(PixelPointMass world, PointMassState start, TMind mind,
        Func<PointMassState, TMind, (Force Action, Key WorldKey, TMind Mind)> act)
    {
        var states = ImmutableArray.CreateBuilder<PointMassState>();
        var actions = ImmutableArray.CreateBuilder<Force>();
        var rewards = ImmutableArray.CreateBuilder<double>();
        var state = start;
        states.Add(state);
        while (true)
        {
            (var action, var worldKey, mind) = act(state, mind);
            var result = world.Step(state, action, worldKey);
            actions.Add(action);
            rewards.Add(result.Reward);
            states.Add(result.Next);
            state = result.Next;
            if (result.Last) break;
        }
        return new DreamerEpisode(states.ToImmutable(), actions.ToImmutable(), rewards.ToImmutable());
    }
}
