using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Mdp;

namespace Policywerk.Pure.Agents;

/// <summary>
/// The hyperparameters of the Dreamer agent (Hafner et al. 2023, DreamerV3, in small); the defaults are lesson 07's, for the
/// 16 × 16 pixel point mass.
/// </summary>
/// <param name="Deter">Size of the deterministic GRU state h.</param>
/// <param name="Stoch">Size of the stochastic latent z (a diagonal Gaussian).</param>
/// <param name="FeaturePoints">K, channels of the encoder's spatial soft-argmax (each gives one (x̄, ȳ) point).</param>
/// <param name="DecoderBlobs">K, Gaussian blobs of the keypoint decoder (<see cref="KeypointDecoder"/>).</param>
/// <param name="BlobWidth">σ of the decoder's blobs in grid coordinates (one pixel is 2/15 ≈ 0.133).</param>
/// <param name="Embed">Size of the encoder's embedding e = enc(o).</param>
/// <param name="Hidden">Width of the hidden layer of every small MLP (encoder, heads, actor, critic).</param>
/// <param name="BatchSize">B, replayed sequences per update.</param>
/// <param name="ChunkLength">T, steps per replayed sequence (BPTT length).</param>
/// <param name="ImaginationStarts">N, posterior states imagination starts from (a random subset of the B·T).</param>
/// <param name="Horizon">Imagination horizon (steps of open-loop prediction with the prior).</param>
/// <param name="Gamma">Discount γ of the imagined returns.</param>
/// <param name="Lambda">λ of the λ-returns.</param>
/// <param name="WorldLearningRate">Adam learning rate η of the world model (held until the anneal starts).</param>
/// <param name="WorldLearningRateEnd">η_end, the world model's learning rate at the end of the run (see <see cref="WorldLearningRateAt"/>).</param>
/// <param name="WorldAnnealFrom">f ∈ [0, 1]: the fraction of the run's world-model updates after which η anneals to η_end.</param>
/// <param name="ActorLearningRate">Adam learning rate of the actor.</param>
/// <param name="CriticLearningRate">Adam learning rate of the critic.</param>
/// <param name="GradClip">Global-norm gradient clip for every optimizer.</param>
/// <param name="RewardWeight">β_r, weight of the reward head's symlog squared error (see the remarks).</param>
/// <param name="FreeBits">Free bits F (nats): the KL terms are max(F, KL).</param>
/// <param name="DynamicsWeight">β_dyn, weight of KL(sg(q) ‖ p): trains the prior toward the posterior.</param>
/// <param name="RepresentationWeight">β_rep, weight of KL(q ‖ sg(p)): keeps the posterior predictable.</param>
/// <param name="MinLatentStd">σ_min of the latent: σ = softplus(raw) + σ_min.</param>
/// <param name="MinActionStd">σ_min of the actor's Gaussian (before tanh).</param>
/// <param name="MaxActionStd">σ_max of the actor's Gaussian: σ = (σ_max − σ_min)·sigmoid(raw + 2) + σ_min.</param>
/// <param name="EntropyWeight">η, weight of the actor's entropy bonus.</param>
/// <param name="ActionMeanPenalty">ζ, weight of a penalty on the pre-tanh action mean ‖μ_π‖²: keeps the actor out of
/// tanh's flat tails, where dynamics backprop gives it no gradient to turn (a run can otherwise lock into pushing
/// toward one wall). With ζ = 0.03 the equilibrium |μ| is ≈ 1.4 where the return gradient is ≈ 0.3 per step, so the greedy force still reaches ≈ tanh(1.4) ≈ 0.9.</param>
/// <param name="ReturnScaleDecay">Decay of the EMA of the 5th–95th percentile range of the returns (DreamerV3 scaling).</param>
/// <param name="SlowCriticRate">τ of the slow critic's Polyak update, once per update.</param>
/// <param name="PrefillSteps">Real steps with the random policy before the first update.</param>
/// <param name="WarmupUpdates">World-model-only updates on the prefilled replay before the first iteration.</param>
/// <param name="Iterations">Training iterations (each collects, then updates).</param>
/// <param name="StepsPerIteration">Real steps collected with the actor per iteration.</param>
/// <param name="UpdatesPerIteration">Gradient updates (world model, then actor and critic) per iteration.</param>
/// <param name="ReplayCapacity">Steps the replay holds.</param>
/// <param name="ActionRepeat">R, physics steps each action is held for (the world applies it; lesson 07's point mass
/// does): at the point mass's top speed, 0.36 pixel per physics step, R = 3 moves the dot about one pixel per decision.
/// Every "step" above (prefill, real steps, chunk, horizon) is a decision, R physics steps.</param>
public sealed record DreamerConfig(
    int Deter = 32,
    int Stoch = 8,
    int FeaturePoints = 4,
    int DecoderBlobs = 2,
    double BlobWidth = 0.133,
    int Embed = 32,
    int Hidden = 64,
    int BatchSize = 20,
    int ChunkLength = 16,
    int ImaginationStarts = 8,
    int Horizon = 30,
    double Gamma = 0.95,
    double Lambda = 0.95,
    double WorldLearningRate = 2e-3,
    double WorldLearningRateEnd = 1e-4,
    double WorldAnnealFrom = 0.8,
    double ActorLearningRate = 2e-3,
    double CriticLearningRate = 2e-3,
    double GradClip = 100.0,
    double RewardWeight = 10.0,
    double FreeBits = 1.0,
    double DynamicsWeight = 0.5,
    double RepresentationWeight = 0.1,
    double MinLatentStd = 0.1,
    double MinActionStd = 0.1,
    double MaxActionStd = 0.5,
    double EntropyWeight = 3e-3,
    double ActionMeanPenalty = 0.03,
    double ReturnScaleDecay = 0.95,
    double SlowCriticRate = 0.02,
    int PrefillSteps = 3000,
    int WarmupUpdates = 100,
    int Iterations = 70,
    int StepsPerIteration = 50,
    int UpdatesPerIteration = 8,
    int ReplayCapacity = 20000,
    int ActionRepeat = 3)
{
    /// <summary>The size of the model state s = [h, z] the heads, actor and critic read.</summary>
    public int StateSize => Deter + Stoch;

    /// <summary>Gradient updates in a whole run.</summary>
    public int TotalUpdates => Iterations * UpdatesPerIteration;

    /// <summary>World-model updates in a whole run: N = warm-up + iterations × updates per iteration.</summary>
    public int WorldUpdates => WarmupUpdates + TotalUpdates;

    /// <summary>
    /// η(t) = η for t ≤ t₀ = f·N;  otherwise η(t) = η_end + (η − η_end)·½(1 + cos(π·(t − t₀)/(N − t₀))) for t &lt; N, and η_end
    /// for t ≥ N — the world model's learning rate at its t-th update (t = 0 the first; Adam's step count before it),
    /// N = <see cref="WorldUpdates"/>. The run's last update, t = N − 1, is a hair above η_end (1.003e-4 by default).
    /// </summary>
    /// <remarks>
    /// Why: at a constant η the weights keep jittering by about a step's size, and the one-step forecast pays for it on
    /// every frame (the dots land a fraction of a pixel off); annealing over the last part of the run lets them settle
    /// while the first 80% learn at full speed. It is a cosine (Loshchilov and Hutter 2017) only over that last part.
    /// </remarks>
    public double WorldLearningRateAt(int t)
    {
        if (!(WorldAnnealFrom >= 0.0 && WorldAnnealFrom <= 1.0))
            throw new ArgumentOutOfRangeException(nameof(WorldAnnealFrom), WorldAnnealFrom, "the anneal's start must be a fraction of the run in [0, 1]");
        if (!(WorldLearningRateEnd > 0.0 && WorldLearningRateEnd <= WorldLearningRate))
            throw new ArgumentOutOfRangeException(nameof(WorldLearningRateEnd), WorldLearningRateEnd, "the annealed learning rate must be positive and at most the starting one");
        var n = WorldUpdates;
        var t0 = WorldAnnealFrom * n;
        if (t <= t0) return WorldLearningRate;
        if (t >= n) return WorldLearningRateEnd;
        var x = (t - t0) / (n - t0);
        return WorldLearningRateEnd + (WorldLearningRate - WorldLearningRateEnd) * 0.5 * (1.0 + Math.Cos(Math.PI * x));
    }

    /// <summary>Every field a learner may set, by its short name.</summary>
    public static readonly IReadOnlyList<Knob<DreamerConfig>> Knobs =
    [
        new("deter", "h", "size of the deterministic GRU state", 1, 1024, true, nameof(Deter), c => c.Deter, (c, v) => c with { Deter = (int)v }),
        new("stoch", "z", "size of the stochastic latent", 1, 256, true, nameof(Stoch), c => c.Stoch, (c, v) => c with { Stoch = (int)v }),
        new("feature_points", "K", "feature points of the encoder's spatial soft-argmax", 1, 64, true, nameof(FeaturePoints), c => c.FeaturePoints, (c, v) => c with { FeaturePoints = (int)v }),
        new("blobs", "K_dec", "Gaussian blobs of the keypoint decoder", 1, 16, true, nameof(DecoderBlobs), c => c.DecoderBlobs, (c, v) => c with { DecoderBlobs = (int)v }),
        new("blob_width", "σ_blob", "width of the decoder's blobs in grid coordinates", 0.01, 2.0, false, nameof(BlobWidth), c => c.BlobWidth, (c, v) => c with { BlobWidth = v }),
        new("embed", "e", "size of the encoder's embedding", 1, 1024, true, nameof(Embed), c => c.Embed, (c, v) => c with { Embed = (int)v }),
        new("hidden", "hidden units", "width of every small MLP's hidden layer", 1, 1024, true, nameof(Hidden), c => c.Hidden, (c, v) => c with { Hidden = (int)v }),
        new("batch", "B", "replayed sequences per update", 1, 256, true, nameof(BatchSize), c => c.BatchSize, (c, v) => c with { BatchSize = (int)v }),
        new("chunk", "T", "steps per replayed sequence", 1, 1000, true, nameof(ChunkLength), c => c.ChunkLength, (c, v) => c with { ChunkLength = (int)v }),
        new("starts", "N", "posterior states imagination starts from", 1, 4096, true, nameof(ImaginationStarts), c => c.ImaginationStarts, (c, v) => c with { ImaginationStarts = (int)v }),
        new("horizon", "H", "imagination horizon", 1, 1000, true, nameof(Horizon), c => c.Horizon, (c, v) => c with { Horizon = (int)v }),
        new("gamma", "γ", "discount of the imagined returns", 0.0, 1.0, false, nameof(Gamma), c => c.Gamma, (c, v) => c with { Gamma = v }),
        new("lambda", "λ", "λ of the λ-returns", 0.0, 1.0, false, nameof(Lambda), c => c.Lambda, (c, v) => c with { Lambda = v }),
        new("world_lr", "η", "the world model's Adam step size before its anneal", 1e-07, 1.0, false, nameof(WorldLearningRate), c => c.WorldLearningRate, (c, v) => c with { WorldLearningRate = v }),
        new("world_lr_end", "η_end", "the world model's step size at the end of the run", 1e-07, 1.0, false, nameof(WorldLearningRateEnd), c => c.WorldLearningRateEnd, (c, v) => c with { WorldLearningRateEnd = v }),
        new("anneal_from", "f", "fraction of the world model's updates after which η anneals", 0.0, 1.0, false, nameof(WorldAnnealFrom), c => c.WorldAnnealFrom, (c, v) => c with { WorldAnnealFrom = v }),
        new("actor_lr", "α_π", "the actor's Adam step size", 1e-07, 1.0, false, nameof(ActorLearningRate), c => c.ActorLearningRate, (c, v) => c with { ActorLearningRate = v }),
        new("critic_lr", "α_v", "the critic's Adam step size", 1e-07, 1.0, false, nameof(CriticLearningRate), c => c.CriticLearningRate, (c, v) => c with { CriticLearningRate = v }),
        new("clip", "clip", "global-norm gradient clip of every optimizer", 1e-06, 1000000.0, false, nameof(GradClip), c => c.GradClip, (c, v) => c with { GradClip = v }),
        new("reward_weight", "β_r", "weight of the reward head's loss", 0.0, 1000.0, false, nameof(RewardWeight), c => c.RewardWeight, (c, v) => c with { RewardWeight = v }),
        new("free_nats", "F", "free bits: KL below this gives no gradient", 0.0, 100.0, false, nameof(FreeBits), c => c.FreeBits, (c, v) => c with { FreeBits = v }),
        new("dyn_weight", "β_dyn", "weight of KL(sg(q) ‖ p)", 0.0, 100.0, false, nameof(DynamicsWeight), c => c.DynamicsWeight, (c, v) => c with { DynamicsWeight = v }),
        new("rep_weight", "β_rep", "weight of KL(q ‖ sg(p))", 0.0, 100.0, false, nameof(RepresentationWeight), c => c.RepresentationWeight, (c, v) => c with { RepresentationWeight = v }),
        new("min_latent_std", "σ_min", "the latent's smallest σ", 1e-06, 10.0, false, nameof(MinLatentStd), c => c.MinLatentStd, (c, v) => c with { MinLatentStd = v }),
        new("min_action_std", "σ_π,min", "the actor's smallest σ", 1e-06, 10.0, false, nameof(MinActionStd), c => c.MinActionStd, (c, v) => c with { MinActionStd = v }),
        new("max_action_std", "σ_π,max", "the actor's largest σ", 1e-06, 10.0, false, nameof(MaxActionStd), c => c.MaxActionStd, (c, v) => c with { MaxActionStd = v }),
        new("entropy", "η_H", "weight of the actor's entropy bonus", 0.0, 10.0, false, nameof(EntropyWeight), c => c.EntropyWeight, (c, v) => c with { EntropyWeight = v }),
        new("mean_penalty", "ζ", "weight of the penalty on the actor's pre-tanh mean", 0.0, 10.0, false, nameof(ActionMeanPenalty), c => c.ActionMeanPenalty, (c, v) => c with { ActionMeanPenalty = v }),
        new("return_decay", "d", "decay of the return scale's moving average", 0.0, 1.0, false, nameof(ReturnScaleDecay), c => c.ReturnScaleDecay, (c, v) => c with { ReturnScaleDecay = v }),
        new("slow_critic", "τ", "rate of the slow critic's Polyak update", 0.0, 1.0, false, nameof(SlowCriticRate), c => c.SlowCriticRate, (c, v) => c with { SlowCriticRate = v }),
        new("prefill", "prefill", "random-policy steps before the first update", 1, 1000000, true, nameof(PrefillSteps), c => c.PrefillSteps, (c, v) => c with { PrefillSteps = (int)v }),
        new("warmup", "warm-up", "world-model-only updates before the first iteration", 0, 100000, true, nameof(WarmupUpdates), c => c.WarmupUpdates, (c, v) => c with { WarmupUpdates = (int)v }),
        new("iterations", "iterations", "training iterations", 0, 100000, true, nameof(Iterations), c => c.Iterations, (c, v) => c with { Iterations = (int)v }),
        new("steps", "steps", "real steps collected per iteration", 0, 100000, true, nameof(StepsPerIteration), c => c.StepsPerIteration, (c, v) => c with { StepsPerIteration = (int)v }),
        new("updates", "updates", "updates per iteration", 0, 10000, true, nameof(UpdatesPerIteration), c => c.UpdatesPerIteration, (c, v) => c with { UpdatesPerIteration = (int)v }),
        new("replay", "replay", "steps the replay keeps", 1, 10000000, true, nameof(ReplayCapacity), c => c.ReplayCapacity, (c, v) => c with { ReplayCapacity = (int)v }),
        new("action_repeat", "R", "physics steps each action is held for", 1, 100, true, nameof(ActionRepeat), c => c.ActionRepeat, (c, v) => c with { ActionRepeat = (int)v }),
    ];

    /// <summary>Why this configuration cannot run (one line), or null.</summary>
    public string? Conflict() =>
        WorldLearningRateEnd > WorldLearningRate ? $"world_lr_end ({WorldLearningRateEnd}) must not exceed world_lr ({WorldLearningRate})"
        : MinActionStd >= MaxActionStd ? $"min_action_std ({MinActionStd}) must be below max_action_std ({MaxActionStd})"
        : ReplayCapacity < PrefillSteps ? $"replay ({ReplayCapacity}) must hold the prefill ({PrefillSteps})"
        : null;

    /// <summary>Real steps in a whole run (prefill included).</summary>
    public int TotalRealSteps => PrefillSteps + Iterations * StepsPerIteration;
}

