using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;

namespace Policywerk.Pure.Agents;

/// <summary>Hyperparameters of PPO with a one-dimensional Gaussian policy (defaults: lesson 06 and the Python original).</summary>
/// <param name="Hidden">Width of the tanh hidden layer of both actor (|o| → Hidden → 2) and critic (|o| → Hidden → 1).</param>
/// <param name="Iterations">Rollout-then-update iterations.</param>
/// <param name="RolloutSteps">T: environment steps per rollout (episodes continue across rollouts).</param>
/// <param name="Epochs">K: passes over each rollout.</param>
/// <param name="MiniBatchSize">Samples per gradient step. The Python original takes one step per epoch on the whole
/// rollout (500); a smaller size shuffles the rollout each epoch and steps once per mini-batch.</param>
/// <param name="Gamma">Discount γ.</param>
/// <param name="Lambda">GAE's λ.</param>
/// <param name="ClipEpsilon">ε of the clipped surrogate: the ratio is held to [1 − ε, 1 + ε].</param>
/// <param name="ActorLearningRate">Adam's α for the actor.</param>
/// <param name="CriticLearningRate">Adam's α for the critic.</param>
/// <param name="EntropyCoefficient">c_H, the weight of the entropy bonus (0: none).</param>
/// <param name="LogStdMin">log σ is clamped to [LogStdMin, LogStdMax] (no gradient where the clamp holds).</param>
/// <param name="LogStdMax">See <paramref name="LogStdMin"/>.</param>
/// <param name="ActionLow">The world receives clamp(a, ActionLow, ActionHigh); the log-probability is of the raw sample a.</param>
/// <param name="ActionHigh">See <paramref name="ActionLow"/>.</param>
public sealed record PpoConfig(
    int Hidden = 64,
    int Iterations = 250,
    int RolloutSteps = 500,
    int Epochs = 3,
    int MiniBatchSize = 500,
    double Gamma = 0.99,
    double Lambda = 0.95,
    double ClipEpsilon = 0.2,
    double ActorLearningRate = 0.001,
    double CriticLearningRate = 0.003,
    double EntropyCoefficient = 0.0,
    double LogStdMin = -2.0,
    double LogStdMax = 2.0,
    double ActionLow = -1.0,
    double ActionHigh = 1.0);

/// <summary>The learner: actor π_θ(a|s) = N(μ_θ(s), σ_θ(s)²), critic V_φ(s), each with its own Adam state, and the iteration count.</summary>
public sealed record PpoModel(Mlp Actor, Mlp Critic, Params Theta, Params Phi, AdamState ActorAdam, AdamState CriticAdam, int Iterations);

/// <summary>The policy at one state: the mean μ and the clamped log σ.</summary>
public readonly record struct GaussianPolicy(double Mean, double LogStd)
{
    /// <summary>σ = e^{log σ}.</summary>
    public double Std => Math.Exp(LogStd);

    /// <summary>H = log σ + ½ log(2πe).</summary>
    public double Entropy => LogStd + 0.5 * (1.0 + Math.Log(2.0 * Math.PI));
}

/// <summary>What PPO threads from one iteration to the next: the model, the world's current state (episodes run on across
/// rollouts), the return and length of the episode in progress, and the key.</summary>
public sealed record PpoRunner<TState>(PpoModel Model, TState State, double EpisodeReturn, int EpisodeSteps, Key Key);

/// <summary>
/// T steps of experience under π_θold: observations o_0 … o_T (T + 1 rows; the last is the state to bootstrap from),
/// the raw sampled actions a_t, rewards r_t, continuations c_t, log π_θold(a_t|s_t), and the returns and lengths of
/// the episodes that ended inside the rollout.
/// </summary>
public sealed record Rollout(
    Mat Observations,
    ImmutableArray<double> Actions,
    ImmutableArray<double> Rewards,
    ImmutableArray<double> Continuations,
    ImmutableArray<double> LogProbs,
    ImmutableArray<double> EpisodeReturns,
    ImmutableArray<int> EpisodeLengths)
{
    /// <summary>T.</summary>
    public int Length => Rewards.Length;
}

