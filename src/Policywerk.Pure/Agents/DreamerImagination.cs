using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

/// <summary>The actor's Gaussian over u for a batch (a = tanh u), from the actor head's output [μ | ρ]:
/// σ = (σ_max − σ_min)·sigmoid(ρ + 2) + σ_min.</summary>
public sealed record ActionStats(Mat Mean, Mat Std, Mat Raw);

/// <summary>
/// An imagined rollout for N start states over H steps, time-major: states s_0 … s_H ([(H+1)·N × (Deter+Stoch)]),
/// actions a_0 … a_{H−1}, predicted rewards r_1 … r_H, continuations c_1 … c_H, slow-critic values v_1 … v_H,
/// and the λ-returns R_0 … R_{H−1} with their weights w_k = Π_{j≤k} γ c_j.
/// </summary>
public sealed record Imagined(int Starts, int Horizon, Mat States, Mat Actions,
    ImmutableArray<double> Rewards, ImmutableArray<double> Continues, ImmutableArray<double> Values,
    ImmutableArray<double> Returns, ImmutableArray<double> Weights);

/// <summary>What one actor-critic update reports.</summary>
/// <param name="ImaginedReturn">Mean λ-return R_0 of the imagined starts.</param>
/// <param name="ActorLoss">The actor's objective (normalised, with the entropy bonus), to be minimised.</param>
/// <param name="CriticLoss">The critic's weighted squared error in symlog space.</param>
/// <param name="ActionStd">Mean σ of the actor's Gaussian over the imagined states.</param>
/// <param name="ReturnScale">The EMA of the 5th–95th percentile range after this update.</param>
public sealed record BehaviourLoss(double ImaginedReturn, double ActorLoss, double CriticLoss, double ActionStd, double ReturnScale);

/// <summary>
/// Learning to act inside the world model: imagine rollouts with the prior from posterior start states, compute
/// λ-returns with a slow critic, train the critic on them and the actor by backpropagating the returns through the
/// learned dynamics (Dreamer v1/v2's "dynamics backprop").
/// </summary>
/// <remarks>
/// Why dynamics backprop and not DreamerV3's REINFORCE: the point mass has a 2-D continuous action and the learned
/// model is differentiable end to end (reparameterised Gaussian latents, tanh actions), so ∂R/∂a through reward head,
/// critic, prior and GRU is a low-variance, directly useful signal — "push so the predicted distance shrinks". With
/// the few hundred updates a five-second budget allows, REINFORCE's score-function estimate is too noisy; Hafner et al.
/// themselves use dynamics backprop for continuous control in DreamerV1 and V2. The continuation c_k is treated as a
/// constant (stop-gradient) in the actor's objective.
/// </remarks>
public static class DreamerImagination
{
    /// <summary>
    /// R_k = r_{k+1} + γ c_{k+1} [(1 − λ) v_{k+1} + λ R_{k+1}] for k = H−1 … 0, with R_H = v_H (Sutton &amp; Barto §12.1;
    /// Hafner et al. 2020 eq. 6). All arrays are time-major over N columns: rewards, continues and values hold steps
    /// 1 … H ([H·N]); the result holds R_0 … R_{H−1} ([H·N]).
    /// </summary>
    public static ImmutableArray<double> LambdaReturns(ReadOnlySpan<double> rewards, ReadOnlySpan<double> continues,
        ReadOnlySpan<double> values, int starts, double gamma, double lambda)
    {
        var horizon = rewards.Length / starts;
        var returns = new double[horizon * starts];
        for (var n = 0; n < starts; n++)
        {
            var next = values[(horizon - 1) * starts + n]; // R_H = v_H
            for (var k = horizon - 1; k >= 0; k--)
            {
                var j = k * starts + n; // index of step k+1 in rewards/values/continues, and of R_k in returns
                next = rewards[j] + gamma * continues[j] * ((1.0 - lambda) * values[j] + lambda * next);
                returns[j] = next;
            }
        }
        return returns.Freeze();
    }

