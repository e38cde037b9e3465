using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;

namespace Policywerk.Pure.Agents;

/// <summary>
/// One real step as the replay keeps it (DreamerV3's convention): the observation o_t, the action a_{t−1} that led to
/// it, the reward r_t received on arriving, whether o_t opens an episode (then a_{t−1} = 0 and r_t is not a reward),
/// and whether the episode ended here for real (the target reached; a step-cap cut is not terminal).
/// </summary>
public sealed record DreamerStep(ImmutableArray<double> Observation, ImmutableArray<double> PreviousAction, double Reward, bool First, bool Terminal);

/// <summary>
/// B replayed sequences of T steps, stacked time-major (rows t·B … t·B + B − 1 are step t of every sequence).
/// </summary>
/// <param name="Batch">B, sequences.</param>
/// <param name="Length">T, steps per sequence.</param>
/// <param name="Observations">o_t, [T·B × pixels].</param>
/// <param name="PreviousActions">a_{t−1}, [T·B × action size].</param>
/// <param name="Rewards">r_t, [T·B].</param>
/// <param name="Continues">c_t = 1 − terminal_t, [T·B].</param>
/// <param name="RewardMask">0 where o_t opens an episode (no reward arrived with it), else 1.</param>
public sealed record DreamerBatch(int Batch, int Length, Mat Observations, Mat PreviousActions,
    ImmutableArray<double> Rewards, ImmutableArray<double> Continues, ImmutableArray<double> RewardMask)
{
    /// <summary>The batch of <paramref name="chunks"/> (all of one length), time-major.</summary>
    public static DreamerBatch From(ImmutableArray<SequenceChunk<DreamerStep>> chunks)
    {
        var batch = chunks.Length;
        var length = chunks[0].Length;
        var n = batch * length;
        int pixels = chunks[0][0].Observation.Length, actions = chunks[0][0].PreviousAction.Length;
        var obs = new double[n * pixels];
        var act = new double[n * actions];
        double[] rew = new double[n], cont = new double[n], mask = new double[n];
        for (var t = 0; t < length; t++)
            for (var b = 0; b < batch; b++)
            {
                var step = chunks[b][t];
                var row = t * batch + b;
                step.Observation.AsSpan().CopyTo(obs.AsSpan(row * pixels));
                step.PreviousAction.AsSpan().CopyTo(act.AsSpan(row * actions));
                rew[row] = step.Reward;
                cont[row] = step.Terminal ? 0.0 : 1.0;
                mask[row] = step.First ? 0.0 : 1.0;
            }
        return new DreamerBatch(batch, length, Mat.Own(n, pixels, obs), Mat.Own(n, actions, act),
            rew.Freeze(), cont.Freeze(), mask.Freeze());
    }
}

/// <summary>
/// The agent's belief about the world for a batch of n episodes: the model state s = [h, z] after the last
/// observation, and the action taken since (which the next observation step feeds to the GRU).
/// </summary>
public sealed record DreamerBelief(Mat Deter, Mat Stoch, Mat PreviousAction)
{
    /// <summary>h = 0, z = 0, a = 0: the belief before an episode's first observation.</summary>
    public static DreamerBelief Initial(DreamerConfig c, DreamerNets nets, int n) =>
        new(Mat.Zeros(n, c.Deter), Mat.Zeros(n, c.Stoch), Mat.Zeros(n, nets.ActionSize));

    /// <summary>s = [h, z], [n × (Deter + Stoch)].</summary>
    public Mat State => Mat.ConcatCols([Deter, Stoch]);
}

/// <summary>The world-model loss terms of one update as reported (means over the B·T replayed steps).</summary>
/// <param name="Reconstruction">Mean squared error per pixel, (1/(n·pixels)) Σ (ô − o)².</param>
/// <param name="Reward">Mean squared error in symlog space over steps that carry a reward.</param>
/// <param name="Continue">Binary cross-entropy of the continuation head.</param>
/// <param name="Kl">Mean KL(q ‖ p) in nats (before free bits).</param>
/// <param name="Total">The loss that was differentiated, <see cref="WorldLossTerms.Total"/>.</param>
public sealed record WorldLoss(double Reconstruction, double Reward, double Continue, double Kl, double Total);