/// <summary>The clipped surrogate loss on a batch, its gradient with respect to the actor's outputs (μ, raw log σ) per row,
/// and diagnostics: mean entropy, mean σ, and the fraction of rows whose ratio the clip stopped.</summary>
public sealed record SurrogateLoss(double Value, Mat Grad, double Entropy, double MeanStd, double ClipFraction);

/// <summary>One iteration's record.</summary>
/// <param name="Iteration">0-based iteration number.</param>
/// <param name="AverageReturn">Mean return of the episodes that ended in this rollout (NaN if none did).</param>
/// <param name="Episodes">How many ended.</param>
/// <param name="MeanStd">Mean σ over every sample of every epoch (as the Python original).</param>
/// <param name="Entropy">Mean policy entropy, likewise.</param>
/// <param name="ValueLoss">Mean (V_φ(s_t) − R_t)² over the epochs.</param>
/// <param name="PolicyLoss">Mean clipped-surrogate loss over the epochs.</param>
/// <param name="ClipFraction">Mean fraction of samples whose gradient the clip stopped.</param>
public sealed record PpoIterationLog(int Iteration, double AverageReturn, int Episodes, double MeanStd, double Entropy,
                                     double ValueLoss, double PolicyLoss, double ClipFraction);

/// <summary>An iteration's outcome: the runner to continue from, the log, and a divergence if one was found.</summary>
public sealed record PpoIteration<TState>(PpoRunner<TState> Runner, PpoIterationLog Log, Divergence? Diverged);

