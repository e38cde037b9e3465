using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Agents;

/// <summary>
/// One real step as the replay keeps it (DreamerV3's convention): the observation o_t, the action a_{t−1} that led to
/// it, the reward r_t received on arriving, whether o_t opens an episode (then a_{t−1} = 0 and r_t is not a reward),
/// and whether the episode ended here for real (the target reached; a step-cap cut is not terminal).
/// </summary>
public sealed record DreamerStep(ImmutableArray<double> Observation, Force PreviousAction, double Reward, bool First, bool Terminal);

/// <summary>
/// B replayed sequences of T steps, stacked time-major (rows t·B … t·B + B − 1 are step t of every sequence).
/// </summary>
/// <param name="Batch">B, sequences.</param>
/// <param name="Length">T, steps per sequence.</param>
/// <param name="Observations">o_t, [T·B × 256].</param>
/// <param name="PreviousActions">a_{t−1}, [T·B × 2].</param>
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
        var obs = new double[n * PixelPointMass.ObservationSize];
        var act = new double[n * DreamerConfig.ActionSize];
        double[] rew = new double[n], cont = new double[n], mask = new double[n];
        for (var t = 0; t < length; t++)
            for (var b = 0; b < batch; b++)
            {
                var step = chunks[b][t];
                var row = t * batch + b;
                step.Observation.AsSpan().CopyTo(obs.AsSpan(row * PixelPointMass.ObservationSize));
                act[row * 2] = step.PreviousAction.X;
                act[row * 2 + 1] = step.PreviousAction.Y;
                rew[row] = step.Reward;
                cont[row] = step.Terminal ? 0.0 : 1.0;
                mask[row] = step.First ? 0.0 : 1.0;
            }
        return new DreamerBatch(batch, length, Mat.Own(n, PixelPointMass.ObservationSize, obs), Mat.Own(n, 2, act),
            rew.Freeze(), cont.Freeze(), mask.Freeze());
    }

    /// <summary>Sequences [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of this batch, still time-major.</summary>
    public DreamerBatch Sequences(int first, int count)
    {
        var rows = new int[Length * count];
        for (var t = 0; t < Length; t++)
            for (var b = 0; b < count; b++) rows[t * count + b] = t * Batch + first + b;
        Mat Pick(Mat m)
        {
            var v = Buffers.Uninitialized(rows.Length * m.Cols);
            for (var r = 0; r < rows.Length; r++) m.Row(rows[r]).CopyTo(v.AsSpan(r * m.Cols, m.Cols));
            return Mat.Own(rows.Length, m.Cols, v);
        }
        ImmutableArray<double> PickValues(ImmutableArray<double> x)
        {
            var v = new double[rows.Length];
            for (var r = 0; r < rows.Length; r++) v[r] = x[rows[r]];
            return v.Freeze();
        }
        return new DreamerBatch(count, Length, Pick(Observations), Pick(PreviousActions), PickValues(Rewards), PickValues(Continues),
            PickValues(RewardMask));
    }
}

/// <summary>
/// The agent's belief about the world for a batch of n episodes: the model state s = [h, z] after the last
/// observation, and the action taken since (which the next observation step feeds to the GRU).
/// </summary>
public sealed record DreamerBelief(Mat Deter, Mat Stoch, Mat PreviousAction)
{
    /// <summary>h = 0, z = 0, a = 0: the belief before an episode's first observation.</summary>
    public static DreamerBelief Initial(DreamerConfig c, int n) =>
        new(Mat.Zeros(n, c.Deter), Mat.Zeros(n, c.Stoch), Mat.Zeros(n, DreamerConfig.ActionSize));

    /// <summary>s = [h, z], [n × (Deter + Stoch)].</summary>
    public Mat State => Mat.ConcatCols([Deter, Stoch]);
}

/// <summary>The world-model loss terms of one update (means over the B·T replayed steps).</summary>
/// <param name="Reconstruction">Mean squared error per pixel, (1/(n·256)) Σ (ô − o)².</param>
/// <param name="Reward">Mean squared error in symlog space over steps that carry a reward.</param>
/// <param name="Continue">Binary cross-entropy of the continuation head.</param>
/// <param name="Kl">Mean KL(q ‖ p) in nats (before free bits).</param>
/// <param name="Total">The loss that was differentiated: Σ_pixels BCE + β_r·reward + continue + balanced KL.</param>
public sealed record WorldLoss(double Reconstruction, double Reward, double Continue, double Kl, double Total);