/// <summary>
/// The world-model loss of a batch as its named terms, each a mean over the batch's n = B·T steps (or a part's share
/// of it, divided by the whole batch's n), and what the report needs besides.
/// </summary>
/// <param name="Reconstruction">L_rec = (1/n) Σ_t −Σ_pixels o_t log q(s_t), the frame's light as a distribution over pixels.</param>
/// <param name="Reward">L_rew = (β_r/n) Σ_t m_t (rew(s_t) − symlog r_t)², m_t = 0 where o_t opens an episode.</param>
/// <param name="Continue">L_cont = (1/n) Σ_t BCE(cont(s_t), c_t).</param>
/// <param name="Dynamics">L_dyn = (β_dyn/n) Σ_t max(F, KL(sg(q_t) ‖ p_t)).</param>
/// <param name="Representation">L_rep = (β_rep/n) Σ_t max(F, KL(q_t ‖ sg(p_t))).</param>
/// <param name="Kl">(1/n) Σ_t KL(q_t ‖ p_t) before free bits.</param>
/// <param name="PixelError">Σ_t Σ_pixels (ô − o)², the reconstruction's squared error.</param>
/// <param name="RewardError">Σ_t m_t (rew(s_t) − symlog r_t)², unweighted.</param>
/// <param name="RewardSteps">Σ_t m_t, the steps that carry a reward.</param>
public sealed record WorldLossTerms(double Reconstruction, double Reward, double Continue, double Dynamics, double Representation,
    double Kl, double PixelError, double RewardError, double RewardSteps)
{
    /// <summary>L = L_rec + L_rew + L_cont + L_dyn + L_rep.</summary>
    public double Total => Reconstruction + Reward + Continue + Dynamics + Representation;

    /// <summary>Two parts' terms (independent sequences of one batch) as the batch's, term by term (x's first).</summary>
    public static WorldLossTerms operator +(WorldLossTerms x, WorldLossTerms y) => new(
        x.Reconstruction + y.Reconstruction, x.Reward + y.Reward, x.Continue + y.Continue, x.Dynamics + y.Dynamics,
        x.Representation + y.Representation, x.Kl + y.Kl, x.PixelError + y.PixelError, x.RewardError + y.RewardError,
        x.RewardSteps + y.RewardSteps);

    /// <summary>The report of a batch of <paramref name="n"/> steps of <paramref name="pixels"/> pixels each.</summary>
    public WorldLoss Report(int n, int pixels) =>
        new(PixelError / (n * pixels), RewardSteps > 0 ? RewardError / RewardSteps : 0.0, Continue, Kl, Total);
}

/// <summary>
/// The world model's forward pass on a batch, time-major: the encoder, the posterior rollout
/// h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]), z_t = μ_q + σ_q ⊙ ε_t (h_{−1} = z_{−1} = 0), the prior p(z_t | h_t) and the
/// heads on s_t = [h_t, z_t]: every value the loss reads and every cache its backward pass needs.
/// </summary>
public sealed record WorldForward(
    SoftArgmaxCache Points, MlpCache Encoder,
    ImmutableArray<GruCache> Gru, ImmutableArray<MlpCache> PosteriorNet, ImmutableArray<LatentStats> PosteriorSteps, ImmutableArray<Mat> Noise,
    Mat Deter, Mat Stoch, LatentStats Posterior, MlpCache PriorNet, LatentStats Prior,
    MlpCache Decoder, MlpCache Reward, MlpCache Continue);

/// <summary>What <see cref="DreamerRssm.Loss"/> keeps for the backward pass: the keypoint decoder's cache and the balanced
/// KL row by row.</summary>
public sealed record WorldLossCache(KeypointCache Reconstruction, KlBalance Kl);

/// <summary>
/// The world model's gradient on a batch of <see cref="Sequences"/> sequences, its loss terms, and the posterior model
/// states h_t, z_t (time-major), where imagination starts.
/// </summary>
public sealed record WorldGradient(WorldParams Grads, WorldLossTerms Terms, int Sequences, Mat Deter, Mat Stoch)
{
    /// <summary><see cref="DreamerRssm.Forward"/>, <see cref="DreamerRssm.Loss"/> and <see cref="DreamerRssm.Backward"/> on
    /// <paramref name="batch"/>, every mean divided by <paramref name="n"/>.</summary>
    public static WorldGradient Of(DreamerConfig c, DreamerNets nets, WorldParams w, DreamerBatch batch, Key key, int n)
    {
        var f = DreamerRssm.Forward(c, nets, w, batch, key);
        var (terms, cache) = DreamerRssm.Loss(c, nets, batch, f, n);
        var (deter, stoch) = (f.Deter, f.Stoch); // f itself is not held across the backward pass, which lets go of its caches
        return new WorldGradient(DreamerRssm.Backward(c, nets, w, batch, f, cache, n), terms, batch.Batch, deter, stoch);
    }

    /// <summary>The gradient of two sets of independent sequences side by side, whose means were divided by the same n:
    /// the gradients and terms add (x's first), the states join step by step (x's sequences first).</summary>
    public static WorldGradient operator +(WorldGradient x, WorldGradient y) => new(x.Grads.Add(y.Grads), x.Terms + y.Terms,
        x.Sequences + y.Sequences, TimeMajor.Join(x.Deter, x.Sequences, y.Deter, y.Sequences), TimeMajor.Join(x.Stoch, x.Sequences, y.Stoch, y.Sequences));
}