/// <summary>
/// Proximal policy optimisation (Schulman, Wolski, Dhariwal, Radford &amp; Klimov 2017) with a Gaussian actor over one
/// continuous action and a separate critic: collect T steps, estimate advantages by GAE, normalise them, then K epochs
/// of the clipped surrogate for the actor and the squared error to the GAE returns for the critic.
/// </summary>
public static class Ppo
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>Actor and critic drawn by Glorot (the Python original's Xavier-uniform), biases 0, Adam at zero.</summary>
    public static Draw<PpoModel> Init(PpoConfig config, int observationSize, Key key)
    {
        var actor = Mlp.Create([observationSize, config.Hidden, 2], Activation.Tanh);
        var critic = Mlp.Create([observationSize, config.Hidden, 1], Activation.Tanh);
        var (theta, k1) = actor.Init(key);
        var (phi, k2) = critic.Init(k1);
        return new Draw<PpoModel>(new PpoModel(actor, critic, theta, phi, AdamState.Init(theta), AdamState.Init(phi), 0), k2);
    }

    /// <summary>A fresh runner: a new model and the world's first state.</summary>
    public static PpoRunner<TState> Start<TState>(PpoConfig config, IWorld<TState, double> world, int observationSize, Key key)
    {
        var (modelKey, rest) = key.Split();
        var (resetKey, runKey) = rest.Split();
        var model = Init(config, observationSize, modelKey).Value;
        return new PpoRunner<TState>(model, world.Reset(resetKey).Value, 0.0, 0, runKey);
    }

    /// <summary>π_θ(·|s) from one row of actor output: μ = out₀, log σ = clamp(out₁, min, max).</summary>
    public static GaussianPolicy PolicyFromOutput(PpoConfig config, ReadOnlySpan<double> output) =>
        new(output[0], Math.Clamp(output[1], config.LogStdMin, config.LogStdMax));

    /// <summary>π_θ(·|o) for one observation.</summary>
    public static GaussianPolicy Policy(PpoConfig config, PpoModel model, ReadOnlySpan<double> observation) =>
        PolicyFromOutput(config, model.Actor.Predict(model.Theta, Mat.RowVector(observation)).Span);

    /// <summary>π_θ(·|s) for one state.</summary>
    public static GaussianPolicy Policy<TState>(PpoConfig config, PpoModel model, ObservationWriter<TState> observe, TState state)
    {
        Span<double> o = stackalloc double[model.Actor.In];
        observe(state, o);
        return Policy(config, model, o);
    }

    /// <summary>The greedy action: the clamped mean, clamp(μ_θ(s), low, high).</summary>
    public static double Act<TState>(PpoConfig config, PpoModel model, ObservationWriter<TState> observe, TState state) =>
        Math.Clamp(Policy(config, model, observe, state).Mean, config.ActionLow, config.ActionHigh);

    /// <summary>V_φ(s) for one state.</summary>
    public static double Value<TState>(PpoModel model, ObservationWriter<TState> observe, TState state)
    {
        Span<double> o = stackalloc double[model.Critic.In];
        observe(state, o);
        return model.Critic.Predict(model.Phi, Mat.RowVector(o)).Values[0];
    }

    /// <summary>log N(a; μ, σ²) = −½((a − μ)/σ)² − log σ − ½ log 2π.</summary>
    public static double LogProb(double action, GaussianPolicy policy)
    {
        var z = (action - policy.Mean) * Math.Exp(-policy.LogStd);
        return -0.5 * z * z - policy.LogStd - HalfLog2Pi;
    }

    /// <summary>
    /// a_t ~ π_θ(·|s_t) for t = 0 … T−1: sample the raw a_t, keep log π_θ(a_t|s_t), step the world with
    /// clamp(a_t, low, high); when an episode ends, record its return and start the next one. Returns the rollout and
    /// the runner positioned after it.
    /// </summary>
    public static (Rollout Rollout, PpoRunner<TState> Runner) Collect<TState>(PpoConfig config, IWorld<TState, double> world,
        ObservationWriter<TState> observe, PpoRunner<TState> runner)
    {
        var (model, state, episodeReturn, episodeSteps, key) = runner;
        var n = config.RolloutSteps;
        var width = model.Actor.In;
        var observations = new double[(n + 1) * width];
        double[] actions = new double[n], rewards = new double[n], continuations = new double[n], logProbs = new double[n];
        var returns = ImmutableArray.CreateBuilder<double>();
        var lengths = ImmutableArray.CreateBuilder<int>();
        for (var t = 0; t < n; t++)
        {
            var (sampleKey, rest) = key.Split();
            var (worldKey, nextKey) = rest.Split();
            key = nextKey;
            var o = observations.AsSpan(t * width, width);
            observe(state, o);
            var policy = Policy(config, model, o);
            var (action, _) = sampleKey.NextGaussian(policy.Mean, policy.Std);
            var result = world.Step(state, Math.Clamp(action, config.ActionLow, config.ActionHigh), worldKey);
            actions[t] = action;
            logProbs[t] = LogProb(action, policy);
            rewards[t] = result.Reward;
            continuations[t] = result.Last ? 0.0 : 1.0;
            episodeReturn += result.Reward;
            episodeSteps++;
            if (result.Last)
            {
                returns.Add(episodeReturn);
                lengths.Add(episodeSteps);
                episodeReturn = 0.0;
                episodeSteps = 0;
                (state, _) = world.Reset(result.Key);
            }
            else
            {
                state = result.Next;
            }
        }
        observe(state, observations.AsSpan(n * width, width));
        var rollout = new Rollout(Mat.Own(n + 1, width, observations), actions.Freeze(), rewards.Freeze(), continuations.Freeze(),
                                  logProbs.Freeze(), returns.ToImmutable(), lengths.ToImmutable());
        return (rollout, new PpoRunner<TState>(model, state, episodeReturn, episodeSteps, key));
    }

    /// <summary>
    /// L^CLIP(θ) = −(1/B) Σ_b [min(ρ_b·Â_b, clip(ρ_b, 1−ε, 1+ε)·Â_b) + c_H·H_b],
    /// ratio ρ_b = π_θ(a_b|s_b) / π_θold(a_b|s_b) = exp(log π_θ(a_b|s_b) − log π_θold(a_b|s_b)).
    /// </summary>
    /// <remarks>
    /// Where the clipped term is the smaller one, it is constant in θ, so the row's surrogate gradient is zero: the
    /// clip stops the ratio from moving further out of [1−ε, 1+ε] in the direction that would raise the objective.
    /// Otherwise ∂(ρÂ)/∂μ = ρÂ·(a − μ)/σ², ∂(ρÂ)/∂log σ = ρÂ·((a − μ)²/σ² − 1); ∂H/∂log σ = 1.
    /// <paramref name="actorOutput"/> rows are (μ, raw log σ); log σ is clamped and gets no gradient where clamped.
    /// </remarks>
    public static SurrogateLoss Surrogate(PpoConfig config, Mat actorOutput, ReadOnlySpan<double> actions,
        ReadOnlySpan<double> logProbsOld, ReadOnlySpan<double> advantages)
    {
        var b = actorOutput.Rows;
        var grad = new double[b * 2];
        double value = 0.0, entropy = 0.0, stdSum = 0.0;
        var clipped = 0;
        var eps = config.ClipEpsilon;
        for (var i = 0; i < b; i++)
        {
            var rawLogStd = actorOutput[i, 1];
            var policy = PolicyFromOutput(config, actorOutput.Row(i));
            var inside = rawLogStd > config.LogStdMin && rawLogStd < config.LogStdMax;
            var sigma = policy.Std;
            var z = (actions[i] - policy.Mean) / sigma;
            var logProb = -0.5 * z * z - policy.LogStd - HalfLog2Pi;
            var ratio = Math.Exp(logProb - logProbsOld[i]);
            var advantage = advantages[i];
            var unclippedObjective = ratio * advantage;
            var clippedObjective = Math.Clamp(ratio, 1.0 - eps, 1.0 + eps) * advantage;
            var clipActive = clippedObjective < unclippedObjective;
            var h = policy.Entropy;
            value -= (Math.Min(unclippedObjective, clippedObjective) + config.EntropyCoefficient * h) / b;
            entropy += h;
            stdSum += sigma;
            if (clipActive) clipped++;
            var dMean = clipActive ? 0.0 : -unclippedObjective * z / sigma;
            var dLogStd = (clipActive ? 0.0 : -unclippedObjective * (z * z - 1.0)) - config.EntropyCoefficient;
            grad[2 * i] = dMean / b;
            grad[2 * i + 1] = inside ? dLogStd / b : 0.0;
        }
        return new SurrogateLoss(value, Mat.Own(b, 2, grad), entropy / b, stdSum / b, (double)clipped / b);
    }

    /// <summary>The rows <paramref name="rows"/> of <paramref name="m"/> (a mini-batch), or <paramref name="m"/>'s first
    /// <paramref name="count"/> rows in order when <paramref name="rows"/> is empty.</summary>
    private static Mat Gather(Mat m, ReadOnlySpan<int> rows, int start, int count)
    {
        var values = new double[count * m.Cols];
        for (var i = 0; i < count; i++)
            m.Row(rows.IsEmpty ? start + i : rows[start + i]).CopyTo(values.AsSpan(i * m.Cols, m.Cols));
        return Mat.Own(count, m.Cols, values);
    }

    private static double[] Gather(ReadOnlySpan<double> x, ReadOnlySpan<int> rows, int start, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = x[rows.IsEmpty ? start + i : rows[start + i]];
        return values;
    }

    /// <summary>
    /// One PPO iteration: collect T steps under π_θold; V_φ(s_0 … s_T) in one batch; advantages A_t by
    /// <see cref="Gae.Advantages"/> and returns R_t = A_t + V_φ(s_t); Â = normalised A; then K epochs, each over
    /// mini-batches (the whole rollout by default): θ ← Adam(θ, ∇L^CLIP), φ ← Adam(φ, ∇ (1/B) Σ (V_φ(s_b) − R_b)²).
    /// </summary>
    public static PpoIteration<TState> Iterate<TState>(PpoConfig config, IWorld<TState, double> world,
        ObservationWriter<TState> observe, PpoRunner<TState> runner)
    {
        var (rollout, next) = Collect(config, world, observe, runner);
        var model = runner.Model;
        var n = rollout.Length;

        var values = model.Critic.Predict(model.Phi, rollout.Observations).Span;
        var advantages = Gae.Advantages(rollout.Rewards.AsSpan(), values, rollout.Continuations.AsSpan(), config.Gamma, config.Lambda);
        var returns = new double[n];
        for (var t = 0; t < n; t++) returns[t] = advantages[t] + values[t];
        var normalized = Gae.Normalize(advantages.AsSpan());

        var key = next.Key;
        var batchSize = Math.Min(config.MiniBatchSize, n);
        double valueLoss = 0.0, policyLoss = 0.0, entropy = 0.0, std = 0.0, clipFraction = 0.0;
        var steps = 0;
        var (theta, phi, actorAdam, criticAdam) = (model.Theta, model.Phi, model.ActorAdam, model.CriticAdam);
        for (var epoch = 0; epoch < config.Epochs; epoch++)
        {
            ReadOnlySpan<int> order = default;
            if (batchSize < n)
            {
                var (permutation, k) = key.NextPermutation(n);
                key = k;
                order = permutation.AsSpan();
            }
            for (var start = 0; start + batchSize <= n; start += batchSize)
            {
                var observations = Gather(rollout.Observations, order, start, batchSize);

                var actorCache = model.Actor.Forward(theta, observations);
                var surrogate = Surrogate(config, actorCache.Output, Gather(rollout.Actions.AsSpan(), order, start, batchSize),
                    Gather(rollout.LogProbs.AsSpan(), order, start, batchSize), Gather(normalized.AsSpan(), order, start, batchSize));
                var actorGrads = model.Actor.Backward(theta, actorCache, surrogate.Grad).Grads;

                var criticCache = model.Critic.Forward(phi, observations);
                var critic = Losses.Mse(criticCache.Output, Mat.Own(batchSize, 1, Gather(returns, order, start, batchSize)));
                var criticGrads = model.Critic.Backward(phi, criticCache, critic.Grad).Grads;

                (theta, actorAdam) = Adam.Step(theta, actorGrads, actorAdam, new AdamHyper(config.ActorLearningRate));
                (phi, criticAdam) = Adam.Step(phi, criticGrads, criticAdam, new AdamHyper(config.CriticLearningRate));

                valueLoss += critic.Value;
                policyLoss += surrogate.Value;
                entropy += surrogate.Entropy;
                std += surrogate.MeanStd;
                clipFraction += surrogate.ClipFraction;
                steps++;
            }
        }

        var updated = model with { Theta = theta, Phi = phi, ActorAdam = actorAdam, CriticAdam = criticAdam, Iterations = model.Iterations + 1 };
        var returnSum = 0.0;
        foreach (var g in rollout.EpisodeReturns) returnSum += g;
        var log = new PpoIterationLog(model.Iterations,
            rollout.EpisodeReturns.IsEmpty ? double.NaN : returnSum / rollout.EpisodeReturns.Length, rollout.EpisodeReturns.Length,
            std / steps, entropy / steps, valueLoss / steps, policyLoss / steps, clipFraction / steps);

        Divergence? diverged = null;
        if (!double.IsFinite(log.ValueLoss) || !double.IsFinite(log.PolicyLoss))
            diverged = new Divergence($"PPO diverged: the {(double.IsFinite(log.ValueLoss) ? "policy" : "value")} loss became NaN or infinite in iteration {model.Iterations}");
        else if (!Finite.All(theta) || !Finite.All(phi))
            diverged = new Divergence($"PPO diverged: a network parameter became NaN or infinite in iteration {model.Iterations}");
        return new PpoIteration<TState>(next with { Model = updated, Key = key }, log, diverged);
    }
}
