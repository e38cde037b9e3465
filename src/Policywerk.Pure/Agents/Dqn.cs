using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;
using Policywerk.Pure.Tabular;

namespace Policywerk.Pure.Agents;

/// <summary>Hyperparameters of DQN (defaults: lesson 05, the Python original's tuned values for mini Breakout).</summary>
/// <param name="Hidden">Width of the one hidden ReLU layer: |o| → Hidden → |A|.</param>
/// <param name="LearningRate">Adam's step size α.</param>
/// <param name="Gamma">Discount γ.</param>
/// <param name="EpsilonStart">ε in the first episode.</param>
/// <param name="EpsilonEnd">The floor ε reaches after <paramref name="EpsilonDecayEpisodes"/> episodes.</param>
/// <param name="EpsilonDecayEpisodes">Episodes over which ε falls linearly.</param>
/// <param name="ReplayCapacity">The replay buffer keeps the last this many transitions.</param>
/// <param name="MinReplay">No update before the buffer holds this many.</param>
/// <param name="BatchSize">Transitions per update.</param>
/// <param name="TrainEvery">One update every this many steps of an episode.</param>
/// <param name="TargetEvery">θ⁻ ← θ after every this many episodes.</param>
/// <param name="Episodes">Training episodes.</param>
/// <param name="HuberDelta">δ of the Huber loss: the TD error's gradient is clipped to [−δ, δ].</param>
public sealed record DqnConfig(
    int Hidden = 32,
    double LearningRate = 0.01,
    double Gamma = 0.95,
    double EpsilonStart = 1.0,
    double EpsilonEnd = 0.1,
    int EpsilonDecayEpisodes = 200,
    int ReplayCapacity = 3000,
    int MinReplay = 100,
    int BatchSize = 16,
    int TrainEvery = 2,
    int TargetEvery = 20,
    int Episodes = 300,
    double HuberDelta = 1.0)
{
    /// <summary>Adam's hyperparameters at <see cref="LearningRate"/>.</summary>
    public AdamHyper Adam => new(LearningRate);

    /// <summary>Every field a learner may set, by its short name.</summary>
    public static readonly IReadOnlyList<Knob<DqnConfig>> Knobs =
    [
        new("hidden", "hidden units", "width of the hidden ReLU layer", 1, 1024, true, nameof(Hidden), c => c.Hidden, (c, v) => c with { Hidden = (int)v }),
        new("lr", "α", "Adam's step size", 1e-6, 10.0, false, nameof(LearningRate), c => c.LearningRate, (c, v) => c with { LearningRate = v }),
        new("gamma", "γ", "discount", 0.0, 1.0, false, nameof(Gamma), c => c.Gamma, (c, v) => c with { Gamma = v }),
        new("epsilon_start", "ε₀", "exploration in the first episode", 0.0, 1.0, false, nameof(EpsilonStart), c => c.EpsilonStart, (c, v) => c with { EpsilonStart = v }),
        new("epsilon_end", "ε_end", "the floor exploration falls to", 0.0, 1.0, false, nameof(EpsilonEnd), c => c.EpsilonEnd, (c, v) => c with { EpsilonEnd = v }),
        new("epsilon_decay", "ε decay", "episodes over which ε falls linearly", 1, 100_000, true, nameof(EpsilonDecayEpisodes), c => c.EpsilonDecayEpisodes, (c, v) => c with { EpsilonDecayEpisodes = (int)v }),
        new("replay", "replay", "transitions the replay buffer keeps", 1, 1_000_000, true, nameof(ReplayCapacity), c => c.ReplayCapacity, (c, v) => c with { ReplayCapacity = (int)v }),
        new("min_replay", "min replay", "transitions before the first update", 1, 1_000_000, true, nameof(MinReplay), c => c.MinReplay, (c, v) => c with { MinReplay = (int)v }),
        new("batch", "B", "transitions per update", 1, 4096, true, nameof(BatchSize), c => c.BatchSize, (c, v) => c with { BatchSize = (int)v }),
        new("train_every", "train every", "one update every this many steps", 1, 1000, true, nameof(TrainEvery), c => c.TrainEvery, (c, v) => c with { TrainEvery = (int)v }),
        new("target_every", "target every", "θ⁻ ← θ after every this many episodes", 1, 100_000, true, nameof(TargetEvery), c => c.TargetEvery, (c, v) => c with { TargetEvery = (int)v }),
        new("episodes", "episodes", "training episodes", 1, 100_000, true, nameof(Episodes), c => c.Episodes, (c, v) => c with { Episodes = (int)v }),
        new("huber", "δ_H", "the Huber loss's δ: TD errors beyond it get a clipped gradient", 1e-6, 1000.0, false, nameof(HuberDelta), c => c.HuberDelta, (c, v) => c with { HuberDelta = v }),
    ];

    /// <summary>Why this configuration cannot run (one line), or null: a batch larger than the buffer, or updates that
    /// wait for more transitions than the buffer keeps.</summary>
    public string? Conflict() =>
        BatchSize > ReplayCapacity ? $"batch ({BatchSize}) must not exceed replay ({ReplayCapacity})"
        : MinReplay > ReplayCapacity ? $"min_replay ({MinReplay}) must not exceed replay ({ReplayCapacity})"
        : MinReplay < BatchSize ? $"min_replay ({MinReplay}) must be at least batch ({BatchSize})"
        : null;
}

