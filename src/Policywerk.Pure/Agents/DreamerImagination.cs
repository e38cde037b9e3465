using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
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

/// <summary>One step of an imagined λ-return (<see cref="DreamerImagination.ExplainReturn"/>): the predicted reward r_{k+1},
/// continuation c_{k+1} and slow-critic value v_{k+1}, the next return R_{k+1} (v_H at the horizon) and R_k.</summary>
public sealed record LambdaStep(int Step, double Reward, double Continue, double Value, double NextReturn, double Return, double Gamma, double Lambda);

/// <summary>The actor's loss as its named terms (<see cref="DreamerImagination.ActorLoss"/>), and the mean σ of its Gaussian.</summary>
public sealed record ActorLossTerms(double Return, double Entropy, double MeanPenalty, double ActionStd)
{
    /// <summary>L_π = return term + entropy term + mean penalty.</summary>
    public double Total => Return + Entropy + MeanPenalty;

    /// <summary>Two parts' terms (independent starts of one batch) as the batch's.</summary>
    public static ActorLossTerms operator +(ActorLossTerms x, ActorLossTerms y) =>
        new(x.Return + y.Return, x.Entropy + y.Entropy, x.MeanPenalty + y.MeanPenalty, x.ActionStd + y.ActionStd);
}

/// <summary>An imagined rollout's forward pass with every cache the actor's backward pass needs (<see cref="DreamerImagination.Rollout"/>).</summary>
public sealed record ImaginedTrace(Imagined Imagined, ImmutableArray<MlpCache> ActorCaches, ImmutableArray<ActionStats> ActorStats,
    ImmutableArray<Mat> ActionNoise, ImmutableArray<GruCache> GruCaches, ImmutableArray<MlpCache> PriorCaches,
    ImmutableArray<LatentStats> PriorStats, ImmutableArray<Mat> LatentNoise, MlpCache RewardCache, MlpCache ValueCache);

/// <summary>Wᵀ of the nets the actor's gradient flows back through, computed once per update (<see cref="Transposes"/>).</summary>
public sealed record BehaviourTransposes(Transposes Actor, Transposes Prior, Transposes Gru, Transposes Reward, Transposes Value)
{
    /// <summary>The transposes of the actor, the world model's prior, GRU and reward head, and the slow critic.</summary>
    public static BehaviourTransposes Of(DreamerNets nets, WorldParams w, Params actor, Params slowCritic) =>
        new(nets.Actor.Transpose(actor), nets.Prior.Transpose(w.Prior), nets.Gru.Transpose(w.Gru), nets.Reward.Transpose(w.Reward),
            nets.Critic.Transpose(slowCritic));
}

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
public static partial class DreamerImagination
{
    /// <summary>
    /// R_k = r_{k+1} + γ c_{k+1} [(1 − λ) v_{k+1} + λ R_{k+1}] for k = H−1 … 0, with R_H = v_H (<see cref="Returns.Lambda"/>
    /// for every start; Hafner et al. 2020 eq. 6). All arrays are time-major over N columns: rewards, continues and values
    /// hold steps 1 … H ([H·N]); the result holds R_0 … R_{H−1} ([H·N]).
    /// </summary>
    public static ImmutableArray<double> LambdaReturns(ReadOnlySpan<double> rewards, ReadOnlySpan<double> continues,
        ReadOnlySpan<double> values, int starts, double gamma, double lambda)
    {
        var horizon = rewards.Length / starts;
        var returns = new double[horizon * starts];
        double[] r = new double[horizon], c = new double[horizon], v = new double[horizon];
        for (var n = 0; n < starts; n++)
        {
            for (var k = 0; k < horizon; k++)
            {
                r[k] = rewards[k * starts + n];
                c[k] = continues[k * starts + n];
                v[k] = values[k * starts + n];
            }
            var column = Returns.Lambda(r, v, c, gamma, lambda);
            for (var k = 0; k < horizon; k++) returns[k * starts + n] = column[k];
        }
        return returns.Freeze();
    }