/// <summary>
/// The networks of the agent for a world's frames and actions (architecture only; parameters live in
/// <see cref="WorldParams"/> and <see cref="DreamerModel"/>):
/// <code>
///   e_t = enc(o_t)                              Side² pixels → spatial soft-argmax (K points) → Hidden → Embed (tanh)
///   h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}])      deterministic state
///   p(z_t | h_t)      = N(μ, σ²) from prior(h_t)           Deter → Hidden → 2·Stoch
///   q(z_t | h_t, e_t) = N(μ, σ²) from post([h_t, e_t])     Deter+Embed → Hidden → 2·Stoch
///   ô_t = dec(s_t) → keypoint decoder,  r̂_t = symexp(rew(s_t)),  ĉ_t = σ(cont(s_t)),  s_t = [h_t, z_t]
///   π(a | s) = tanh N(μ, σ²) from actor(s),  v(s) = symexp(critic(s))
/// </code>
/// </summary>
/// <remarks><see cref="DreamerNets.ActionSize"/> is the world's number of action components; the actor outputs μ and ρ for each.</remarks>
public sealed record DreamerNets(SpatialSoftArgmax Points, Mlp Encoder, Gru Gru, Mlp Prior, Mlp Posterior, Mlp Decoder, KeypointDecoder Keypoints,
    Mlp Reward, Mlp Continue, Mlp Actor, Mlp Critic, int ActionSize)
{
    /// <summary>The networks for <paramref name="c"/> and <paramref name="world"/>'s frames and actions.</summary>
    public static DreamerNets For<TState>(DreamerConfig c, IPixelWorld<TState> world) => For(c, world.Side, world.Intensity, world.ActionSize);

    /// <summary>The networks for <paramref name="c"/>, frames of <paramref name="side"/>² pixels of total intensity
    /// <paramref name="intensity"/>, and actions of <paramref name="actionSize"/> components.</summary>
    public static DreamerNets For(DreamerConfig c, int side, double intensity, int actionSize)
    {
        var s = c.StateSize;
        var points = new SpatialSoftArgmax(c.FeaturePoints, side);
        var keypoints = new KeypointDecoder(c.DecoderBlobs, c.BlobWidth, side, intensity);
        return new DreamerNets(points,
            Mlp.Create([points.Out, c.Hidden, c.Embed], Activation.Tanh, Activation.Tanh),
            new Gru(c.Stoch + actionSize, c.Deter),
            Mlp.Create([c.Deter, c.Hidden, 2 * c.Stoch], Activation.Tanh),
            Mlp.Create([c.Deter + c.Embed, c.Hidden, 2 * c.Stoch], Activation.Tanh),
            Mlp.Create([s, c.Hidden, keypoints.In], Activation.Tanh),
            keypoints,
            Mlp.Create([s, c.Hidden, 1], Activation.Tanh),
            Mlp.Create([s, c.Hidden, 1], Activation.Tanh),
            Mlp.Create([s, c.Hidden, 2 * actionSize], Activation.Tanh),
            Mlp.Create([s, c.Hidden, 1], Activation.Tanh),
            actionSize);
    }
}