    /// <summary>∂L/∂r and ∂L/∂v of L = Σ_k g_k R_k (the adjoint of <see cref="LambdaReturns"/>, with c held fixed):
    /// G_0 = g_0, G_{k+1} = g_{k+1} + γ λ c_{k+1} G_k; ∂L/∂r_{k+1} = G_k, ∂L/∂v_{k+1} = γ(1−λ) c_{k+1} G_k (+ γλ c_H G_{H−1} for v_H).</summary>
    public static (ImmutableArray<double> DRewards, ImmutableArray<double> DValues) LambdaReturnsBackward(
        ReadOnlySpan<double> dReturns, ReadOnlySpan<double> continues, int starts, double gamma, double lambda)
    {
        var horizon = dReturns.Length / starts;
        var dr = new double[horizon * starts];
        var dv = new double[horizon * starts];
        for (var n = 0; n < starts; n++)
        {
            var g = 0.0;
            for (var k = 0; k < horizon; k++)
            {
                var j = k * starts + n;
                g = dReturns[j] + (k == 0 ? 0.0 : gamma * lambda * continues[j - starts] * g);
                dr[j] = g;
                dv[j] = gamma * (1.0 - lambda) * continues[j] * g;
            }
            var last = (horizon - 1) * starts + n;
            dv[last] += gamma * lambda * continues[last] * g; // R_H = v_H
        }
        return (dr.Freeze(), dv.Freeze());
    }