/// <summary>
/// The learner's whole state, as purejaxrl keeps it: the Q-network's shape, the online parameters θ, the
/// target parameters θ⁻, Adam's state, and the counters (episodes finished, updates made).
/// </summary>
public sealed record DqnModel(Mlp Net, Params Online, Params Target, AdamState Adam, int Episodes, int Updates);

/// <summary>
/// A batch of B transitions packed for the networks: observations o(s_b) and o(s'_b) as B × |o| matrices, and the
/// actions a_b, rewards r_b and discounts d_b (0 only where s'_b is terminal).
/// </summary>
public sealed record DqnBatch(Mat States, ImmutableArray<int> Actions, ImmutableArray<double> Rewards,
                              ImmutableArray<double> Discounts, Mat Nexts)
{
    /// <summary>B.</summary>
    public int Size => Actions.Length;

    /// <summary>Renders each transition's s and s' into a row with <paramref name="observe"/>.</summary>
    public static DqnBatch Pack<TState>(ImmutableArray<Transition<TState, int>> transitions, ObservationWriter<TState> observe, int width)
    {
        var b = transitions.Length;
        var states = new double[b * width];
        var nexts = new double[b * width];
        var actions = new int[b];
        var rewards = new double[b];
        var discounts = new double[b];
        for (var i = 0; i < b; i++)
        {
            var t = transitions[i];
            observe(t.State, states.AsSpan(i * width, width));
            observe(t.Next, nexts.AsSpan(i * width, width));
            (actions[i], rewards[i], discounts[i]) = (t.Action, t.Reward, t.Discount);
        }
        return new DqnBatch(Mat.Own(b, width, states), actions.Freeze(), rewards.Freeze(), discounts.Freeze(), Mat.Own(b, width, nexts));
    }
}

/// <summary>The terms of the DQN loss on one batch: the targets y_b, the TD errors δ_b = Q(s_b, a_b; θ) − y_b, the Huber
/// loss L and the mean |δ_b|.</summary>
public sealed record DqnLossTerms(ImmutableArray<double> Targets, ImmutableArray<double> TdErrors, double Loss, double MeanAbsTdError);

/// <summary>
/// The DQN loss of one transition with its terms named (<see cref="Dqn.Explain"/>): the target network's values
/// Q(s′,·;θ⁻), the target y, the online values Q(s,·;θ), the TD error δ = Q(s,a;θ) − y, the Huber loss of the
/// transition as a batch of one, and its gradient at the taken output, ∂L/∂Q(s,a;θ) = clip(δ, −δ_H, δ_H)/|A|.
/// </summary>
public sealed record DqnTerms(ImmutableArray<double> NextValues, double Reward, double Discount, double Target,
    ImmutableArray<double> Values, int Action, double TdError, double Loss, double Gradient);

/// <summary>What one update did: the new model and the loss terms of its batch (before the step).</summary>
public sealed record DqnUpdate(DqnModel Model, DqnLossTerms Terms)
{
    /// <summary>The Huber loss L of the batch.</summary>
    public double Loss => Terms.Loss;
}

/// <summary>Everything DQN threads from one episode to the next: the model, the replay buffer and the key.</summary>
public sealed record DqnRunner<TState>(DqnModel Model, ReplayBuffer<Transition<TState, int>> Replay, Key Key);

