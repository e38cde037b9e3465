using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

/// <summary>A batch of diagonal Gaussians N(μ, diag σ²): row i is one distribution; <see cref="Raw"/> is the head's
/// output [μ | ρ] with σ = softplus(ρ) + σ_min.</summary>
public sealed record LatentStats(Mat Mean, Mat Std, Mat Raw);

/// <summary>What <see cref="DreamerLatent.BalancedKl"/> returns: the loss, the mean KL(q ‖ p) per row, and the
/// gradients of the loss with respect to the posterior's and the prior's μ and σ.</summary>
public sealed record KlTerms(double Loss, double Kl, Mat DPostMean, Mat DPostStd, Mat DPriorMean, Mat DPriorStd);

/// <summary>The stochastic latent of the RSSM: Gaussian statistics from a head's output, reparameterised samples, the
/// KL divergence between posterior and prior with its gradients, and DreamerV3's KL balancing with free bits.</summary>
/// <remarks>
/// Why a diagonal Gaussian and not DreamerV3's 32 categoricals: the actor is trained by backpropagating imagined
/// returns through the learned dynamics (see <see cref="DreamerImagination"/>), and a reparameterised Gaussian
/// z = μ + σ ⊙ ε is differentiable in μ and σ, so the whole imagined rollout is one differentiable function of the
/// actor's parameters, with no straight-through estimator. The point mass is unimodal and smooth; the categorical
/// latent's advantage (multi-modal, discrete worlds such as Atari) does not show here.
/// </remarks>
public static class DreamerLatent
{
    /// <summary>μ = raw[:, :Z], σ = softplus(raw[:, Z:]) + σ_min.</summary>
    public static LatentStats Stats(Mat raw, double minStd)
    {
        var z = raw.Cols / 2;
        var mean = new double[raw.Rows * z];
        var std = new double[raw.Rows * z];
        for (var r = 0; r < raw.Rows; r++)
        {
            var row = raw.Row(r);
            row.Slice(0, z).CopyTo(mean.AsSpan(r * z, z));
            var sigma = std.AsSpan(r * z, z);
            VecMath.Softplus(row.Slice(z, z), sigma);
            for (var i = 0; i < z; i++) sigma[i] += minStd;
        }
        return new LatentStats(Mat.Own(raw.Rows, z, mean), Mat.Own(raw.Rows, z, std), raw);
    }

    /// <summary>∂L/∂raw = [∂L/∂μ | ∂L/∂σ ⊙ sigmoid(ρ)].</summary>
    public static Mat StatsBackward(LatentStats stats, ReadOnlySpan<double> dMean, ReadOnlySpan<double> dStd)
    {
        var rows = stats.Mean.Rows;
        var z = stats.Mean.Cols;
        var d = new double[rows * 2 * z];
        var raw = stats.Raw.Span;
        for (var r = 0; r < rows; r++)
        {
            dMean.Slice(r * z, z).CopyTo(d.AsSpan(r * 2 * z, z));
            var slope = d.AsSpan(r * 2 * z + z, z);
            VecMath.Sigmoid(raw.Slice(r * 2 * z + z, z), slope); // softplus′(ρ) = σ(ρ)
            for (var i = 0; i < z; i++) slope[i] = dStd[r * z + i] * slope[i];
        }
        return Mat.Own(rows, 2 * z, d);
    }

    /// <summary>ε ~ N(0, I) as a <paramref name="rows"/> × <paramref name="cols"/> matrix.</summary>
    public static Draw<Mat> Noise(Key key, int rows, int cols)
    {
        var (eps, next) = key.NextGaussians(rows * cols);
        return new Draw<Mat>(new Mat(rows, cols, eps), next);
    }

    /// <summary>z = μ + σ ⊙ ε (the reparameterisation trick: ∂z/∂μ = 1, ∂z/∂σ = ε).</summary>
    public static Mat Sample(LatentStats stats, Mat eps)
    {
        var z = new double[eps.Values.Length];
        var mean = stats.Mean.Span;
        var std = stats.Std.Span;
        var e = eps.Span;
        for (var i = 0; i < z.Length; i++) z[i] = mean[i] + std[i] * e[i];
        return Mat.Own(eps.Rows, eps.Cols, z);
    }

    /// <summary>KL(q ‖ p) = Σ_i [log σ_p,i − log σ_q,i + (σ_q,i² + (μ_q,i − μ_p,i)²)/(2σ_p,i²) − ½] for each row.</summary>
    public static ImmutableArray<double> Kl(LatentStats q, LatentStats p)
    {
        var rows = q.Mean.Rows;
        var z = q.Mean.Cols;
        var kl = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < z; i++)
            {
                double mq = q.Mean[r, i], sq = q.Std[r, i], mp = p.Mean[r, i], sp = p.Std[r, i], d = mq - mp;
                sum += Math.Log(sp) - Math.Log(sq) + (sq * sq + d * d) / (2.0 * sp * sp) - 0.5;
            }
            kl[r] = sum;
        }
        return kl.Freeze();
    }

    /// <summary>
    /// DreamerV3's KL loss with balancing and free bits, averaged over the n rows (or divided by <paramref name="total"/>, the
    /// rows of the whole batch when these are one shard of it):
    /// L = (1/n) Σ_rows [β_dyn·max(F, KL(sg(q) ‖ p)) + β_rep·max(F, KL(q ‖ sg(p)))].
    /// Both KLs have the value KL(q ‖ p); they differ in where the gradient goes: the dynamics term trains the prior
    /// toward the posterior, the representation term (smaller) pulls the posterior toward what the prior can predict.
    /// Below F nats a row gives no gradient (free bits). With Δ = μ_q − μ_p:
    /// ∂KL/∂μ_q = Δ/σ_p², ∂KL/∂σ_q = σ_q/σ_p² − 1/σ_q, ∂KL/∂μ_p = −Δ/σ_p², ∂KL/∂σ_p = 1/σ_p − (σ_q² + Δ²)/σ_p³.
    /// </summary>
    public static KlTerms BalancedKl(LatentStats q, LatentStats p, double freeBits, double dynamicsWeight, double representationWeight,
        int? total = null)
    {
        var rows = q.Mean.Rows;
        var divisor = total ?? rows;
        var z = q.Mean.Cols;
        var kl = Kl(q, p);
        double[] dmq = new double[rows * z], dsq = new double[rows * z], dmp = new double[rows * z], dsp = new double[rows * z];
        double loss = 0.0, klSum = 0.0;
        for (var r = 0; r < rows; r++)
        {
            klSum += kl[r];
            loss += (dynamicsWeight + representationWeight) * Math.Max(freeBits, kl[r]);
            if (kl[r] <= freeBits) continue;
            double rep = representationWeight / divisor, dyn = dynamicsWeight / divisor;
            for (var i = 0; i < z; i++)
            {
                double mq = q.Mean[r, i], sq = q.Std[r, i], mp = p.Mean[r, i], sp = p.Std[r, i], d = mq - mp, vp = sp * sp;
                var j = r * z + i;
                dmq[j] = rep * d / vp;
                dsq[j] = rep * (sq / vp - 1.0 / sq);
                dmp[j] = -dyn * d / vp;
                dsp[j] = dyn * (1.0 / sp - (sq * sq + d * d) / (vp * sp));
            }
        }
        return new KlTerms(loss / divisor, klSum / divisor,
            Mat.Own(rows, z, dmq), Mat.Own(rows, z, dsq), Mat.Own(rows, z, dmp), Mat.Own(rows, z, dsp));
    }
}