    /// <summary>
    /// One step of the λ-return recursion of an imagined rollout, for start n at step k: R_k = r_{k+1} + γ c_{k+1}
    /// [(1 − λ) v_{k+1} + λ R_{k+1}] with R_H = v_H — the terms as <see cref="LambdaReturns"/> used them.
    /// </summary>
    public static LambdaStep ExplainReturn(Imagined im, int start, int k, double gamma, double lambda)
    {
        var j = k * im.Starts + start;
        var next = k + 1 < im.Horizon ? im.Returns[j + im.Starts] : im.Values[j];
        return new LambdaStep(k, im.Rewards[j], im.Continues[j], im.Values[j], next, im.Returns[j], gamma, lambda);
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

    /// <summary>μ = raw[:, :d], σ = (σ_max − σ_min)·sigmoid(raw[:, d:] + 2) + σ_min, d the action size.</summary>
    public static ActionStats ActionStatsOf(Mat raw, double minStd, double maxStd)
    {
        int rows = raw.Rows, d = raw.Cols / 2;
        var mean = new double[rows * d];
        var std = new double[rows * d];
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < d; i++)
            {
                mean[r * d + i] = raw[r, i];
                std[r * d + i] = raw[r, d + i] + 2.0;
            }
        VecMath.Sigmoid(std, std);
        for (var i = 0; i < std.Length; i++) std[i] = (maxStd - minStd) * std[i] + minStd;
        return new ActionStats(Mat.Own(rows, d, mean), Mat.Own(rows, d, std), raw);
    }

    /// <summary>a = tanh(μ + σ ⊙ ε), or tanh(μ) when ε is null (the greedy action).</summary>
    public static Mat Act(ActionStats stats, Mat? eps)
    {
        var a = new double[stats.Mean.Values.Length];
        for (var i = 0; i < a.Length; i++) a[i] = stats.Mean.Values[i] + (eps is null ? 0.0 : stats.Std.Values[i] * eps.Values[i]);
        VecMath.Tanh(a, a);
        return Mat.Own(stats.Mean.Rows, stats.Mean.Cols, a);
    }

    /// <summary>
    /// The forward pass of an imagined rollout from the N start states, with every cache the actor's backward pass needs:
    /// a_k = tanh(μ_π(s_k) + σ_π(s_k) ε), h_{k+1} = GRU(h_k, [z_k, a_k]), z_{k+1} = μ_p(h_{k+1}) + σ_p(h_{k+1}) ε′, then
    /// rewards r̂ = symexp(rew(s)), continuations ĉ = σ(cont(s)), slow-critic values v = symexp(critic⁻(s)), the λ-returns
    /// and their weights w_k = Π_{j&lt;k} γ ĉ_{j+1}.
    /// </summary>
    public static ImaginedTrace Rollout(DreamerConfig c, DreamerNets nets, WorldParams w, Params actor, Params slowCritic, Mat startDeter, Mat startStoch,
        Key key)
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
        var A = nets.ActionSize;
        var actions = Buffers.Uninitialized(H * N * A);
        var h = startDeter;
        var z = startStoch;
        for (var k = 0; k < H; k++)
        {
            var s = Mat.ConcatCols([h, z]);
            s.Span.CopyTo(states.AsSpan(k * N * S));
            actorCaches[k] = nets.Actor.Forward(actor, s);
            actorStats[k] = ActionStatsOf(actorCaches[k].Output, c.MinActionStd, c.MaxActionStd);
            (actionNoise[k], key) = DreamerLatent.Noise(key, N, A);
            var a = Act(actorStats[k], actionNoise[k]);
            a.Span.CopyTo(actions.AsSpan(k * N * A));
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
        var imagined = new Imagined(N, H, stateMat, Mat.Own(H * N, A, actions), rewards.Freeze(), continues.Freeze(), values.Freeze(),
            returns, weights.Freeze());
        return new ImaginedTrace(imagined, [.. actorCaches], [.. actorStats], [.. actionNoise], [.. gruCaches], [.. priorCaches], [.. priorStats],
            [.. latentNoise], rewardCache, valueCache);
    }