/// <summary>One training episode's record.</summary>
/// <param name="Episode">0-based episode number.</param>
/// <param name="Reward">Σ r over the episode.</param>
/// <param name="Steps">Steps taken.</param>
/// <param name="Epsilon">ε used throughout the episode.</param>
/// <param name="MeanLoss">Mean Huber loss of the episode's updates (0 if none).</param>
/// <param name="MeanMaxQ">Mean over the steps of max_a Q(s_t, a; θ) (the Python original's avg_q).</param>
/// <param name="Updates">Updates made in the episode.</param>
public sealed record DqnEpisodeLog(int Episode, double Reward, int Steps, double Epsilon, double MeanLoss, double MeanMaxQ, int Updates);

/// <summary>An episode's outcome: the runner to continue from, the log, and a divergence if one was found.</summary>
public sealed record DqnEpisode<TState>(DqnRunner<TState> Runner, DqnEpisodeLog Log, Divergence? Diverged);

/// <summary>
/// Deep Q-network (Mnih et al. 2013): Q-learning with a neural network Q(s, ·; θ), experience replay, a target
/// network θ⁻ that is a periodic copy of θ, and ε-greedy exploration with a linearly decaying ε.
/// </summary>
public static partial class Dqn
{
    /// <summary>A fresh model: θ drawn by Glorot (the Python original's Xavier-uniform), θ⁻ = θ, Adam at zero.</summary>
    public static Draw<DqnModel> Init(DqnConfig config, int observationSize, int actionCount, Key key)
    {
        var net = Mlp.Create([observationSize, config.Hidden, actionCount], Activation.Relu);
        var (theta, next) = net.Init(key);
        return new Draw<DqnModel>(new DqnModel(net, theta, theta, AdamState.Init(theta), 0, 0), next);
    }

    /// <summary>A fresh runner: a new model, an empty buffer and the key to continue with.</summary>
    public static DqnRunner<TState> Start<TState>(DqnConfig config, int observationSize, int actionCount, Key key)
    {
        var (modelKey, runKey) = key.Split();
        var model = Init(config, observationSize, actionCount, modelKey).Value;
        return new DqnRunner<TState>(model, ReplayBuffer<Transition<TState, int>>.Empty(config.ReplayCapacity), runKey);
    }

    /// <summary>ε(k) = ε_start + min(k / K, 1)·(ε_end − ε_start): linear from ε_start to ε_end over K episodes, then flat.</summary>
    public static double Epsilon(DqnConfig config, int episode)
    {
        if (config.EpsilonDecayEpisodes <= 0) return config.EpsilonEnd;
        var fraction = Math.Min((double)episode / config.EpsilonDecayEpisodes, 1.0);
        return config.EpsilonStart + fraction * (config.EpsilonEnd - config.EpsilonStart);
    }

    /// <summary>Q(s, ·; θ) for one observation.</summary>
    public static ImmutableArray<double> QValues(DqnModel model, ReadOnlySpan<double> observation) =>
        model.Net.Predict(model.Online, Mat.RowVector(observation)).Values;

    /// <summary>Q(s, ·; θ) for one state.</summary>
    public static ImmutableArray<double> QValues<TState>(DqnModel model, ObservationWriter<TState> observe, TState state)
    {
        Span<double> o = stackalloc double[model.Net.In];
        observe(state, o);
        return QValues(model, o);
    }

    /// <summary>The greedy action in <paramref name="state"/>: argmax_a Q(s, a; θ), the first of tied maxima.</summary>
    public static int Act<TState>(DqnModel model, ObservationWriter<TState> observe, TState state) =>
        Arg.Max(QValues(model, observe, state).AsSpan());

    /// <summary>y_b = r_b + γ·d_b·max_a' Q(s'_b, a'; θ⁻): the target network's one-step bootstrap.</summary>
    public static ImmutableArray<double> Targets(DqnConfig config, DqnModel model, DqnBatch batch)
    {
        var qNext = model.Net.Predict(model.Target, batch.Nexts);
        var targets = new double[batch.Size];
        for (var b = 0; b < targets.Length; b++)
        {
            var next = qNext.Row(b);
            targets[b] = batch.Rewards[b] + config.Gamma * batch.Discounts[b] * next[Arg.Max(next)];
        }
        return targets.Freeze();
    }

