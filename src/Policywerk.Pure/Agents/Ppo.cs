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
/// <param name="BootstrapTimeLimits">true: a step cut off by the world's time limit keeps its discount, so its advantage
/// bootstraps from V(s′) (Pardo et al. 2018); false: it is treated as terminal (d = 0), as the Python original does.</param>
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
    double ActionHigh = 1.0,
    bool BootstrapTimeLimits = true)
{
    /// <summary>Every field a learner may set, by its short name (bootstrap: 1 bootstraps through time limits, 0 does not).</summary>
    public static readonly IReadOnlyList<Knob<PpoConfig>> Knobs =
    [
        new("hidden", "hidden units", "width of the actor's and the critic's hidden tanh layer", 1, 1024, true, nameof(Hidden), c => c.Hidden, (c, v) => c with { Hidden = (int)v }),
        new("iterations", "iterations", "rollouts collected and learned from", 1, 100_000, true, nameof(Iterations), c => c.Iterations, (c, v) => c with { Iterations = (int)v }),
        new("steps", "T", "steps per rollout", 1, 100_000, true, nameof(RolloutSteps), c => c.RolloutSteps, (c, v) => c with { RolloutSteps = (int)v }),
        new("epochs", "K", "passes over each rollout", 1, 1000, true, nameof(Epochs), c => c.Epochs, (c, v) => c with { Epochs = (int)v }),
        new("minibatch", "M", "samples per gradient step", 1, 100_000, true, nameof(MiniBatchSize), c => c.MiniBatchSize, (c, v) => c with { MiniBatchSize = (int)v }),
        new("gamma", "γ", "discount", 0.0, 1.0, false, nameof(Gamma), c => c.Gamma, (c, v) => c with { Gamma = v }),
        new("lambda", "λ", "GAE's λ: 0 one-step TD errors, 1 Monte Carlo returns", 0.0, 1.0, false, nameof(Lambda), c => c.Lambda, (c, v) => c with { Lambda = v }),
        new("clip", "ε", "the clip range of the probability ratio, 1 ± ε", 0.0, 10.0, false, nameof(ClipEpsilon), c => c.ClipEpsilon, (c, v) => c with { ClipEpsilon = v }),
        new("actor_lr", "α_π", "the actor's Adam step size", 1e-7, 10.0, false, nameof(ActorLearningRate), c => c.ActorLearningRate, (c, v) => c with { ActorLearningRate = v }),
        new("critic_lr", "α_V", "the critic's Adam step size", 1e-7, 10.0, false, nameof(CriticLearningRate), c => c.CriticLearningRate, (c, v) => c with { CriticLearningRate = v }),
        new("entropy", "c_H", "weight of the entropy bonus", 0.0, 10.0, false, nameof(EntropyCoefficient), c => c.EntropyCoefficient, (c, v) => c with { EntropyCoefficient = v }),
        new("log_std_min", "log σ_min", "the lowest log σ the actor may output", -20.0, 5.0, false, nameof(LogStdMin), c => c.LogStdMin, (c, v) => c with { LogStdMin = v }),
        new("log_std_max", "log σ_max", "the highest log σ the actor may output", -20.0, 5.0, false, nameof(LogStdMax), c => c.LogStdMax, (c, v) => c with { LogStdMax = v }),
        new("action_low", "u_min", "the lowest torque the world receives", -100.0, 100.0, false, nameof(ActionLow), c => c.ActionLow, (c, v) => c with { ActionLow = v }),
        new("action_high", "u_max", "the highest torque the world receives", -100.0, 100.0, false, nameof(ActionHigh), c => c.ActionHigh, (c, v) => c with { ActionHigh = v }),
        new("bootstrap", "bootstrap", "1: advantages bootstrap through the time limit; 0: the limit ends the task", 0, 1, true, nameof(BootstrapTimeLimits),
            c => c.BootstrapTimeLimits ? 1 : 0, (c, v) => c with { BootstrapTimeLimits = v != 0 }),
    ];

    /// <summary>Why this configuration cannot run (one line), or null.</summary>
    public string? Conflict() =>
        LogStdMin > LogStdMax ? $"log_std_min ({LogStdMin}) must not exceed log_std_max ({LogStdMax})"
        : ActionLow >= ActionHigh ? $"action_low ({ActionLow}) must be below action_high ({ActionHigh})"
        : MiniBatchSize > RolloutSteps ? $"minibatch ({MiniBatchSize}) must not exceed steps ({RolloutSteps})"
        : null;
}

