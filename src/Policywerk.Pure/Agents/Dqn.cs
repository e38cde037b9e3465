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
}

/// <summary>
/// The learner's whole state, as purejaxrl keeps it: the Q-network's shape, the online parameters θ, the
/// target parameters θ⁻, Adam's state, and the counters (episodes finished, updates made).
/// </summary>
public sealed record DqnModel(Mlp Net, Params Online, Params Target, AdamState Adam, int Episodes, int Updates);

/// <summary>What one update did: the new model, the Huber loss (mean over the batch and the |A| outputs) and the mean |TD error| on its batch.</summary>
public sealed record DqnUpdate(DqnModel Model, double Loss, double MeanAbsTdError);

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
public static class Dqn
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

    /// <summary>a = argmax_a Q(s, a; θ), the first of tied maxima (the greedy policy, no key needed).</summary>
    public static int Greedy(ReadOnlySpan<double> q)
    {
        var best = 0;
        for (var a = 1; a < q.Length; a++)
            if (q[a] > q[best]) best = a;
        return best;
    }

    /// <summary>The greedy action in <paramref name="state"/>.</summary>
    public static int Act<TState>(DqnModel model, ObservationWriter<TState> observe, TState state) =>
        Greedy(QValues(model, observe, state).AsSpan());

    /// <summary>
    /// y_b = r_b + γ·c_b·max_a' Q(s'_b, a'; θ⁻);   tdError_b = Q(s_b, a_b; θ) − y_b;
    /// L(θ) = (1/(B·|A|)) Σ_b h_δ(tdError_b);   θ ← Adam(θ, ∇_θ L).
    /// </summary>
    /// <remarks>
    /// The batch is sampled by the caller (with its own key), so the update itself needs none. Only the taken
    /// action's output gets a gradient, clip(tdError, −δ, δ)/(B·|A|): the Python original takes the Huber loss
    /// over all |A| outputs with the other outputs' targets set to their own predictions, hence the 1/|A|.
    /// Adam would be invariant to that constant scale but for its ε (the step is m̂/(√v̂ + ε)), so it is kept:
    /// with it, and the same draws, this update reproduces the Python's parameters to ~1e-13 over hundreds of
    /// updates. The reported loss is that L, the Python's <c>avg_loss</c>. The whole batch goes through each
    /// network as one matrix.
    /// </remarks>
    public static DqnUpdate Update<TState>(DqnConfig config, DqnModel model,
        ImmutableArray<Transition<TState, int>> batch, ObservationWriter<TState> observe)
    {
        var b = batch.Length;
        var width = model.Net.In;
        var states = new double[b * width];
        var nexts = new double[b * width];
        var actions = new int[b];
        for (var i = 0; i < b; i++)
        {
            observe(batch[i].State, states.AsSpan(i * width, width));
            observe(batch[i].Next, nexts.AsSpan(i * width, width));
            actions[i] = batch[i].Action;
        }

        var qNext = model.Net.Predict(model.Target, Mat.Own(b, width, nexts));
        var targets = new double[b];
        for (var i = 0; i < b; i++)
        {
            var next = qNext.Row(i);
            targets[i] = batch[i].Reward + config.Gamma * batch[i].Discount * next[Greedy(next)];
        }

        var cache = model.Net.Forward(model.Online, Mat.Own(b, width, states));
        var loss = Losses.HuberSelectedPerOutput(cache.Output, actions.Freeze(), targets, config.HuberDelta);
        var meanAbsTdError = 0.0;
        for (var i = 0; i < b; i++) meanAbsTdError += Math.Abs(cache.Output[i, actions[i]] - targets[i]) / b;
        // ∇_θ L straight into the Adam step's scratch: no gradient buffer is built and dropped (same bits)
        var (online, adam) = Adam.Step(model.Online, g => model.Net.BackwardInto(model.Online, cache, loss.Grad, g), model.Adam, config.Adam);
        return new DqnUpdate(model with { Online = online, Adam = adam, Updates = model.Updates + 1 }, loss.Value, meanAbsTdError);
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
    /// One training episode, in the Python original's order. Each step: a_t ε-greedy in Q(s_t, ·; θ); step the
    /// world; push (s_t, a_t, r_t, s_{t+1}, c_t) into the buffer; every <see cref="DqnConfig.TrainEvery"/>-th step
    /// of the episode, once the buffer holds <see cref="DqnConfig.MinReplay"/>, sample a batch and
    /// <see cref="Update{TState}"/>. After the episode, <see cref="EndEpisode"/>. The key is split for every draw.
    /// </summary>
    /// <remarks><paramref name="maxSteps"/> is a guard for worlds without their own step cap (Breakout caps itself at 200).</remarks>
    public static DqnEpisode<TState> Episode<TState>(DqnConfig config, IWorld<TState, int> world,
        ObservationWriter<TState> observe, DqnRunner<TState> runner, int maxSteps = 100_000)
    {
        var (model, replay, key) = runner;
        var episode = model.Episodes;
        var epsilon = Epsilon(config, episode);
        var (resetKey, stepKeys) = key.Split();
        var (state, _) = world.Reset(resetKey);
        key = stepKeys;
        double reward = 0.0, lossSum = 0.0, maxQSum = 0.0;
        int steps = 0, updates = 0;
        Divergence? diverged = null;
        var observation = new double[model.Net.In];
        while (steps < maxSteps)
        {
            var (actKey, rest) = key.Split();
            var (worldKey, rest2) = rest.Split();
            var (sampleKey, nextKey) = rest2.Split();
            key = nextKey;

            observe(state, observation);
            var q = QValues(model, observation).AsSpan();
            maxQSum += q[Greedy(q)];
            var action = Policies.EpsilonGreedy(q, epsilon, actKey).Value;
            var result = world.Step(state, action, worldKey);
            var transition = new Transition<TState, int>(state, action, result.Reward, result.Discount, result.Next, result.Last);
            replay = replay.Push(transition);
            reward += result.Reward;
            steps++;

            if (steps % config.TrainEvery == 0 && replay.Count >= config.MinReplay)
            {
                var batch = replay.Sample(config.BatchSize, sampleKey).Value;
                var update = Update(config, model, batch, observe);
                model = update.Model;
                lossSum += update.Loss;
                updates++;
                if (!double.IsFinite(update.Loss))
                {
                    diverged = new Divergence($"DQN diverged: the TD loss became {update.Loss} in episode {episode} (update {model.Updates})");
                    break;
                }
            }
            if (result.Last) break;
            state = result.Next;
        }
        model = EndEpisode(config, model);
        if (diverged is null && !Finite.All(model.Online))
            diverged = new Divergence($"DQN diverged: a Q-network parameter became NaN or infinite in episode {episode}");
        var log = new DqnEpisodeLog(episode, reward, steps, epsilon, updates == 0 ? 0.0 : lossSum / updates,
                                    steps == 0 ? 0.0 : maxQSum / steps, updates);
        return new DqnEpisode<TState>(new DqnRunner<TState>(model, replay, key), log, diverged);
    }
}