/// <summary>The world model's parameters, one buffer per net (the optimizer sees them concatenated, <see cref="Flat"/>).</summary>
public sealed record WorldParams(Params Points, Params Encoder, Params Gru, Params Prior, Params Posterior, Params Decoder, Params Reward, Params Continue)
{
    /// <summary>θ = [θ_enc; θ_gru; θ_prior; θ_post; θ_dec; θ_rew; θ_cont] as one buffer.</summary>
    public Params Flat => Params.Concat(
        new Named("points", Points), new Named("enc", Encoder), new Named("gru", Gru), new Named("prior", Prior), new Named("post", Posterior),
        new Named("dec", Decoder), new Named("rew", Reward), new Named("cont", Continue));

    /// <summary>The nets' parameters back out of a <see cref="Flat"/> buffer.</summary>
    public static WorldParams FromFlat(Params flat) => new(
        flat.Part("points"), flat.Part("enc"), flat.Part("gru"), flat.Part("prior"), flat.Part("post"),
        flat.Part("dec"), flat.Part("rew"), flat.Part("cont"));

    /// <summary>θ + g, net by net (for example the gradients of two parts of a batch).</summary>
    public WorldParams Add(WorldParams g) => new(Points.Add(g.Points), Encoder.Add(g.Encoder), Gru.Add(g.Gru), Prior.Add(g.Prior),
        Posterior.Add(g.Posterior), Decoder.Add(g.Decoder), Reward.Add(g.Reward), Continue.Add(g.Continue));