/// <summary>The learner: actor π_θ(a|s) = N(μ_θ(s), σ_θ(s)²), critic V_φ(s), each with its own Adam state, and the iteration count.</summary>
public sealed record PpoModel(Mlp Actor, Mlp Critic, Params Theta, Params Phi, AdamState ActorAdam, AdamState CriticAdam, int Iterations);

/// <summary>The policy at one state: the mean μ and the clamped log σ of N(μ, σ²).</summary>
public readonly record struct GaussianPolicy(double Mean, double LogStd)
{
    /// <summary>σ = e^{log σ} (computed once, when the policy is made).</summary>
    public double Std { get; } = Math.Exp(LogStd);

    /// <summary>H = log σ + ½ log(2πe) (<see cref="DiagGaussian.Entropy"/> in one dimension).</summary>
    public double Entropy => DiagGaussian.Entropy([LogStd]);

    /// <summary>log N(a; μ, σ²) (<see cref="DiagGaussian.LogProb"/> in one dimension).</summary>
    public double LogProb(double action) => DiagGaussian.LogProb([action], [Mean], [LogStd]);
}

/// <summary>An action as the policy sampled it: the raw a ~ π_θ(·|s) (the world receives it clamped) and log π_θ(a|s).</summary>
public readonly record struct SampledAction(double Value, double LogProb);

/// <summary>What PPO threads from one iteration to the next: the model, the world's current state (episodes run on across
/// rollouts), the return and length of the episode in progress, and the key.</summary>
public sealed record PpoRunner<TState>(PpoModel Model, TState State, double EpisodeReturn, int EpisodeSteps, Key Key);

/// <summary>
/// T steps of experience under π_θold: for each step t the observation o(s_t), the observation o(s′_t) of the state it
/// arrived in, the raw sampled action a_t, the reward r_t, the discount d_t (0 only at a true terminal), whether it was the
/// last step of its episode, and log π_θold(a_t|s_t); and the returns and lengths of the episodes that ended inside it.
/// </summary>
public sealed record Rollout(
    Mat Observations,
    Mat NextObservations,
    ImmutableArray<double> Actions,
    ImmutableArray<double> Rewards,
    ImmutableArray<double> Discounts,
    ImmutableArray<bool> Lasts,
    ImmutableArray<double> LogProbs,
    ImmutableArray<double> EpisodeReturns,
    ImmutableArray<int> EpisodeLengths)
{
    /// <summary>T.</summary>
    public int Length => Rewards.Length;
}

/// <summary>
/// What the PPO loss reads, one row per sample: o(s_b), the raw action a_b, log π_θold(a_b|s_b), the normalised advantage
/// Â_b and the return R_b the critic regresses on.
/// </summary>
public sealed record PpoBatch(Mat Observations, ImmutableArray<double> Actions, ImmutableArray<double> LogProbsOld,
                              ImmutableArray<double> Advantages, ImmutableArray<double> Returns)
{
    /// <summary>B.</summary>
    public int Size => Actions.Length;

    /// <summary>The <paramref name="count"/> rows <paramref name="order"/>[start …] (a shuffled mini-batch), or rows
    /// start … start + count − 1 in order when <paramref name="order"/> is empty.</summary>
    public PpoBatch Rows(ReadOnlySpan<int> order, int start, int count)
    {
        if (order.IsEmpty && start == 0 && count == Size) return this;
        var width = Observations.Cols;
        var observations = new double[count * width];
        double[] actions = new double[count], logProbs = new double[count], advantages = new double[count], returns = new double[count];
        for (var i = 0; i < count; i++)
        {
            var row = order.IsEmpty ? start + i : order[start + i];
            Observations.Row(row).CopyTo(observations.AsSpan(i * width, width));
            (actions[i], logProbs[i], advantages[i], returns[i]) = (Actions[row], LogProbsOld[row], Advantages[row], Returns[row]);
        }
        return new PpoBatch(Mat.Own(count, width, observations), actions.Freeze(), logProbs.Freeze(), advantages.Freeze(), returns.Freeze());
    }
}