    /// <summary>
    /// y_b = r_b + γ·d_b·max_a' Q(s'_b, a'; θ⁻);   δ_b = Q(s_b, a_b; θ) − y_b;   L(θ) = (1/(B·|A|)) Σ_b h_δ(δ_b).
    /// </summary>
    /// <remarks>
    /// h_δ is the Huber loss (<see cref="Losses.Huber(double, double)"/>). The Python original takes it over all |A| outputs with the
    /// untaken outputs' targets set to their own predictions, hence the 1/|A|. The gradient is in
    /// <see cref="Backward"/> (Dqn.Backward.cs).
    /// </remarks>
    public static DqnLossTerms Loss(DqnConfig config, DqnModel model, DqnBatch batch)
    {
        var y = Targets(config, model, batch);
        var q = model.Net.Predict(model.Online, batch.States);
        var tdErrors = new double[batch.Size];
        var huberSum = 0.0;
        for (var b = 0; b < tdErrors.Length; b++)
        {
            tdErrors[b] = q[b, batch.Actions[b]] - y[b];
            huberSum += Losses.Huber(tdErrors[b], config.HuberDelta);
        }
        return Terms(y, tdErrors, huberSum / ((double)batch.Size * q.Cols));
    }

    /// <summary>
    /// y = r + γ·d·max_a′ Q(s′,a′;θ⁻);  δ = Q(s,a;θ) − y;  L = h_δ(δ)/|A|;  ∂L/∂Q(s,a;θ) = clip(δ, −δ_H, δ_H)/|A| — one
    /// transition as a batch of one, through <see cref="Loss"/> itself.
    /// </summary>
    public static DqnTerms Explain<TState>(DqnConfig config, DqnModel model, Transition<TState, int> t, ObservationWriter<TState> observe, int width)
    {
        var batch = DqnBatch.Pack([t], observe, width);
        var terms = Loss(config, model, batch);
        var values = model.Net.Predict(model.Online, batch.States);
        return new DqnTerms([.. model.Net.Predict(model.Target, batch.Nexts).Row(0)], t.Reward, t.Discount, terms.Targets[0],
            [.. values.Row(0)], t.Action, terms.TdErrors[0], terms.Loss, Losses.HuberDerivative(terms.TdErrors[0], config.HuberDelta) / values.Cols);
    }

    /// <summary>The named terms from the targets, the TD errors and the loss (the mean |δ_b| is derived here).</summary>
    private static DqnLossTerms Terms(ImmutableArray<double> targets, double[] tdErrors, double loss)
    {
        var meanAbsTdError = 0.0;
        foreach (var e in tdErrors) meanAbsTdError += Math.Abs(e) / tdErrors.Length;
        return new DqnLossTerms(targets, tdErrors.Freeze(), loss, meanAbsTdError);
    }

    /// <summary>
    /// θ ← Adam(θ, ∇_θ L(θ)) on one packed batch (<see cref="Loss"/>, gradient by <see cref="Backward"/>). The batch is
    /// sampled by the caller, so the update needs no key.
    /// </summary>
    /// <remarks>
    /// Adam would be invariant to the loss's constant 1/|A| but for its ε (the step is m̂/(√v̂ + ε)), so it is kept: with
    /// it, and the same draws, this update reproduces the Python's parameters to ~1e-13 over hundreds of updates.
    /// </remarks>
    public static DqnUpdate Update(DqnConfig config, DqnModel model, DqnBatch batch)
    {
        DqnLossTerms? terms = null;
        // ∇_θ L straight into the Adam step's scratch: no gradient buffer is built and dropped
        var (online, adam) = Adam.Step(model.Online, g => terms = Backward(config, model, batch, g), model.Adam, config.Adam);
        return new DqnUpdate(model with { Online = online, Adam = adam, Updates = model.Updates + 1 }, terms!);
    }

    /// <summary>
    /// The end-of-episode bookkeeping: count the episode, and θ⁻ ← θ when the count is a multiple of
    /// <see cref="DqnConfig.TargetEvery"/> (the target network changes nowhere else).
    /// </summary>
    public static DqnModel EndEpisode(DqnConfig config, DqnModel model)
    {
        var episodes = model.Episodes + 1;
        return episodes % config.TargetEvery == 0
            ? model with { Episodes = episodes, Target = model.Online }
            : model with { Episodes = episodes };
    }