    /// <summary>μ = raw[:, :2], σ = (σ_max − σ_min)·sigmoid(raw[:, 2:] + 2) + σ_min.</summary>
    public static ActionStats ActionStatsOf(Mat raw, double minStd, double maxStd)
    {
        var rows = raw.Rows;
        var mean = new double[rows * 2];
        var std = new double[rows * 2];
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < 2; i++)
            {
                mean[r * 2 + i] = raw[r, i];
                std[r * 2 + i] = raw[r, 2 + i] + 2.0;
            }
        VecMath.Sigmoid(std, std);
        for (var i = 0; i < std.Length; i++) std[i] = (maxStd - minStd) * std[i] + minStd;
        return new ActionStats(Mat.Own(rows, 2, mean), Mat.Own(rows, 2, std), raw);
    }

    /// <summary>a = tanh(μ + σ ⊙ ε), or tanh(μ) when ε is null (the greedy action).</summary>
    public static Mat Act(ActionStats stats, Mat? eps)
    {
        var a = new double[stats.Mean.Values.Length];
        for (var i = 0; i < a.Length; i++) a[i] = stats.Mean.Values[i] + (eps is null ? 0.0 : stats.Std.Values[i] * eps.Values[i]);
        VecMath.Tanh(a, a);
        return Mat.Own(stats.Mean.Rows, 2, a);
    }

    /// <summary>
    /// Imagines H steps from the N start states with the actor and the prior (no gradient kept):
    /// a_k = tanh(μ_π(s_k) + σ_π(s_k) ε), h_{k+1} = GRU(h_k, [z_k, a_k]), z_{k+1} = μ_p(h_{k+1}) + σ_p(h_{k+1}) ε′,
    /// then rewards, continuations, slow-critic values and λ-returns. Same key, same rollout.
    /// </summary>
    public static Imagined Imagine(DreamerNets nets, WorldParams w, Params actor, Params slowCritic, Mat startDeter, Mat startStoch,
        Key key, DreamerConfig c)
    {
        var (a, b) = RolloutShards(nets, w, actor, slowCritic, startDeter, startStoch, key, c, Sequential.Instance);
        return b is null ? a.Imagined : Join(a.Imagined, b.Imagined);
    }

    /// <summary>
    /// The imagined batch in two fixed shards, the first ⌈N/2⌉ starts and the rest, each rolled out with its own half of
    /// <paramref name="key"/> (one shard when N = 1). Their gradients are added shard A + shard B, so the order of every sum
    /// is fixed by N alone: <paramref name="evaluator"/> may run the shards side by side with the same bits.
    /// </summary>
    private static (RolloutTrace A, RolloutTrace? B) RolloutShards(DreamerNets nets, WorldParams w, Params actor, Params slowCritic,
        Mat startDeter, Mat startStoch, Key key, DreamerConfig c, IEvaluator evaluator)
    {
        int n = startDeter.Rows, half = (n + 1) / 2;
        var (kA, kB) = key.Split();
        if (n < 2) return (Rollout(nets, w, actor, slowCritic, startDeter, startStoch, kA, c), null);
        return evaluator.Both(
            () => Rollout(nets, w, actor, slowCritic, startDeter.SliceRows(0, half), startStoch.SliceRows(0, half), kA, c),
            () => (RolloutTrace?)Rollout(nets, w, actor, slowCritic, startDeter.SliceRows(half, n - half), startStoch.SliceRows(half, n - half), kB, c));
    }

    /// <summary>Two shards' rollouts as one: at every step the first shard's starts, then the second's (time-major, as one rollout).</summary>
    private static Imagined Join(Imagined a, Imagined b)
    {
        int na = a.Starts, nb = b.Starts, h = a.Horizon;
        ImmutableArray<double> Rows(ImmutableArray<double> x, ImmutableArray<double> y, int steps, int width) =>
            Interleave(x.AsSpan(), na, y.AsSpan(), nb, steps, width).Freeze();
        Mat Matrix(Mat x, Mat y, int steps) => Mat.Own(steps * (na + nb), x.Cols, Interleave(x.Span, na, y.Span, nb, steps, x.Cols));
        return new Imagined(na + nb, h, Matrix(a.States, b.States, h + 1), Matrix(a.Actions, b.Actions, h),
            Rows(a.Rewards, b.Rewards, h, 1), Rows(a.Continues, b.Continues, h, 1), Rows(a.Values, b.Values, h, 1),
            Rows(a.Returns, b.Returns, h, 1), Rows(a.Weights, b.Weights, h, 1));
    }

    private static double[] Interleave(ReadOnlySpan<double> x, int nx, ReadOnlySpan<double> y, int ny, int steps, int width)
    {
        var joined = Buffers.Uninitialized(steps * (nx + ny) * width);
        for (var k = 0; k < steps; k++)
        {
            x.Slice(k * nx * width, nx * width).CopyTo(joined.AsSpan(k * (nx + ny) * width));
            y.Slice(k * ny * width, ny * width).CopyTo(joined.AsSpan((k * (nx + ny) + nx) * width));
        }
        return joined;
    }

    /// <summary>The forward pass of an imagined rollout with every cache the actor's backward pass needs.</summary>
    private sealed record RolloutTrace(Imagined Imagined, MlpCache[] ActorCaches, ActionStats[] ActorStats, Mat[] ActionNoise,
        GruCache[] GruCaches, MlpCache[] PriorCaches, LatentStats[] PriorStats, Mat[] LatentNoise,
        MlpCache RewardCache, MlpCache ValueCache);

    private static RolloutTrace Rollout(DreamerNets nets, WorldParams w, Params actor, Params slowCritic, Mat startDeter, Mat startStoch,
        Key key, DreamerConfig c)
    {
        int N = startDeter.Rows, H = c.Horizon, Hd = c.Deter, Zd = c.Stoch, S = c.StateSize;
        var actorCaches = new MlpCache[H];
        var actorStats = new ActionStats[H];
        var actionNoise = new Mat[H];
        var gruCaches = new GruCache[H];
        var priorCaches = new MlpCache[H];
        var priorStats = new LatentStats[H];
        var latentNoise = new Mat[H];
        var states = Buffers.Uninitialized((H + 1) * N * S); // every step's [h, z] is copied in
        var actions = Buffers.Uninitialized(H * N * 2);
        var h = startDeter;
        var z = startStoch;
        for (var k = 0; k < H; k++)
        {
            var s = Mat.ConcatCols([h, z]);
            s.Span.CopyTo(states.AsSpan(k * N * S));
            actorCaches[k] = nets.Actor.Forward(actor, s);
            actorStats[k] = ActionStatsOf(actorCaches[k].Output, c.MinActionStd, c.MaxActionStd);
            (actionNoise[k], key) = DreamerLatent.Noise(key, N, 2);
            var a = Act(actorStats[k], actionNoise[k]);
            a.Span.CopyTo(actions.AsSpan(k * N * 2));
            gruCaches[k] = nets.Gru.Forward(w.Gru, [Mat.ConcatCols([z, a])], h);
            h = gruCaches[k].Last;
            priorCaches[k] = nets.Prior.Forward(w.Prior, h);
            priorStats[k] = DreamerLatent.Stats(priorCaches[k].Output, c.MinLatentStd);
            (latentNoise[k], key) = DreamerLatent.Noise(key, N, Zd);
            z = DreamerLatent.Sample(priorStats[k], latentNoise[k]);
        }
        Mat.ConcatCols([h, z]).Span.CopyTo(states.AsSpan(H * N * S));
        var stateMat = Mat.Own((H + 1) * N, S, states);
        var future = Mat.From(H * N, S, stateMat.Span.Slice(N * S)); // s_1 … s_H
        var rewardCache = nets.Reward.Forward(w.Reward, future);
        var valueCache = nets.Critic.Forward(slowCritic, future);
        var contLogits = nets.Continue.Predict(w.Continue, future);
        var rewards = new double[H * N];
        var values = new double[H * N];
        var continues = new double[H * N];
        for (var i = 0; i < H * N; i++)
        {
            rewards[i] = Activations.Symexp(rewardCache.Output.Values[i]);
            values[i] = Activations.Symexp(valueCache.Output.Values[i]);
            continues[i] = Activations.Sigmoid(contLogits.Values[i]);
        }
        var returns = LambdaReturns(rewards, continues, values, N, c.Gamma, c.Lambda);
        var weights = new double[H * N];
        for (var n = 0; n < N; n++)
        {
            var wk = 1.0;
            for (var k = 0; k < H; k++)
            {
                weights[k * N + n] = wk;
                wk *= c.Gamma * continues[k * N + n];
            }
        }
        var imagined = new Imagined(N, H, stateMat, Mat.Own(H * N, 2, actions), rewards.Freeze(), continues.Freeze(), values.Freeze(),
            returns, weights.Freeze());
        return new RolloutTrace(imagined, actorCaches, actorStats, actionNoise, gruCaches, priorCaches, priorStats, latentNoise,
            rewardCache, valueCache);
    }

    /// <summary>Per(x, q): the q-quantile of the values by linear interpolation between order statistics.</summary>
    public static double Percentile(ReadOnlySpan<double> values, double q)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return SortedPercentile(sorted, q);
    }

    /// <summary><see cref="Percentile"/> of values already in ascending order.</summary>
    private static double SortedPercentile(ReadOnlySpan<double> sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>What <see cref="Gradients"/> returns: the actor's and the critic's gradients, the new return scale and the report.</summary>
    public sealed record BehaviourGradient(Params ActorGrads, Params CriticGrads, double ReturnScale, BehaviourLoss Loss);

    /// <summary>
    /// The actor's and the critic's gradients on one imagined rollout from the given start states:
    /// <code>
    ///   S ← d·S + (1 − d)·(Per(R, 95) − Per(R, 5))                         (DreamerV3 return scale)
    ///   L_π = −(1/NH) Σ_k w_k R_k / max(1, S) − η (1/NH) Σ_k Σ_i log σ_π,i(s_k) + ζ (1/NH) Σ_k ‖μ_π(s_k)‖²
    ///                                                               (∂ through R: dynamics backprop)
    ///   L_v = (1/NH) Σ_k w_k (critic(sg s_k) − symlog sg R_k)²
    /// </code>
    /// </summary>
    public static BehaviourGradient Gradients(DreamerNets nets, WorldParams w, Params actor, Params critic, Params slowCritic,
        double returnScale, Mat startDeter, Mat startStoch, Key key, DreamerConfig c, IEvaluator? evaluator = null)
    {
        evaluator ??= Sequential.Instance;
        var (a, b) = RolloutShards(nets, w, actor, slowCritic, startDeter, startStoch, key, c, evaluator);
        var returns = b is null ? a.Imagined.Returns.AsSpan().ToArray() : [.. a.Imagined.Returns, .. b.Imagined.Returns];
        Array.Sort(returns);
        var range = SortedPercentile(returns, 0.95) - SortedPercentile(returns, 0.05);
        var scale = c.ReturnScaleDecay * returnScale + (1.0 - c.ReturnScaleDecay) * range;
        var total = returns.Length; // N·H: every shard's terms are divided by the whole batch's count, so the shards add up
        // every net's Wᵀ once for the 2·H backward steps (the weights do not change within the update)
        var weightsT = new BackwardWeights(nets.Actor.Transpose(actor), nets.Prior.Transpose(w.Prior), nets.Gru.Transpose(w.Gru),
            nets.Reward.Transpose(w.Reward), nets.Critic.Transpose(slowCritic));
        ShardGradient Of(RolloutTrace t)
        {
            var (actorGrads, actorLoss, actionStd) = ActorGradient(nets, w, actor, slowCritic, t, Math.Max(1.0, scale), total, weightsT, c);
            var (criticGrads, criticLoss) = CriticGradient(nets, critic, t.Imagined, total);
            var r0 = 0.0;
            for (var n = 0; n < t.Imagined.Starts; n++) r0 += t.Imagined.Returns[n];
            return new ShardGradient(actorGrads, criticGrads, actorLoss, criticLoss, actionStd, r0);
        }
        ShardGradient g;
        if (b is null) g = Of(a);
        else
        {
            var (ga, gb) = evaluator.Both(() => Of(a), () => Of(b));
            g = ga + gb;
        }
        var starts = startDeter.Rows;
        return new BehaviourGradient(g.Actor, g.Critic, scale, new BehaviourLoss(g.StartReturns / starts, g.ActorLoss, g.CriticLoss, g.ActionStd, scale));
    }

    /// <summary>Wᵀ of the nets the actor's gradient flows back through (<see cref="Transposes"/>).</summary>
    private sealed record BackwardWeights(Transposes Actor, Transposes Prior, Transposes Gru, Transposes Reward, Transposes Value);

    /// <summary>One shard's share of the actor's and the critic's gradients and losses (each already divided by the whole
    /// batch's N·H), and the sum of its starts' λ-returns R_0.</summary>
    private sealed record ShardGradient(Params Actor, Params Critic, double ActorLoss, double CriticLoss, double ActionStd, double StartReturns)
    {
        /// <summary>Shard A + shard B, term by term in that order.</summary>
        public static ShardGradient operator +(ShardGradient x, ShardGradient y) => new(x.Actor.Add(y.Actor), x.Critic.Add(y.Critic),
            x.ActorLoss + y.ActorLoss, x.CriticLoss + y.CriticLoss, x.ActionStd + y.ActionStd, x.StartReturns + y.StartReturns);
    }

    /// <summary>∇L_π by dynamics backprop through the imagined rollout (<see cref="Gradients"/>), with the returns divided by
    /// <paramref name="divisor"/> = max(1, S); also L_π and the mean σ of the actor's Gaussian.</summary>
    private static (Params Grads, double Loss, double ActionStd) ActorGradient(DreamerNets nets, WorldParams w, Params actor, Params slowCritic,
        RolloutTrace trace, double divisor, int total, BackwardWeights weightsT, DreamerConfig c)
    {
        var im = trace.Imagined;
        int N = im.Starts, H = im.Horizon, Hd = c.Deter, Zd = c.Stoch, S = c.StateSize, NH = N * H; // this shard's terms; every mean is over the whole batch's total

        // ---- actor objective and its gradient with respect to the λ-returns
        var dReturns = new double[NH];
        var objective = 0.0;
        for (var i = 0; i < NH; i++)
        {
            objective -= im.Weights[i] * im.Returns[i] / (divisor * total);
            dReturns[i] = -im.Weights[i] / (divisor * total);
        }
        var (dr, dv) = LambdaReturnsBackward(dReturns, im.Continues.AsSpan(), N, c.Gamma, c.Lambda);
        var dRewOut = new double[NH];
        var dValOut = new double[NH];
        for (var i = 0; i < NH; i++)
        {
            dRewOut[i] = dr[i] * Activations.SymexpDerivative(trace.RewardCache.Output.Values[i]);
            dValOut[i] = dv[i] * Activations.SymexpDerivative(trace.ValueCache.Output.Values[i]);
        }
        var dFuture = nets.Reward.InputGradient(w.Reward, trace.RewardCache, dRewOut, weightsT.Reward).Span.ToArray(); // ∂L/∂s_k for k = 1 … H, time-major
        Blas.AddTo(nets.Critic.InputGradient(slowCritic, trace.ValueCache, dValOut, weightsT.Value).Span, dFuture);

        // ---- backward through the imagined dynamics: prior, GRU, actor
        var dh = new double[N * Hd];   // ∂L/∂h_{k+1}, completed before GRU step k
        var dz = new double[N * Zd];   // ∂L/∂z_{k+1}
        var entropy = 0.0;
        var stdSum = 0.0;
        var meanPenalty = 0.0;
        // start with s_H: only the heads read it
        for (var n = 0; n < N; n++)
        {
            var row = (H - 1) * N + n;
            dFuture.AsSpan(row * S, Hd).CopyTo(dh.AsSpan(n * Hd, Hd));
            dFuture.AsSpan(row * S + Hd, Zd).CopyTo(dz.AsSpan(n * Zd, Zd));
        }
        var dStdZ = new double[N * Zd];
        var dRawAll = Buffers.Uninitialized(H * N * 4); // ∂L/∂(actor output) at every step, time-major
        var actions = im.Actions.Span;
        var dMeanA = new double[N * 2];
        var dStdA = new double[N * 2];
        for (var k = H - 1; k >= 0; k--)
        {
            // z_{k+1} = μ_p(h_{k+1}) + σ_p(h_{k+1}) ε′  →  ∂L/∂h_{k+1}
            var epsZ = trace.LatentNoise[k].Span;
            for (var i = 0; i < N * Zd; i++) dStdZ[i] = dz[i] * epsZ[i];
            Blas.AddTo(nets.Prior.InputGradient(w.Prior, trace.PriorCaches[k], DreamerLatent.StatsBackward(trace.PriorStats[k], dz, dStdZ).Span,
                weightsT.Prior).Span, dh);
            // h_{k+1} = GRU(h_k, [z_k, a_k])  →  ∂L/∂h_k, ∂L/∂z_k, ∂L/∂a_k
            var gruStep = nets.Gru.StepBackward(w.Gru, trace.GruCaches[k], dh, weightsT.Gru);
            var dx = gruStep.DX;
            var dh0 = gruStep.DH0.Span;
            // a_k = tanh(μ + σ ε)  →  actor
            var stats = trace.ActorStats[k];
            var epsA = trace.ActionNoise[k].Span;
            for (var n = 0; n < N; n++)
                for (var i = 0; i < 2; i++)
                {
                    var j = n * 2 + i;
                    var a = actions[(k * N + n) * 2 + i]; // a = tanh(μ + σε) from the rollout
                    var du = dx[n, Zd + i] * (1.0 - a * a);
                    dMeanA[j] = du + 2.0 * c.ActionMeanPenalty * stats.Mean.Values[j] / total;
                    meanPenalty += stats.Mean.Values[j] * stats.Mean.Values[j];
                    dStdA[j] = du * epsA[j] - c.EntropyWeight / (total * stats.Std.Values[j]);
                    entropy += Math.Log(stats.Std.Values[j]);
                    stdSum += stats.Std.Values[j];
                }
            var dRaw = dRawAll.AsSpan(k * N * 4, N * 4);
            for (var n = 0; n < N; n++)
                for (var i = 0; i < 2; i++)
                {
                    dRaw[n * 4 + i] = dMeanA[n * 2 + i];
                    var sg = Activations.Sigmoid(stats.Raw[n, 2 + i] + 2.0);
                    dRaw[n * 4 + 2 + i] = dStdA[n * 2 + i] * (c.MaxActionStd - c.MinActionStd) * sg * (1.0 - sg);
                }
            if (k == 0) break; // the start states are fixed (sg): nothing flows further back
            // ∂L/∂s_k = heads + GRU input/state + actor input
            var dActorIn = nets.Actor.InputGradient(actor, trace.ActorCaches[k], dRaw, weightsT.Actor).Span;
            for (var n = 0; n < N; n++)
            {
                var row = (k - 1) * N + n;
                for (var i = 0; i < Hd; i++)
                    dh[n * Hd + i] = dFuture[row * S + i] + dh0[n * Hd + i] + dActorIn[n * S + i];
                for (var i = 0; i < Zd; i++)
                    dz[n * Zd + i] = dFuture[row * S + Hd + i] + dx[n, i] + dActorIn[n * S + Hd + i];
            }
        }
        // ∂L/∂θ_π = Σ_k (the actor's backward pass at step k): one pass over all H·N imagined states at once
        var actorGrads = nets.Actor.Backward(actor, MlpCache.Stack(trace.ActorCaches), Mat.Own(H * N, 4, dRawAll)).Grads;
        var actorLoss = objective - c.EntropyWeight * entropy / total + c.ActionMeanPenalty * meanPenalty / total;
        return (actorGrads, actorLoss, stdSum / (2 * total));
    }

    /// <summary>∇L_v: regress symlog λ-returns on the (fixed) imagined states s_0 … s_{H−1} (<see cref="Gradients"/>); also L_v.</summary>
    private static (Params Grads, double Loss) CriticGradient(DreamerNets nets, Params critic, Imagined im, int total)
    {
        var rows = im.Starts * im.Horizon;
        var past = Mat.From(rows, im.States.Cols, im.States.Span.Slice(0, rows * im.States.Cols));
        var criticCache = nets.Critic.Forward(critic, past);
        var dCritic = Buffers.Uninitialized(rows);
        var criticLoss = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var d = criticCache.Output.Values[i] - Activations.Symlog(im.Returns[i]);
            criticLoss += im.Weights[i] * d * d / total;
            dCritic[i] = 2.0 * im.Weights[i] * d / total;
        }
        return (nets.Critic.Backward(critic, criticCache, Mat.Own(rows, 1, dCritic)).Grads, criticLoss);
    }
}