/// <summary>
/// The named terms of the PPO loss on a batch (means over its B samples): the clipped surrogate L^CLIP, the entropy S,
/// the policy loss −L^CLIP − c_H·S the actor minimises, the value loss L^V the critic minimises, and diagnostics: the
/// mean ratio ρ, the fraction of samples whose gradient the clip stopped, and the mean σ.
/// </summary>
public sealed record PpoLossTerms(double ClippedSurrogate, double Entropy, double PolicyLoss, double ValueLoss,
                                  double MeanRatio, double ClipFraction, double MeanStd)
{
    /// <summary>L = L^π + L^V: with separate actor and critic each network's gradient comes from its own part.</summary>
    public double Total => PolicyLoss + ValueLoss;
}

/// <summary>∂L/∂θ (actor) and ∂L/∂φ (critic) on a batch, and the loss terms computed on the way.</summary>
public sealed record PpoGradients(Params Theta, Params Phi, PpoLossTerms Terms);

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
/// continuous action and a separate critic. One iteration: <see cref="Collect{TState}"/> T steps,
/// <see cref="Advantages"/> by GAE, then <see cref="Update"/>: K epochs of Adam on <see cref="Loss"/>.
/// </summary>
public static partial class Ppo
{
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
    public static GaussianPolicy Policy(PpoConfig config, PpoModel model, ReadOnlySpan<double> observation)
    {
        Span<double> output = stackalloc double[2];
        model.Actor.PredictRow(model.Theta, observation, output);
        return PolicyFromOutput(config, output);
    }

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

    /// <summary>
    /// One sample's part of L^CLIP: ρ = exp(log π_θ(a|s) − log π_θold(a|s)), the objective min(ρ·Â, clip(ρ, 1−ε, 1+ε)·Â),
    /// and whether the clipped term is the smaller one (then the objective is constant in θ).
    /// </summary>
    public static ClippedObjective Clip(PpoConfig config, GaussianPolicy policy, double action, double logProbOld, double advantage)
    {
        var ratio = Math.Exp(policy.LogProb(action) - logProbOld);
        var unclipped = ratio * advantage;
        var clipped = Math.Clamp(ratio, 1.0 - config.ClipEpsilon, 1.0 + config.ClipEpsilon) * advantage;
        return new ClippedObjective(ratio, Math.Min(unclipped, clipped), clipped < unclipped);
    }

    /// <summary>
    /// L^CLIP(θ) = (1/B) Σ_b min(ρ_b·Â_b, clip(ρ_b, 1−ε, 1+ε)·Â_b),   ρ_b = π_θ(a_b|s_b) / π_θold(a_b|s_b);
    /// S(θ) = (1/B) Σ_b H[π_θ(·|s_b)];   L^V(φ) = (1/B) Σ_b (V_φ(s_b) − R_b)²;
    /// L(θ, φ) = −L^CLIP(θ) − c_H·S(θ) + L^V(φ)   (the paper's L^{CLIP+VF+S}, eq. 9, negated to be minimised).
    /// </summary>
    /// <remarks>Actor and critic are separate networks, so the value coefficient only scales the critic's own gradient
    /// (Adam undoes a constant scale) and is 1. The gradient is in <see cref="Backward"/> (Ppo.Backward.cs).</remarks>
    public static PpoLossTerms Loss(PpoConfig config, PpoModel model, PpoBatch batch) =>
        Terms(config, model.Actor.Predict(model.Theta, batch.Observations), model.Critic.Predict(model.Phi, batch.Observations), batch);