/// <summary>
/// The recurrent state-space model (Hafner et al. 2019, 2023): observe real sequences with the posterior, predict
/// with the prior, and the world-model loss (<see cref="Loss"/>) with its gradient by backpropagation through time
/// (<see cref="Backward"/>, in DreamerRssm.Backward.cs).
/// </summary>
public static partial class DreamerRssm
{
    /// <summary>
    /// One observation step for acting: h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]), e_t = enc(o_t),
    /// z_t ~ q(z | h_t, e_t) (its mean when <paramref name="sample"/> is false). The same posterior state the world
    /// model is trained on, so the actor sees the same kind of state in the world as in imagination.
    /// </summary>
    public static Draw<DreamerBelief> Observe(DreamerNets nets, WorldParams w, DreamerBelief belief, Mat observations,
        Key key, bool sample, double minStd)
    {
        var h = nets.Gru.Step(w.Gru, Mat.ConcatCols([belief.Stoch, belief.PreviousAction]), belief.Deter);
        var e = nets.Encoder.Predict(w.Encoder, nets.Points.Forward(w.Points, observations).Points);
        var post = DreamerLatent.Stats(nets.Posterior.Predict(w.Posterior, Mat.ConcatCols([h, e])), minStd);
        if (!sample) return new Draw<DreamerBelief>(belief with { Deter = h, Stoch = post.Mean }, key);
        var (eps, next) = DreamerLatent.Noise(key, post.Mean.Rows, post.Mean.Cols);
        return new Draw<DreamerBelief>(belief with { Deter = h, Stoch = DreamerLatent.Sample(post, eps) }, next);
    }

    /// <summary>One prior step: h′ = GRU(h, [z, a]), z′ = μ_p(h′) (the mean: for pictures of open-loop prediction).</summary>
    public static DreamerBelief PredictMean(DreamerNets nets, WorldParams w, DreamerBelief belief, Mat action, double minStd)
    {
        var h = nets.Gru.Step(w.Gru, Mat.ConcatCols([belief.Stoch, action]), belief.Deter);
        var prior = DreamerLatent.Stats(nets.Prior.Predict(w.Prior, h), minStd);
        return new DreamerBelief(h, prior.Mean, action);
    }

    /// <summary>ô = M·q, the keypoint decoder's picture of each state (<see cref="KeypointDecoder.Render"/>), [n × pixels].</summary>
    public static Mat Decode(DreamerNets nets, WorldParams w, DreamerBelief belief)
    {
        var raw = nets.Decoder.Predict(w.Decoder, belief.State);
        var pixels = nets.Keypoints.Pixels;
        var frames = new double[raw.Rows * pixels];
        for (var r = 0; r < raw.Rows; r++) nets.Keypoints.Render(raw.Row(r), frames.AsSpan(r * pixels, pixels));
        return Mat.Own(raw.Rows, pixels, frames);
    }

    /// <summary>
    /// The forward pass on a replayed batch (<see cref="WorldForward"/>): encoder for every step at once, the posterior
    /// rollout step by step with teacher-forced observations and reparameterised samples, then prior and heads at once.
    /// </summary>
    public static WorldForward Forward(DreamerConfig c, DreamerNets nets, WorldParams w, DreamerBatch batch, Key key)
    {
        int B = batch.Batch, T = batch.Length, n = B * T, Hd = c.Deter, Zd = c.Stoch;
        var points = nets.Points.Forward(w.Points, batch.Observations);
        var encoder = nets.Encoder.Forward(w.Encoder, points.Points);
        var embed = encoder.Output;
        var gru = new GruCache[T];
        var posteriorNet = new MlpCache[T];
        var posterior = new LatentStats[T];
        var noise = new Mat[T];
        var hAll = new double[n * Hd];
        var zAll = new double[n * Zd];
        var hPrev = Mat.Zeros(B, Hd);
        var zPrev = Mat.Zeros(B, Zd);
        for (var t = 0; t < T; t++)
        {
            gru[t] = nets.Gru.Forward(w.Gru, [Mat.ConcatCols([zPrev, batch.PreviousActions.SliceRows(t * B, B)])], hPrev);
            var h = gru[t].Last;
            posteriorNet[t] = nets.Posterior.Forward(w.Posterior, Mat.ConcatCols([h, embed.SliceRows(t * B, B)]));
            posterior[t] = DreamerLatent.Stats(posteriorNet[t].Output, c.MinLatentStd);
            (noise[t], key) = DreamerLatent.Noise(key, B, Zd);
            var z = DreamerLatent.Sample(posterior[t], noise[t]);
            h.Span.CopyTo(hAll.AsSpan(t * B * Hd));
            z.Span.CopyTo(zAll.AsSpan(t * B * Zd));
            hPrev = h;
            zPrev = z;
        }
        var deter = Mat.Own(n, Hd, hAll);
        var stoch = Mat.Own(n, Zd, zAll);
        var state = Mat.ConcatCols([deter, stoch]);
        var post = new LatentStats(
            Mat.StackRows(posterior.Select(p => p.Mean).ToArray()),
            Mat.StackRows(posterior.Select(p => p.Std).ToArray()),
            Mat.StackRows(posterior.Select(p => p.Raw).ToArray()));
        var priorNet = nets.Prior.Forward(w.Prior, deter);
        return new WorldForward(points, encoder, [.. gru], [.. posteriorNet], [.. posterior], [.. noise], deter, stoch, post,
            priorNet, DreamerLatent.Stats(priorNet.Output, c.MinLatentStd),
            nets.Decoder.Forward(w.Decoder, state), nets.Reward.Forward(w.Reward, state), nets.Continue.Forward(w.Continue, state));
    }

