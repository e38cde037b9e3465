using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

/// <summary>A batch of diagonal Gaussians N(μ, diag σ²): row i is one distribution; <see cref="Raw"/> is the head's
/// output [μ | ρ] with σ = softplus(ρ) + σ_min.</summary>
public sealed record LatentStats(Mat Mean, Mat Std, Mat Raw);

/// <summary>The balanced KL terms of <see cref="DreamerLatent.BalancedKl"/>: β_dyn·max(F, KL(sg(q) ‖ p)) and
/// β_rep·max(F, KL(q ‖ sg(p))) as means over the rows, the mean KL(q ‖ p) before free bits, and KL(q ‖ p) row by row.</summary>
public sealed record KlBalance(double Dynamics, double Representation, double Kl, ImmutableArray<double> PerRow);

/// <summary>The gradient of the balanced KL terms with respect to the posterior's and the prior's μ and σ.</summary>
public sealed record KlGradient(Mat DPostMean, Mat DPostStd, Mat DPriorMean, Mat DPriorStd);

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

    /// <summary>KL(q ‖ p) for each row (<see cref="DiagGaussian.KlOfStd"/>).</summary>
    public static ImmutableArray<double> Kl(LatentStats q, LatentStats p)
    {
        var kl = new double[q.Mean.Rows];
        for (var r = 0; r < kl.Length; r++) kl[r] = DiagGaussian.KlOfStd(q.Mean.Row(r), q.Std.Row(r), p.Mean.Row(r), p.Std.Row(r));
        return kl.Freeze();
    }

    /// <summary>
    /// DreamerV3's KL terms with balancing and free bits, each a mean over the rows (divided by <paramref name="n"/>, the
    /// rows the batch's means are over):
    /// <code>
    ///   L_dyn = (β_dyn/n) Σ_rows max(F, KL(sg(q) ‖ p))      trains the prior toward the posterior
    ///   L_rep = (β_rep/n) Σ_rows max(F, KL(q ‖ sg(p)))      keeps the posterior predictable (β_rep &lt; β_dyn)
    /// </code>
    /// Both KLs have the value KL(q ‖ p); the stop-gradients sg only decide where each term's gradient goes
    /// (<see cref="BalancedKlBackward"/>). Below F nats a row gives no gradient (free bits).
    /// </summary>
    public static KlBalance BalancedKl(LatentStats q, LatentStats p, double freeBits, double dynamicsWeight, double representationWeight, int n)
    {
        var kl = Kl(q, p);
        double clipped = 0.0, sum = 0.0;
        foreach (var k in kl)
        {
            sum += k;
            clipped += Math.Max(freeBits, k);
        }
        return new KlBalance(dynamicsWeight * clipped / n, representationWeight * clipped / n, sum / n, kl);
    }

    /// <summary>
    /// ∂(L_dyn + L_rep)/∂(μ_q, σ_q, μ_p, σ_p) of <see cref="BalancedKl"/>: zero on rows with KL ≤ F; elsewhere, with
    /// Δ = μ_q − μ_p, the representation term reaches the posterior and the dynamics term the prior:
    /// ∂/∂μ_q = (β_rep/n) Δ/σ_p², ∂/∂σ_q = (β_rep/n)(σ_q/σ_p² − 1/σ_q), ∂/∂μ_p = −(β_dyn/n) Δ/σ_p²,
    /// ∂/∂σ_p = (β_dyn/n)(1/σ_p − (σ_q² + Δ²)/σ_p³).
    /// </summary>
    public static KlGradient BalancedKlBackward(LatentStats q, LatentStats p, KlBalance balance, double freeBits, double dynamicsWeight,
        double representationWeight, int n)
    {
        var rows = q.Mean.Rows;
        var z = q.Mean.Cols;
        double[] dmq = new double[rows * z], dsq = new double[rows * z], dmp = new double[rows * z], dsp = new double[rows * z];
        double rep = representationWeight / n, dyn = dynamicsWeight / n;
        for (var r = 0; r < rows; r++)
        {
            if (balance.PerRow[r] <= freeBits) continue;
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
        return new KlGradient(Mat.Own(rows, z, dmq), Mat.Own(rows, z, dsq), Mat.Own(rows, z, dmp), Mat.Own(rows, z, dsp));
    }
}