    /// <summary>The terms of <see cref="Loss"/> from the networks' outputs on the batch (rows (μ, raw log σ) and V).</summary>
    private static PpoLossTerms Terms(PpoConfig config, Mat actorOutput, Mat values, PpoBatch batch)
    {
        var sums = new TermSums();
        for (var i = 0; i < batch.Size; i++)
        {
            var policy = PolicyFromOutput(config, actorOutput.Row(i));
            sums.Add(policy, Clip(config, policy, batch.Actions[i], batch.LogProbsOld[i], batch.Advantages[i]), values[i, 0] - batch.Returns[i]);
        }
        return sums.Mean(config, batch.Size);
    }

    /// <summary>Σ_b of each term of the loss, added sample by sample (by <see cref="Terms"/> and by <see cref="Backward"/>).</summary>
    private struct TermSums
    {
        private double surrogate, entropy, ratio, std, squaredErrors;
        private int clipped;

        public void Add(GaussianPolicy policy, ClippedObjective objective, double valueError)
        {
            surrogate += objective.Value;
            entropy += policy.Entropy;
            ratio += objective.Ratio;
            std += policy.Std;
            if (objective.ClipActive) clipped++;
            squaredErrors += valueError * valueError;
        }

        /// <summary>The means over B samples: L^CLIP, S, −L^CLIP − c_H·S, L^V and the diagnostics.</summary>
        public readonly PpoLossTerms Mean(PpoConfig config, int b) =>
            new(surrogate / b, entropy / b, -surrogate / b - config.EntropyCoefficient * entropy / b, squaredErrors / b,
                ratio / b, (double)clipped / b, std / b);
    }

    /// <summary>
    /// a_t ~ π_θ(·|s_t) for t = 0 … T−1 through <see cref="Episodes.Unroll{TState,TAction,TAgent}"/>: sample the raw a_t,
    /// keep log π_θold(a_t|s_t), step the world with clamp(a_t, low, high); when an episode ends, record its
    /// return and reset the world. Returns the rollout and the runner positioned after it.
    /// </summary>
    public static (Rollout Rollout, PpoRunner<TState> Runner) Collect<TState>(PpoConfig config, IWorld<TState, double> world,
        ObservationWriter<TState> observe, PpoRunner<TState> runner)
    {
        var (model, state, episodeReturn, episodeSteps, key) = runner;
        var clamped = new ClampedActions<TState>(world, config.ActionLow, config.ActionHigh);
        var steps = ImmutableArray.CreateBuilder<Transition<TState, SampledAction>>(config.RolloutSteps);
        var returns = ImmutableArray.CreateBuilder<double>();
        var lengths = ImmutableArray.CreateBuilder<int>();
        while (steps.Count < config.RolloutSteps)
        {
            var unrolled = Episodes.Unroll(clamped, model, state, key, config.RolloutSteps - steps.Count,
                (m, s, k) => new Decision<SampledAction, PpoModel>(Sample(config, m, observe, s, k), m), (m, _) => m);
            steps.AddRange(unrolled.Trajectory.Steps);
            episodeReturn += unrolled.Trajectory.TotalReward;
            episodeSteps += unrolled.Trajectory.Length;
            (state, key) = (unrolled.State, unrolled.Key);
            if (!unrolled.EpisodeEnded) continue;
            returns.Add(episodeReturn);
            lengths.Add(episodeSteps);
            (episodeReturn, episodeSteps) = (0.0, 0);
            var (resetKey, next) = key.Split();
            (state, key) = (world.Reset(resetKey).Value, next);
        }
        var rollout = Pack(observe, width: model.Actor.In, steps.MoveToImmutable(), returns.ToImmutable(), lengths.ToImmutable());
        return (rollout, new PpoRunner<TState>(model, state, episodeReturn, episodeSteps, key));
    }