    /// <summary>The number of parameters.</summary>
    public int Count => Points.Count + Encoder.Count + Gru.Count + Prior.Count + Posterior.Count + Decoder.Count + Reward.Count + Continue.Count;

    /// <summary>ρ₀ = −2 for the σ half of a latent head's output bias: σ starts at softplus(−2) + σ_min ≈ 0.23, so the
    /// encoder's signal in μ is not drowned in sampling noise before it has grown (faster learning in a short run).</summary>
    public const double InitialStdBias = -2.0;

    private static Params WithStdBias(Params head, double bias)
    {
        var values = head.Span.ToArray();
        var segment = head.Layout["1.b"];
        var z = segment.Size / 2;
        for (var i = z; i < 2 * z; i++) values[segment.Offset + i] = bias;
        return head.WithValues(values);
    }

    /// <summary>Freshly initialised world-model parameters (Glorot weights, zero biases; small output layers for the heads).</summary>
    public static Draw<WorldParams> Init(DreamerNets nets, Key key)
    {
        var (enc, k1) = nets.Encoder.Init(key);
        var (gru, k2) = nets.Gru.Init(k1);
        var (prior, k3) = nets.Prior.Init(k2);
        var (post, k4) = nets.Posterior.Init(k3);
        prior = WithStdBias(prior, InitialStdBias);
        post = WithStdBias(post, InitialStdBias);
        var (dec, k5) = nets.Decoder.Init(k4);
        var (rew, k6) = nets.Reward.Init(k5, outputGain: 0.1);
        var (cont, k7) = nets.Continue.Init(k6, outputGain: 0.1);
        return new Draw<WorldParams>(new WorldParams(nets.Points.Init(), enc, gru, prior, post, dec, rew, cont), k7);
    }
}