    /// <summary>
    /// One training episode, unrolled by <see cref="Episodes.Unroll{TState,TAction,TAgent}"/>. Each step: a_t ε-greedy in
    /// Q(s_t, ·; θ); step the world; push (s_t, a_t, r_t, d_t, s_{t+1}) into the buffer; every
    /// <see cref="DqnConfig.TrainEvery"/>-th step of the episode, once the buffer holds <see cref="DqnConfig.MinReplay"/>,
    /// sample a batch and <see cref="Update"/>. After the episode, <see cref="EndEpisode"/>. The unroll splits the key
    /// for the decision and the world at every step; the learner draws its batches from a key of its own. The episode
    /// reports a divergence when a loss or a parameter is not finite, or, in a world whose rewards are bounded
    /// (<see cref="IRewardBounded"/>), when its mean max_a Q lies beyond r_max/(1 − γ), a value no return can have.
    /// </summary>
    /// <remarks><paramref name="maxSteps"/> is a guard for worlds without their own time limit (Breakout has one at 200).</remarks>
    public static DqnEpisode<TState> Episode<TState>(DqnConfig config, IWorld<TState, int> world,
        ObservationWriter<TState> observe, DqnRunner<TState> runner, int maxSteps = 100_000)
    {
        var episode = runner.Model.Episodes;
        var epsilon = Epsilon(config, episode);
        var (resetKey, rest) = runner.Key.Split();
        var (episodeKey, nextKey) = rest.Split();
        var (unrollKey, sampleKey) = episodeKey.Split();
        var (start, _) = world.Reset(resetKey);
        var observation = new double[runner.Model.Net.In];
        var q = new double[runner.Model.Net.Out];

        Decision<int, DqnLearner<TState>> Act(DqnLearner<TState> learner, TState state, Key key)
        {
            observe(state, observation);
            learner.Model.Net.PredictRow(learner.Model.Online, observation, q);
            var action = Policies.EpsilonGreedy(q, epsilon, key).Value;
            return new(action, learner with { MaxQSum = learner.MaxQSum + q[Arg.Max(q)] });
        }

        DqnLearner<TState> Learn(DqnLearner<TState> learner, Transition<TState, int> transition)
        {
            var replay = learner.Replay.Push(transition);
            var steps = learner.Steps + 1;
            if (steps % config.TrainEvery != 0 || replay.Count < config.MinReplay)
                return learner with { Replay = replay, Steps = steps };
            var (batchKey, key) = learner.Key.Split();
            var batch = DqnBatch.Pack(replay.Sample(config.BatchSize, batchKey).Value, observe, learner.Model.Net.In);
            var update = Update(config, learner.Model, batch);
            var diverged = double.IsFinite(update.Loss) ? null
                : new Divergence($"DQN diverged: the TD loss became {update.Loss} in episode {episode} (update {update.Model.Updates})");
            return learner with
            {
                Model = update.Model, Replay = replay, Key = key, Steps = steps,
                LossSum = learner.LossSum + update.Loss, Updates = learner.Updates + 1, Diverged = diverged,
            };
        }

        var unrolled = Episodes.Unroll(world, new DqnLearner<TState>(runner.Model, runner.Replay, sampleKey, 0, 0.0, 0.0, 0, null),
            start, unrollKey, maxSteps, Act, Learn, stop: learner => learner.Diverged is not null);
        var (model, replay, _, steps, lossSum, maxQSum, updates, diverged) = unrolled.Agent;
        model = EndEpisode(config, model);
        if (diverged is null && !Finite.All(model.Online))
            diverged = new Divergence($"DQN diverged: a Q-network parameter became NaN or infinite in episode {episode}");
        var log = new DqnEpisodeLog(episode, unrolled.Trajectory.TotalReward, steps, epsilon, updates == 0 ? 0.0 : lossSum / updates,
                                    steps == 0 ? 0.0 : maxQSum / steps, updates);
        if (diverged is null && world is IRewardBounded bounded && Math.Abs(log.MeanMaxQ) > bounded.MaxAbsReward / (1.0 - config.Gamma))
            diverged = new Divergence($"DQN diverged: max_a Q averaged {log.MeanMaxQ:0.#} in episode {episode}, beyond ±{bounded.MaxAbsReward / (1.0 - config.Gamma):0.#}, " +
                                      $"the most any return can be worth when |r| ≤ {bounded.MaxAbsReward:0.##} and γ = {config.Gamma:0.###}");
        return new DqnEpisode<TState>(new DqnRunner<TState>(model, replay, nextKey), log, diverged);
    }
}

/// <summary>What the DQN learner carries through one episode's unroll: the model, the buffer, the key its batches are
/// drawn from, and the episode's running sums (steps, losses, max-Q) and update count; a divergence stops the unroll.</summary>
public sealed record DqnLearner<TState>(DqnModel Model, ReplayBuffer<Transition<TState, int>> Replay, Key Key, int Steps,
    double LossSum, double MaxQSum, int Updates, Divergence? Diverged);