    /// <summary>a ~ N(μ_θ(s), σ_θ(s)²), the raw sample (the world clamps it), with log π_θ(a|s).</summary>
    private static SampledAction Sample<TState>(PpoConfig config, PpoModel model, ObservationWriter<TState> observe, TState state, Key key)
    {
        var policy = Policy(config, model, observe, state);
        var a = key.NextGaussian(policy.Mean, policy.Std).Value;
        return new SampledAction(a, policy.LogProb(a));
    }

    /// <summary>The rollout's matrices and columns from its transitions.</summary>
    private static Rollout Pack<TState>(ObservationWriter<TState> observe, int width,
        ImmutableArray<Transition<TState, SampledAction>> steps, ImmutableArray<double> returns, ImmutableArray<int> lengths)
    {
        var n = steps.Length;
        var observations = new double[n * width];
        var nexts = new double[n * width];
        double[] actions = new double[n], logProbs = new double[n], rewards = new double[n], discounts = new double[n];
        var lasts = new bool[n];
        for (var t = 0; t < n; t++)
        {
            var step = steps[t];
            observe(step.State, observations.AsSpan(t * width, width));
            observe(step.Next, nexts.AsSpan(t * width, width));
            (actions[t], logProbs[t], rewards[t], discounts[t], lasts[t]) = (step.Action.Value, step.Action.LogProb, step.Reward, step.Discount, step.Last);
        }
        return new Rollout(Mat.Own(n, width, observations), Mat.Own(n, width, nexts), actions.Freeze(), rewards.Freeze(), discounts.Freeze(),
                           lasts.Freeze(), logProbs.Freeze(), returns, lengths);
    }

    /// <summary>
    /// V_φ(s_t) in one batch, and V_φ(s′_t) = V_φ(s_{t+1}) inside an episode (the critic sees s′_t itself only where an
    /// episode ended or the rollout stops); A_t by <see cref="Gae.Advantages(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{bool}, double, double)"/>
    /// (the carry cut at every episode end, the bootstrap kept through time limits unless
    /// <see cref="PpoConfig.BootstrapTimeLimits"/> is off); R_t = A_t + V_φ(s_t); Â = normalised A.
    /// </summary>
    public static PpoBatch Advantages(PpoConfig config, PpoModel model, Rollout rollout)
    {
        var (values, nextValues, discounts, advantages) = RawAdvantages(config, model, rollout);
        var returns = new double[rollout.Length];
        for (var t = 0; t < returns.Length; t++) returns[t] = advantages[t] + values[t];
        return new PpoBatch(rollout.Observations, rollout.Actions, rollout.LogProbs, Gae.Normalize(advantages.AsSpan()), returns.Freeze());
    }

    /// <summary>V_φ(s_t), V_φ(s′_t), the discounts GAE uses and the advantages A_t before normalising.</summary>
    private static (double[] Values, double[] NextValues, ImmutableArray<double> Discounts, ImmutableArray<double> Advantages) RawAdvantages(
        PpoConfig config, PpoModel model, Rollout rollout)
    {
        var values = model.Critic.Predict(model.Phi, rollout.Observations).Span.ToArray();
        var nextValues = NextValues(model, rollout, values);
        var discounts = config.BootstrapTimeLimits ? rollout.Discounts : CutOffsAsTerminal(rollout);
        var advantages = Gae.Advantages(rollout.Rewards.AsSpan(), values, nextValues, discounts.AsSpan(), rollout.Lasts.AsSpan(),
                                        config.Gamma, config.Lambda);
        return (values, nextValues, discounts, advantages);
    }

