using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

public static partial class DreamerRssm
{
    /// <summary>
    /// ∇_θ L of <see cref="Loss"/> by backpropagation through time: each term's gradient at its head's output
    /// (∂L_rec/∂dec from the keypoint decoder's backward pass, ∂L_rew/∂rew = 2β_r m (rew − symlog r)/n,
    /// ∂L_cont/∂ℓ = (σ(ℓ) − c)/n, the balanced KL's from <see cref="DreamerLatent.BalancedKlBackward"/>), back through the
    /// heads and the prior, then t = T−1 … 0 through the posterior's sample z_t = μ_q + σ_q ⊙ ε_t (∂z/∂μ = 1, ∂z/∂σ = ε)
    /// and the GRU, and last through the encoder.
    /// </summary>
    public static WorldParams Backward(DreamerConfig c, DreamerNets nets, WorldParams w, DreamerBatch batch, WorldForward f, WorldLossCache loss, int n)
    {
        int B = batch.Batch, T = batch.Length, rows = B * T, Hd = c.Deter, Zd = c.Stoch, Ed = c.Embed, S = c.StateSize;
        // each cache by itself, so that the heads' and the prior's can be collected once their part is done
        var (points, encoder, gru, posteriorNet, posteriorSteps, noise, _, _, posterior, priorNet, prior, decoder, reward, cont) = f;

        // ---- each term's gradient at its head's output
        var dDec = nets.Keypoints.Backward(loss.Reconstruction, 1.0 / n);
        double[] dRew = new double[rows], dCont = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            var d = reward.Output.Values[i] - Activations.Symlog(batch.Rewards[i]);
            dRew[i] = 2.0 * c.RewardWeight * batch.RewardMask[i] * d / n;
            dCont[i] = (Activations.Sigmoid(cont.Output.Values[i]) - batch.Continues[i]) / n;
        }
        var dKl = DreamerLatent.BalancedKlBackward(posterior, prior, loss.Kl, c.FreeBits, c.DynamicsWeight, c.RepresentationWeight, n);

        // ---- heads and prior
        var gDec = nets.Decoder.Backward(w.Decoder, decoder, dDec, inputGradient: true);
        var gRew = nets.Reward.Backward(w.Reward, reward, Mat.Own(rows, 1, dRew), inputGradient: true);
        var gCont = nets.Continue.Backward(w.Continue, cont, Mat.Own(rows, 1, dCont), inputGradient: true);
        var dState = new double[rows * S];
        Blas.AddTo(gDec.DInput!.Span, dState);
        Blas.AddTo(gRew.DInput!.Span, dState);
        Blas.AddTo(gCont.DInput!.Span, dState);
        var gPrior = nets.Prior.Backward(w.Prior, priorNet, DreamerLatent.StatsBackward(prior, dKl.DPriorMean.Span, dKl.DPriorStd.Span),
            inputGradient: true);
        var dhPrior = gPrior.DInput!.Span;

        // ---- backward through time: posterior, GRU
        var postT = nets.Posterior.Transpose(w.Posterior); // Wᵀ once for the T steps
        var gruT = nets.Gru.Transpose(w.Gru);
        var dPostOut = new Mat[T];                          // ∂L/∂(posterior output) and the GRU's gate gradients per step,
        var gruSteps = new GruStepGrads[T];                 // for one parameter gradient over all steps at the end
        var dEmbed = new double[rows * Ed];
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
                    dMean[b * Zd + i] = dz + dKl.DPostMean.Values[row * Zd + i];
                    dStd[b * Zd + i] = dz * eps[b * Zd + i] + dKl.DPostStd.Values[row * Zd + i];
                }
            }
            dPostOut[t] = DreamerLatent.StatsBackward(posteriorSteps[t], dMean, dStd);
            var dPostIn = nets.Posterior.InputGradient(w.Posterior, posteriorNet[t], dPostOut[t].Span, postT).Span;
            for (var b = 0; b < B; b++)
            {
                var row = t * B + b;
                for (var i = 0; i < Hd; i++)
                    dh[b * Hd + i] = dState[row * S + i] + dhPrior[row * Hd + i] + dPostIn[b * (Hd + Ed) + i] + dhNext[b * Hd + i];
                dPostIn.Slice(b * (Hd + Ed) + Hd, Ed).CopyTo(dEmbed.AsSpan(row * Ed, Ed));
            }
            gruSteps[t] = nets.Gru.StepBackward(w.Gru, gru[t], dh, gruT);
            gruSteps[t].DH0.Span.CopyTo(dhNext);
            for (var b = 0; b < B; b++)
                gruSteps[t].DX.Row(b).Slice(0, Zd).CopyTo(dzNext.AsSpan(b * Zd, Zd));
        }
        var postGrad = nets.Posterior.Backward(w.Posterior, MlpCache.Stack(posteriorNet), Mat.StackRows(dPostOut)).Grads;
        var gruGrad = nets.Gru.ParameterGradient(gru, gruSteps);

        // ---- encoder
        var gEnc = nets.Encoder.Backward(w.Encoder, encoder, Mat.Own(rows, Ed, dEmbed), inputGradient: true);
        var gPoints = nets.Points.Backward(w.Points, points, gEnc.DInput!);
        return new WorldParams(gPoints, gEnc.Grads, gruGrad, gPrior.Grads, postGrad, gDec.Grads, gRew.Grads, gCont.Grads);
    }
}