/// <summary>The world model's gradient on a batch, its loss terms, and the posterior model states (for imagination).</summary>
public sealed record WorldGradient(WorldParams Grads, WorldLoss Loss, Mat Deter, Mat Stoch);

/// <summary>
/// The recurrent state-space model (Hafner et al. 2019, 2023): observe real sequences with the posterior, predict
/// with the prior, and the world-model loss with its gradient by backpropagation through time.
/// </summary>
public static class DreamerRssm
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

    /// <summary>ô = M·q, the keypoint decoder's picture of each state (<see cref="KeypointDecoder.Render"/>), [n × 256].</summary>
    public static Mat Decode(DreamerNets nets, WorldParams w, DreamerBelief belief, double blobWidth)
    {
        var raw = nets.Decoder.Predict(w.Decoder, belief.State);
        var frames = new double[raw.Rows * PixelPointMass.ObservationSize];
        for (var r = 0; r < raw.Rows; r++)
            KeypointDecoder.Render(raw.Row(r), blobWidth, frames.AsSpan(r * PixelPointMass.ObservationSize, PixelPointMass.ObservationSize));
        return Mat.Own(raw.Rows, PixelPointMass.ObservationSize, frames);
    }

    /// <summary>
    /// The world-model loss and its gradient on a replayed batch (posterior rollout with teacher-forced observations,
    /// reparameterised samples, BPTT through the GRU):
    /// <code>
    ///   L = (1/n) Σ_t [ −Σ_pixels o_t log q(s_t) + β_r m_t (rew(s_t) − symlog r_t)² + BCE(cont(s_t), c_t) ]
    ///       + (1/n) Σ_t [ β_dyn max(F, KL(sg q_t ‖ p_t)) + β_rep max(F, KL(q_t ‖ sg p_t)) ]
    /// </code>
    /// with h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]), z_t = μ_q + σ_q ⊙ ε_t, h_{−1} = z_{−1} = 0.
    /// </summary>
    /// <remarks>
    /// The sequences are independent (each starts from h = z = 0), so the batch is two fixed shards, the first ⌈B/2⌉
    /// sequences and the rest, each with its own half of the key; every term is divided by the whole batch's n = B·T and
    /// the shards' gradients add A + B, so <paramref name="evaluator"/> may compute them side by side with the same bits.
    /// </remarks>
    public static WorldGradient Gradient(DreamerNets nets, WorldParams w, DreamerBatch batch, Key key, DreamerConfig c, IEvaluator? evaluator = null)
    {
        var total = batch.Batch * batch.Length;
        var (kA, kB) = key.Split();
        if (batch.Batch < 2) return Shard(nets, w, batch, kA, c, total).Finish(batch.Batch, batch.Length, total);
        var half = (batch.Batch + 1) / 2;
        var (a, b) = (evaluator ?? Sequential.Instance).Both(
            () => Shard(nets, w, batch.Sequences(0, half), kA, c, total),
            () => Shard(nets, w, batch.Sequences(half, batch.Batch - half), kB, c, total));
        return (a + b).Finish(batch.Batch, batch.Length, total);
    }

    /// <summary>One shard's gradient (every term divided by the whole batch's <c>Total</c> rows), its loss sums (the total loss
    /// and the mean KL already divided by it), and its posterior states (time-major over its own <c>Sequences</c>).</summary>
    private sealed record ShardGradient(WorldParams Grads, double LossTotal, double SquaredError, double RewardError, double RewardCount,
        double ContinueLoss, double Kl, ImmutableArray<(int Sequences, Mat Deter, Mat Stoch)> States)
    {
        /// <summary>Shard A + shard B, term by term in that order (the states side by side, A's sequences first).</summary>
        public static ShardGradient operator +(ShardGradient x, ShardGradient y) =>
            new(x.Grads.Add(y.Grads), x.LossTotal + y.LossTotal, x.SquaredError + y.SquaredError,
                x.RewardError + y.RewardError, x.RewardCount + y.RewardCount, x.ContinueLoss + y.ContinueLoss, x.Kl + y.Kl,
                x.States.AddRange(y.States));

        /// <summary>The batch's gradient, loss terms and posterior states, time-major over all its sequences.</summary>
        public WorldGradient Finish(int batch, int length, int total)
        {
            var loss = new WorldLoss(SquaredError / (total * PixelPointMass.ObservationSize), RewardCount > 0 ? RewardError / RewardCount : 0.0,
                ContinueLoss / total, Kl, LossTotal);
            return new WorldGradient(Grads, loss, Interleave(s => s.Deter), Interleave(s => s.Stoch));

            Mat Interleave(Func<(int Sequences, Mat Deter, Mat Stoch), Mat> part)
            {
                var cols = part(States[0]).Cols;
                var v = Buffers.Uninitialized(batch * length * cols);
                for (var t = 0; t < length; t++)
                {
                    var offset = t * batch * cols;
                    foreach (var shard in States)
                    {
                        var m = part(shard);
                        m.Span.Slice(t * shard.Sequences * cols, shard.Sequences * cols).CopyTo(v.AsSpan(offset));
                        offset += shard.Sequences * cols;
                    }
                }
                return Mat.Own(batch * length, cols, v);
            }
        }
    }

    /// <summary>One shard of <see cref="Gradient"/>: its posterior rollout, heads, losses and BPTT, each term divided by the whole
    /// batch's <paramref name="total"/> rows.</summary>
    private static ShardGradient Shard(DreamerNets nets, WorldParams w, DreamerBatch batch, Key key, DreamerConfig c, int total)
    {
        int B = batch.Batch, T = batch.Length, n = B * T, Hd = c.Deter, Zd = c.Stoch, Ed = c.Embed, S = c.StateSize;

        // ---- forward: encoder for every step at once, then the posterior rollout step by step
        var pointsCache = nets.Points.Forward(w.Points, batch.Observations);
        var encCache = nets.Encoder.Forward(w.Encoder, pointsCache.Points);
        var embed = encCache.Output;
        var gruCaches = new GruCache[T];
        var postCaches = new MlpCache[T];
        var postStats = new LatentStats[T];
        var noise = new Mat[T];
        var hAll = new double[n * Hd];
        var zAll = new double[n * Zd];
        var hPrev = Mat.Zeros(B, Hd);
        var zPrev = Mat.Zeros(B, Zd);
        for (var t = 0; t < T; t++)
        {
            var x = Mat.ConcatCols([zPrev, batch.PreviousActions.SliceRows(t * B, B)]);
            gruCaches[t] = nets.Gru.Forward(w.Gru, [x], hPrev);
            var h = gruCaches[t].Last;
            postCaches[t] = nets.Posterior.Forward(w.Posterior, Mat.ConcatCols([h, embed.SliceRows(t * B, B)]));
            postStats[t] = DreamerLatent.Stats(postCaches[t].Output, c.MinLatentStd);
            (noise[t], key) = DreamerLatent.Noise(key, B, Zd);
            var z = DreamerLatent.Sample(postStats[t], noise[t]);
            h.Span.CopyTo(hAll.AsSpan(t * B * Hd));
            z.Span.CopyTo(zAll.AsSpan(t * B * Zd));
            hPrev = h;
            zPrev = z;
        }
        var hMat = Mat.Own(n, Hd, hAll);
        var zMat = Mat.Own(n, Zd, zAll);
        var state = Mat.ConcatCols([hMat, zMat]);
        var post = new LatentStats(
            Mat.StackRows(postStats.Select(p => p.Mean).ToArray()),
            Mat.StackRows(postStats.Select(p => p.Std).ToArray()),
            Mat.StackRows(postStats.Select(p => p.Raw).ToArray()));
        var priorCache = nets.Prior.Forward(w.Prior, hMat);
        var prior = DreamerLatent.Stats(priorCache.Output, c.MinLatentStd);

        // ---- heads and losses (every step at once)
        var decCache = nets.Decoder.Forward(w.Decoder, state);
        var rewCache = nets.Reward.Forward(w.Reward, state);
        var contCache = nets.Continue.Forward(w.Continue, state);
        var decOut = KeypointDecoder.OutputSize(c.DecoderBlobs);
        var dDec = new double[n * decOut];
        double recon = 0.0, reconLoss = 0.0;
        for (var r = 0; r < n; r++)
        {
            // the frame's light as a distribution over pixels, −Σ_ij o log q (summed per frame, averaged over rows)
            var (l, sq) = KeypointDecoder.LossAndGradient(decCache.Output.Row(r), batch.Observations.Row(r), c.BlobWidth, 1.0 / total,
                dDec.AsSpan(r * decOut, decOut));
            reconLoss += l;
            recon += sq;
        }
        double[] dRew = new double[n], dCont = new double[n];
        double rewLoss = 0.0, rewCount = 0.0, contLoss = 0.0;
        for (var i = 0; i < n; i++)
        {
            var y = rewCache.Output.Values[i];
            var d = y - Activations.Symlog(batch.Rewards[i]);
            var m = batch.RewardMask[i];
            rewLoss += m * d * d;
            rewCount += m;
            dRew[i] = 2.0 * c.RewardWeight * m * d / total;
            var logit = contCache.Output.Values[i];
            var target = batch.Continues[i];
            contLoss += Activations.Softplus(logit) - target * logit;
            dCont[i] = (Activations.Sigmoid(logit) - target) / total;
        }
        var kl = DreamerLatent.BalancedKl(post, prior, c.FreeBits, c.DynamicsWeight, c.RepresentationWeight, total);
        var lossTotal = reconLoss / total + c.RewardWeight * rewLoss / total + contLoss / total + kl.Loss;

        // ---- backward: heads, prior
        var gDec = nets.Decoder.Backward(w.Decoder, decCache, Mat.Own(n, decOut, dDec), inputGradient: true);
        var gRew = nets.Reward.Backward(w.Reward, rewCache, Mat.Own(n, 1, dRew), inputGradient: true);
        var gCont = nets.Continue.Backward(w.Continue, contCache, Mat.Own(n, 1, dCont), inputGradient: true);
        var dState = new double[n * S];
        Blas.AddTo(gDec.DInput!.Span, dState);
        Blas.AddTo(gRew.DInput!.Span, dState);
        Blas.AddTo(gCont.DInput!.Span, dState);
        var gPrior = nets.Prior.Backward(w.Prior, priorCache,
            DreamerLatent.StatsBackward(prior, kl.DPriorMean.Span, kl.DPriorStd.Span), inputGradient: true);
        var dhPrior = gPrior.DInput!.Span;

        // ---- backward through time: posterior, GRU
        var postT = nets.Posterior.Transpose(w.Posterior); // Wᵀ once for the T steps
        var gruT = nets.Gru.Transpose(w.Gru);
        var dPostOut = new Mat[T];                          // ∂L/∂(posterior output) and the GRU's gate gradients per step,
        var gruSteps = new GruStepGrads[T];                 // for one parameter gradient over all steps at the end
        var dEmbed = new double[n * Ed];
        var dhNext = new double[B * Hd];
        var dzNext = new double[B * Zd];
        var dMean = new double[B * Zd];
        var dStd = new double[B * Zd];
        var dh = new double[B * Hd];
        for (var t = T - 1; t >= 0; t--)
        {
            var eps = noise[t].Span;
            for (var b = 0; b < B; b++)
            {
                var row = t * B + b;
                for (var i = 0; i < Zd; i++)
                {
                    var dz = dState[row * S + Hd + i] + dzNext[b * Zd + i];
                    dMean[b * Zd + i] = dz + kl.DPostMean.Values[row * Zd + i];
                    dStd[b * Zd + i] = dz * eps[b * Zd + i] + kl.DPostStd.Values[row * Zd + i];
                }
            }
            dPostOut[t] = DreamerLatent.StatsBackward(postStats[t], dMean, dStd);
            var dPostIn = nets.Posterior.InputGradient(w.Posterior, postCaches[t], dPostOut[t].Span, postT).Span;
            for (var b = 0; b < B; b++)
            {
                var row = t * B + b;
                for (var i = 0; i < Hd; i++)
                    dh[b * Hd + i] = dState[row * S + i] + dhPrior[row * Hd + i] + dPostIn[b * (Hd + Ed) + i] + dhNext[b * Hd + i];
                dPostIn.Slice(b * (Hd + Ed) + Hd, Ed).CopyTo(dEmbed.AsSpan(row * Ed, Ed));
            }
            gruSteps[t] = nets.Gru.StepBackward(w.Gru, gruCaches[t], dh, gruT);
            gruSteps[t].DH0.Span.CopyTo(dhNext);
            for (var b = 0; b < B; b++)
                gruSteps[t].DX.Row(b).Slice(0, Zd).CopyTo(dzNext.AsSpan(b * Zd, Zd));
        }
        var postGrad = nets.Posterior.Backward(w.Posterior, MlpCache.Stack(postCaches), Mat.StackRows(dPostOut)).Grads;
        var gruGrad = nets.Gru.ParameterGradient(gruCaches, gruSteps);
        var gEnc = nets.Encoder.Backward(w.Encoder, encCache, Mat.Own(n, Ed, dEmbed), inputGradient: true);
        var gPoints = nets.Points.Backward(w.Points, pointsCache, gEnc.DInput!);

        var grads = new WorldParams(gPoints, gEnc.Grads, gruGrad, gPrior.Grads, postGrad,
            gDec.Grads, gRew.Grads, gCont.Grads);
        return new ShardGradient(grads, lossTotal, recon, rewLoss, rewCount, contLoss, kl.Kl, [(B, hMat, zMat)]);
    }
}