    /// <summary>
    /// Every sample of an update with its terms named, in rollout order: step t's GAE step under the model that collected
    /// the rollout, δ_t = r_t + γ d_t V(s′_t) − V(s_t) and A_t = δ_t + γ λ (1 − last_t) A_{t+1}, its normalised advantage
    /// Â_t, and the clipped objective of the updated policy, ρ_t = π_new(a_t|s_t)/π_old(a_t|s_t) and
    /// min(ρ_t Â_t, clip(ρ_t, 1−ε, 1+ε) Â_t) (<see cref="Clip"/>).
    /// </summary>
    public static ImmutableArray<PpoSampleTerms> ExplainSamples(PpoConfig config, PpoModel old, PpoModel updated, Rollout rollout)
    {
        var (values, nextValues, discounts, advantages) = RawAdvantages(config, old, rollout);
        var normalized = Gae.Normalize(advantages.AsSpan());
        var terms = ImmutableArray.CreateBuilder<PpoSampleTerms>(rollout.Length);
        for (var t = 0; t < rollout.Length; t++)
        {
            var carry = t + 1 < rollout.Length ? advantages[t + 1] : 0.0;
            var tdError = rollout.Rewards[t] + config.Gamma * discounts[t] * nextValues[t] - values[t];
            var policy = Policy(config, updated, rollout.Observations.Row(t));
            terms.Add(new PpoSampleTerms(t, rollout.Rewards[t], discounts[t], values[t], nextValues[t], tdError, rollout.Lasts[t], carry,
                advantages[t], normalized[t], rollout.Actions[t], rollout.LogProbs[t], policy.LogProb(rollout.Actions[t]),
                Clip(config, policy, rollout.Actions[t], rollout.LogProbs[t], normalized[t])));
        }
        return terms.MoveToImmutable();
    }

    /// <summary>d_t = 0 at every last step, terminal or cut off (<see cref="PpoConfig.BootstrapTimeLimits"/> = false).</summary>
    private static ImmutableArray<double> CutOffsAsTerminal(Rollout rollout)
    {
        var discounts = rollout.Discounts.ToArray();
        for (var t = 0; t < discounts.Length; t++)
            if (rollout.Lasts[t]) discounts[t] = 0.0;
        return discounts.Freeze();
    }

    /// <summary>V_φ(s′_t) for every step: V_φ(s_{t+1}) where step t + 1 continues step t's episode, otherwise the critic on
    /// o(s′_t) (the few rows where an episode ended or the rollout stops, in one batch).</summary>
    private static double[] NextValues(PpoModel model, Rollout rollout, ReadOnlySpan<double> values)
    {
        var n = rollout.Length;
        var next = new double[n];
        var ends = new List<int>();
        for (var t = 0; t < n; t++)
        {
            if (rollout.Lasts[t] || t == n - 1) ends.Add(t);
            else next[t] = values[t + 1];
        }
        var width = rollout.NextObservations.Cols;
        var rows = new double[ends.Count * width];
        for (var i = 0; i < ends.Count; i++) rollout.NextObservations.Row(ends[i]).CopyTo(rows.AsSpan(i * width, width));
        var endValues = model.Critic.Predict(model.Phi, Mat.Own(ends.Count, width, rows));
        for (var i = 0; i < ends.Count; i++) next[ends[i]] = endValues[i, 0];
        return next;
    }