    /// <summary>
    /// The actor's loss on an imagined rollout, as its named terms (each divided by <paramref name="n"/>, the whole batch's N·H),
    /// with the returns divided by max(1, S) (DreamerV3's return scale):
    /// <code>
    ///   L_π = −(1/n) Σ_k w_k R_k / max(1, S)            return: ∂ flows through R into the dynamics (dynamics backprop)
    ///         − η (1/n) Σ_k Σ_i log σ_π,i(s_k)          entropy bonus (the Gaussian's, up to a constant)
    ///         + ζ (1/n) Σ_k ‖μ_π(s_k)‖²                  mean penalty: keeps μ out of tanh's flat tails
    /// </code>
    /// </summary>
    public static ActorLossTerms ActorLoss(DreamerConfig c, ImaginedTrace trace, double returnScale, int n)
    {
        var im = trace.Imagined;
        var divisor = Math.Max(1.0, returnScale);
        var objective = 0.0;
        for (var i = 0; i < im.Returns.Length; i++) objective -= im.Weights[i] * im.Returns[i] / (divisor * n);
        double logStd = 0.0, meanSquare = 0.0, std = 0.0;
        for (var k = im.Horizon - 1; k >= 0; k--)
        {
            var stats = trace.ActorStats[k];
            for (var j = 0; j < stats.Std.Values.Length; j++)
            {
                meanSquare += stats.Mean.Values[j] * stats.Mean.Values[j];
                logStd += Math.Log(stats.Std.Values[j]);
                std += stats.Std.Values[j];
            }
        }
        return new ActorLossTerms(objective, -c.EntropyWeight * logStd / n, c.ActionMeanPenalty * meanSquare / n, std / (trace.ActorStats[0].Std.Cols * n));
    }

    /// <summary>
    /// The critic's forward pass and loss: regress symlog λ-returns on the (fixed) imagined states s_0 … s_{H−1},
    /// L_v = (1/n) Σ_k w_k (critic(sg s_k) − symlog sg R_k)².
    /// </summary>
    public static (double Loss, MlpCache Cache) CriticLoss(DreamerNets nets, Params critic, Imagined im, int n)
    {
        var rows = im.Starts * im.Horizon;
        var cache = nets.Critic.Forward(critic, Mat.From(rows, im.States.Cols, im.States.Span.Slice(0, rows * im.States.Cols)));
        var loss = 0.0;
        for (var i = 0; i < rows; i++)
        {
            var d = cache.Output.Values[i] - Activations.Symlog(im.Returns[i]);
            loss += im.Weights[i] * d * d / n;
        }
        return (loss, cache);
    }

    /// <summary>S′ = d·S + (1 − d)·(Per(R, 95) − Per(R, 5)) over every imagined λ-return R (DreamerV3's return scale).</summary>
    public static double ReturnScale(DreamerConfig c, double scale, IEnumerable<Imagined> rollouts)
    {
        double[] returns = [.. rollouts.SelectMany(im => im.Returns)];
        Array.Sort(returns);
        var range = Statistics.SortedPercentile(returns, 0.95) - Statistics.SortedPercentile(returns, 0.05);
        return c.ReturnScaleDecay * scale + (1.0 - c.ReturnScaleDecay) * range;
    }
}

/// <summary>
/// The actor's and the critic's gradients and losses on an imagined rollout (each divided by the whole batch's n = N·H),
/// and the sum of its starts' λ-returns R_0.
/// </summary>
public sealed record BehaviourGradient(Params Actor, Params Critic, ActorLossTerms ActorLoss, double CriticLoss, double StartReturns)
{
    /// <summary>∇L_π (<see cref="DreamerImagination.ActorLoss"/>, <see cref="DreamerImagination.ActorBackward"/>) and ∇L_v
    /// (<see cref="DreamerImagination.CriticLoss"/>, <see cref="DreamerImagination.CriticBackward"/>) on one rollout.</summary>
    public static BehaviourGradient Of(DreamerConfig c, DreamerNets nets, WorldParams w, Params actor, Params critic, Params slowCritic,
        ImaginedTrace trace, double returnScale, int n, BehaviourTransposes transposes)
    {
        var actorLoss = DreamerImagination.ActorLoss(c, trace, returnScale, n);
        var actorGrads = DreamerImagination.ActorBackward(c, nets, w, actor, slowCritic, trace, returnScale, n, transposes);
        var (criticLoss, criticCache) = DreamerImagination.CriticLoss(nets, critic, trace.Imagined, n);
        var r0 = 0.0;
        for (var i = 0; i < trace.Imagined.Starts; i++) r0 += trace.Imagined.Returns[i];
        return new BehaviourGradient(actorGrads, DreamerImagination.CriticBackward(nets, critic, trace.Imagined, criticCache, n), actorLoss,
            criticLoss, r0);
    }

    /// <summary>Two rollouts' parts as one batch's, term by term (x's first).</summary>
    public static BehaviourGradient operator +(BehaviourGradient x, BehaviourGradient y) => new(x.Actor.Add(y.Actor), x.Critic.Add(y.Critic),
        x.ActorLoss + y.ActorLoss, x.CriticLoss + y.CriticLoss, x.StartReturns + y.StartReturns);
}
