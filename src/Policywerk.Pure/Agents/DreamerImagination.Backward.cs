using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

public static partial class DreamerImagination
{
    /// <summary>
    /// ∇_θπ L_π of <see cref="ActorLoss"/> by dynamics backprop: ∂L/∂R_k = −w_k/(max(1, S)·n) back through the λ-returns
    /// (<see cref="LambdaReturnsBackward"/>, ĉ held fixed) into the reward head and the slow critic, then k = H−1 … 0
    /// through the prior's sample z_{k+1} = μ_p + σ_p ⊙ ε′, the GRU and the action a_k = tanh(μ_π + σ_π ε) into the actor,
    /// adding at every step the entropy's −η/(n σ) and the mean penalty's 2ζμ/n. The start states are fixed (sg).
    /// <paramref name="transposes"/> are the nets' Wᵀ, computed once per update.
    /// </summary>
    public static Params ActorBackward(DreamerConfig c, DreamerNets nets, WorldParams w, Params actor, Params slowCritic,
        ImaginedTrace trace, double returnScale, int n, BehaviourTransposes transposes)
    {
        var im = trace.Imagined;
        int N = im.Starts, H = im.Horizon, Hd = c.Deter, Zd = c.Stoch, S = c.StateSize, NH = N * H, A = nets.ActionSize;
        var divisor = Math.Max(1.0, returnScale);

        // ---- ∂L/∂R_k, then back through the λ-returns into the reward head and the slow critic
        var dReturns = new double[NH];
        for (var i = 0; i < NH; i++) dReturns[i] = -im.Weights[i] / (divisor * n);
        var (dr, dv) = LambdaReturnsBackward(dReturns, im.Continues.AsSpan(), N, c.Gamma, c.Lambda);
        var dRewOut = new double[NH];
        var dValOut = new double[NH];
        for (var i = 0; i < NH; i++)
        {
            dRewOut[i] = dr[i] * Activations.SymexpDerivative(trace.RewardCache.Output.Values[i]);
            dValOut[i] = dv[i] * Activations.SymexpDerivative(trace.ValueCache.Output.Values[i]);
        }
        var dFuture = nets.Reward.InputGradient(w.Reward, trace.RewardCache, dRewOut, transposes.Reward).Span.ToArray(); // ∂L/∂s_k for k = 1 … H, time-major
        Blas.AddTo(nets.Critic.InputGradient(slowCritic, trace.ValueCache, dValOut, transposes.Value).Span, dFuture);

        // ---- backward through the imagined dynamics: prior, GRU, actor
        var dh = new double[N * Hd];   // ∂L/∂h_{k+1}, completed before GRU step k
        var dz = new double[N * Zd];   // ∂L/∂z_{k+1}
        // start with s_H: only the heads read it
        for (var b = 0; b < N; b++)
        {
            var row = (H - 1) * N + b;
            dFuture.AsSpan(row * S, Hd).CopyTo(dh.AsSpan(b * Hd, Hd));
            dFuture.AsSpan(row * S + Hd, Zd).CopyTo(dz.AsSpan(b * Zd, Zd));
        }
        var dStdZ = new double[N * Zd];
        var dRawAll = Buffers.Uninitialized(H * N * 2 * A); // ∂L/∂(actor output) at every step, time-major
        var actions = im.Actions.Span;
        var dMeanA = new double[N * A];
        var dStdA = new double[N * A];
        for (var k = H - 1; k >= 0; k--)
        {
            // z_{k+1} = μ_p(h_{k+1}) + σ_p(h_{k+1}) ε′  →  ∂L/∂h_{k+1}
            var epsZ = trace.LatentNoise[k].Span;
            for (var i = 0; i < N * Zd; i++) dStdZ[i] = dz[i] * epsZ[i];
            Blas.AddTo(nets.Prior.InputGradient(w.Prior, trace.PriorCaches[k], DreamerLatent.StatsBackward(trace.PriorStats[k], dz, dStdZ).Span,
                transposes.Prior).Span, dh);
            // h_{k+1} = GRU(h_k, [z_k, a_k])  →  ∂L/∂h_k, ∂L/∂z_k, ∂L/∂a_k
            var gruStep = nets.Gru.StepBackward(w.Gru, trace.GruCaches[k], dh, transposes.Gru);
            var dx = gruStep.DX;
            var dh0 = gruStep.DH0.Span;
            // a_k = tanh(μ + σ ε)  →  actor, with the entropy's and the mean penalty's own gradients
            var stats = trace.ActorStats[k];
            var epsA = trace.ActionNoise[k].Span;
            for (var b = 0; b < N; b++)
                for (var i = 0; i < A; i++)
                {
                    var j = b * A + i;
                    var a = actions[(k * N + b) * A + i]; // a = tanh(μ + σε) from the rollout
                    var du = dx[b, Zd + i] * (1.0 - a * a);
                    dMeanA[j] = du + 2.0 * c.ActionMeanPenalty * stats.Mean.Values[j] / n;
                    dStdA[j] = du * epsA[j] - c.EntropyWeight / (n * stats.Std.Values[j]);
                }
            var dRaw = dRawAll.AsSpan(k * N * 2 * A, N * 2 * A);
            for (var b = 0; b < N; b++)
                for (var i = 0; i < A; i++)
                {
                    dRaw[b * 2 * A + i] = dMeanA[b * A + i];
                    var sg = Activations.Sigmoid(stats.Raw[b, A + i] + 2.0);
                    dRaw[b * 2 * A + A + i] = dStdA[b * A + i] * (c.MaxActionStd - c.MinActionStd) * sg * (1.0 - sg);
                }
            if (k == 0) break; // the start states are fixed (sg): nothing flows further back
            // ∂L/∂s_k = heads + GRU input/state + actor input
            var dActorIn = nets.Actor.InputGradient(actor, trace.ActorCaches[k], dRaw, transposes.Actor).Span;
            for (var b = 0; b < N; b++)
            {
                var row = (k - 1) * N + b;
                for (var i = 0; i < Hd; i++)
                    dh[b * Hd + i] = dFuture[row * S + i] + dh0[b * Hd + i] + dActorIn[b * S + i];
                for (var i = 0; i < Zd; i++)
                    dz[b * Zd + i] = dFuture[row * S + Hd + i] + dx[b, i] + dActorIn[b * S + Hd + i];
            }
        }
        // ∂L/∂θ_π = Σ_k (the actor's backward pass at step k): one pass over all H·N imagined states at once
        return nets.Actor.Backward(actor, MlpCache.Stack(trace.ActorCaches), Mat.Own(H * N, 2 * A, dRawAll)).Grads;
    }

    /// <summary>∇L_v of <see cref="CriticLoss"/>: ∂L_v/∂critic(s_k) = 2 w_k (critic(s_k) − symlog R_k)/n, back through the critic.</summary>
    public static Params CriticBackward(DreamerNets nets, Params critic, Imagined im, MlpCache cache, int n)
    {
        var rows = im.Starts * im.Horizon;
        var dCritic = Buffers.Uninitialized(rows);
        for (var i = 0; i < rows; i++)
            dCritic[i] = 2.0 * im.Weights[i] * (cache.Output.Values[i] - Activations.Symlog(im.Returns[i])) / n;
        return nets.Critic.Backward(critic, cache, Mat.Own(rows, 1, dCritic)).Grads;
    }
}