    /// <summary>
    /// K epochs over the batch, each in mini-batches (the whole batch by default, shuffled with the key otherwise):
    /// θ ← Adam(θ, ∂L/∂θ), φ ← Adam(φ, ∂L/∂φ) with L = <see cref="Loss"/>. Returns the model (iteration count + 1) and
    /// the loss terms averaged over the gradient steps.
    /// </summary>
    public static (PpoModel Model, PpoLossTerms Stats) Update(PpoConfig config, PpoModel model, PpoBatch batch, Key key)
    {
        var n = batch.Size;
        var batchSize = Math.Min(config.MiniBatchSize, n);
        double surrogate = 0, entropy = 0, policyLoss = 0, valueLoss = 0, ratio = 0, clipFraction = 0, std = 0;
        var steps = 0;
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
                var gradients = Backward(config, model, batch.Rows(order, start, batchSize));
                var (theta, actorAdam) = Adam.Step(model.Theta, gradients.Theta, model.ActorAdam, new AdamHyper(config.ActorLearningRate));
                var (phi, criticAdam) = Adam.Step(model.Phi, gradients.Phi, model.CriticAdam, new AdamHyper(config.CriticLearningRate));
                model = model with { Theta = theta, Phi = phi, ActorAdam = actorAdam, CriticAdam = criticAdam };
                var t = gradients.Terms;
                (surrogate, entropy, policyLoss, valueLoss) = (surrogate + t.ClippedSurrogate, entropy + t.Entropy, policyLoss + t.PolicyLoss, valueLoss + t.ValueLoss);
                (ratio, clipFraction, std) = (ratio + t.MeanRatio, clipFraction + t.ClipFraction, std + t.MeanStd);
                steps++;
            }
        }
        var stats = new PpoLossTerms(surrogate / steps, entropy / steps, policyLoss / steps, valueLoss / steps,
                                     ratio / steps, clipFraction / steps, std / steps);
        return (model with { Iterations = model.Iterations + 1 }, stats);
    }

    /// <summary>
    /// One PPO iteration: <see cref="Collect{TState}"/> T steps under π_θold → <see cref="Advantages"/> (GAE) →
    /// <see cref="Update"/>. Reports the episodes that ended in the rollout, the update's mean loss terms, and a divergence
    /// if a loss or a parameter stopped being finite.
    /// </summary>
    public static PpoIteration<TState> Iterate<TState>(PpoConfig config, IWorld<TState, double> world,
        ObservationWriter<TState> observe, PpoRunner<TState> runner)
    {
        var (rollout, next) = Collect(config, world, observe, runner);
        var batch = Advantages(config, runner.Model, rollout);
        var (updateKey, key) = next.Key.Split();
        var (model, stats) = Update(config, runner.Model, batch, updateKey);

        var returnSum = 0.0;
        foreach (var g in rollout.EpisodeReturns) returnSum += g;
        var iteration = runner.Model.Iterations;
        var log = new PpoIterationLog(iteration,
            rollout.EpisodeReturns.IsEmpty ? double.NaN : returnSum / rollout.EpisodeReturns.Length, rollout.EpisodeReturns.Length,
            stats.MeanStd, stats.Entropy, stats.ValueLoss, stats.PolicyLoss, stats.ClipFraction);

        Divergence? diverged = null;
        if (!double.IsFinite(log.ValueLoss) || !double.IsFinite(log.PolicyLoss))
            diverged = new Divergence($"PPO diverged: the {(double.IsFinite(log.ValueLoss) ? "policy" : "value")} loss became NaN or infinite in iteration {iteration}");
        else if (!Finite.All(model.Theta) || !Finite.All(model.Phi))
            diverged = new Divergence($"PPO diverged: a network parameter became NaN or infinite in iteration {iteration}");
        return new PpoIteration<TState>(next with { Model = model, Key = key }, log, diverged);
    }

    /// <summary>The world as the policy sees it: it samples an unbounded a and the world receives clamp(a, low, high); the
    /// transition keeps the raw a, whose log-probability the ratio needs.</summary>
    private sealed record ClampedActions<TState>(IWorld<TState, double> World, double Low, double High) : IWorld<TState, SampledAction>
    {
        public Draw<TState> Reset(Key key) => World.Reset(key);
        public StepResult<TState> Step(TState state, SampledAction action, Key key) => World.Step(state, Math.Clamp(action.Value, Low, High), key);
    }
}

/// <summary>One sample's clipped objective: the ratio ρ, min(ρ·Â, clip(ρ, 1−ε, 1+ε)·Â), and whether the clip holds.</summary>
public readonly record struct ClippedObjective(double Ratio, double Value, bool ClipActive);

/// <summary>The terms of one PPO sample (<see cref="Ppo.ExplainSamples"/>): the GAE step of step <see cref="Step"/>
/// (reward, discount, V(s), V(s′), δ, whether the step was its episode's last, A_{t+1}, A_t), the normalised Â_t, the
/// action, the log-probabilities under the old and the updated policy, and the clipped objective.</summary>
public sealed record PpoSampleTerms(int Step, double Reward, double Discount, double Value, double NextValue, double TdError, bool Last,
    double NextAdvantage, double Advantage, double NormalizedAdvantage, double Action, double LogProbOld, double LogProbNew,
    ClippedObjective Objective);