    /// <summary>
    /// The world-model loss of a forward pass, as the sum of its named terms, with every mean divided by
    /// <paramref name="n"/> (the batch's B·T steps):
    /// <code>
    ///   L = L_rec + L_rew + L_cont + L_dyn + L_rep
    ///   L_rec  = (1/n) Σ_t −Σ_pixels o_t log q(s_t)               (<see cref="KeypointDecoder.Loss"/>)
    ///   L_rew  = (β_r/n) Σ_t m_t (rew(s_t) − symlog r_t)²
    ///   L_cont = (1/n) Σ_t [softplus(ℓ_t) − c_t ℓ_t],  ℓ_t = cont(s_t)   (binary cross-entropy)
    ///   L_dyn  = (β_dyn/n) Σ_t max(F, KL(sg(q_t) ‖ p_t)),   L_rep = (β_rep/n) Σ_t max(F, KL(q_t ‖ sg(p_t)))
    /// </code>
    /// Also returns what the backward pass reads: the keypoint decoder's cache and the balanced KL row by row (for its
    /// free-bits mask).
    /// </summary>
    public static (WorldLossTerms Terms, WorldLossCache Cache) Loss(DreamerConfig c, DreamerNets nets, DreamerBatch batch, WorldForward f, int n)
    {
        var frames = nets.Keypoints.Loss(f.Decoder.Output, batch.Observations);
        double rewardError = 0.0, rewardSteps = 0.0, crossEntropy = 0.0;
        for (var i = 0; i < batch.Rewards.Length; i++)
        {
            var d = f.Reward.Output.Values[i] - Activations.Symlog(batch.Rewards[i]);
            rewardError += batch.RewardMask[i] * d * d;
            rewardSteps += batch.RewardMask[i];
            var logit = f.Continue.Output.Values[i];
            crossEntropy += Activations.Softplus(logit) - batch.Continues[i] * logit;
        }
        var kl = DreamerLatent.BalancedKl(f.Posterior, f.Prior, c.FreeBits, c.DynamicsWeight, c.RepresentationWeight, n);
        var terms = new WorldLossTerms(frames.Loss / n, c.RewardWeight * rewardError / n, crossEntropy / n, kl.Dynamics, kl.Representation,
            kl.Kl, frames.SquaredError, rewardError, rewardSteps);
        return (terms, new WorldLossCache(frames.Cache, kl));
    }
}

/// <summary>Time-major batches (rows t·N … t·N + N − 1 are step t of N sequences) joined side by side.</summary>
public static class TimeMajor
{
    /// <summary>At every step, <paramref name="a"/>'s <paramref name="na"/> rows, then <paramref name="b"/>'s <paramref name="nb"/>.</summary>
    public static Mat Join(Mat a, int na, Mat b, int nb) =>
        Mat.Own(a.Rows + b.Rows, a.Cols, Join(a.Span, na, b.Span, nb, a.Rows / na, a.Cols));

    /// <summary>The same for flat values, <paramref name="width"/> per row, over <paramref name="steps"/> steps.</summary>
    public static double[] Join(ReadOnlySpan<double> a, int na, ReadOnlySpan<double> b, int nb, int steps, int width)
    {
        var joined = Buffers.Uninitialized(steps * (na + nb) * width);
        for (var k = 0; k < steps; k++)
        {
            a.Slice(k * na * width, na * width).CopyTo(joined.AsSpan(k * (na + nb) * width));
            b.Slice(k * nb * width, nb * width).CopyTo(joined.AsSpan((k * (na + nb) + na) * width));
        }
        return joined;
    }
}
