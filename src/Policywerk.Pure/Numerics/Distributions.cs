using System.Collections.Immutable;

namespace Policywerk.Pure.Numerics;

/// <summary>A categorical distribution given by unnormalised logits: p_k = softmax(logits)_k.</summary>
public static class Categorical
{
    /// <summary>k ~ p by inverting the cumulative distribution with one uniform draw from <paramref name="key"/>.</summary>
    public static Draw<int> Sample(Key key, ReadOnlySpan<double> logits)
    {
        var (u, next) = key.NextDouble();
        var lse = Activations.LogSumExp(logits);
        var cumulative = 0.0;
        for (var k = 0; k < logits.Length - 1; k++)
        {
            cumulative += Math.Exp(logits[k] - lse);
            if (u < cumulative) return new Draw<int>(k, next);
        }
        return new Draw<int>(logits.Length - 1, next);
    }

    /// <summary>log p_a = logits_a − log Σ_k e^{logits_k}.</summary>
    public static double LogProb(ReadOnlySpan<double> logits, int a) => logits[a] - Activations.LogSumExp(logits);

    /// <summary>∂ log p_a / ∂logits_k = [k = a] − p_k.</summary>
    public static ImmutableArray<double> LogProbGrad(ReadOnlySpan<double> logits, int a)
    {
        var g = new double[logits.Length];
        Activations.Softmax(logits, g);
        for (var k = 0; k < g.Length; k++) g[k] = (k == a ? 1.0 : 0.0) - g[k];
        return g.Freeze();
    }

    /// <summary>H(p) = −Σ_k p_k log p_k.</summary>
    public static double Entropy(ReadOnlySpan<double> logits)
    {
        var lse = Activations.LogSumExp(logits);
        var h = 0.0;
        foreach (var z in logits)
        {
            var logP = z - lse;
            h -= Math.Exp(logP) * logP;
        }
        return h;
    }

    /// <summary>∂H/∂logits_k = −p_k (log p_k + H).</summary>
    public static ImmutableArray<double> EntropyGrad(ReadOnlySpan<double> logits)
    {
        var lse = Activations.LogSumExp(logits);
        var h = Entropy(logits);
        var g = new double[logits.Length];
        for (var k = 0; k < g.Length; k++)
        {
            var logP = logits[k] - lse;
            g[k] = -Math.Exp(logP) * (logP + h);
        }
        return g.Freeze();
    }

    /// <summary>KL(p ‖ q) = Σ_k p_k (log p_k − log q_k), both given by logits.</summary>
    public static double Kl(ReadOnlySpan<double> logitsP, ReadOnlySpan<double> logitsQ)
    {
        double lseP = Activations.LogSumExp(logitsP), lseQ = Activations.LogSumExp(logitsQ), kl = 0.0;
        for (var k = 0; k < logitsP.Length; k++)
        {
            var logP = logitsP[k] - lseP;
            kl += Math.Exp(logP) * (logP - (logitsQ[k] - lseQ));
        }
        return kl;
    }

    /// <summary>
    /// ∂KL(p ‖ q)/∂logitsP_k = p_k (log p_k − log q_k − KL) and ∂KL/∂logitsQ_k = q_k − p_k.
    /// </summary>
    public static KlGrads KlGrad(ReadOnlySpan<double> logitsP, ReadOnlySpan<double> logitsQ)
    {
        double lseP = Activations.LogSumExp(logitsP), lseQ = Activations.LogSumExp(logitsQ);
        var kl = Kl(logitsP, logitsQ);
        var dp = new double[logitsP.Length];
        var dq = new double[logitsQ.Length];
        for (var k = 0; k < dp.Length; k++)
        {
            double logP = logitsP[k] - lseP, logQ = logitsQ[k] - lseQ, p = Math.Exp(logP);
            dp[k] = p * (logP - logQ - kl);
            dq[k] = Math.Exp(logQ) - p;
        }
        return new KlGrads(kl, dp.Freeze(), dq.Freeze());
    }
}

/// <summary>A KL divergence and its gradients with respect to both distributions' logits.</summary>
public sealed record KlGrads(double Value, ImmutableArray<double> DLogitsP, ImmutableArray<double> DLogitsQ);

/// <summary>A reparameterised sample x = μ + σ ⊙ ε together with the noise ε ~ N(0, I) it used.</summary>
public sealed record GaussianSample(ImmutableArray<double> Value, ImmutableArray<double> Noise);

/// <summary>Gradients of a diagonal-Gaussian quantity with respect to μ and log σ.</summary>
public sealed record GaussianGrads(ImmutableArray<double> DMean, ImmutableArray<double> DLogStd);

/// <summary>The gradient of a one-dimensional Gaussian quantity with respect to μ and log σ.</summary>
public readonly record struct GaussianGradient(double DMean, double DLogStd);

/// <summary>Gradients of KL(p ‖ q) between diagonal Gaussians with respect to both distributions' μ and log σ.</summary>
public sealed record GaussianKlGrads(double Value, GaussianGrads P, GaussianGrads Q);

/// <summary>A diagonal Gaussian N(μ, diag σ²) parameterised by μ and log σ (as a policy head outputs them).</summary>
public static class DiagGaussian
{
    private const double HalfLog2Pi = 0.91893853320467274178; // ½ log 2π

    /// <summary>x = μ + σ ⊙ ε, ε ~ N(0, I) drawn from <paramref name="key"/> (the reparameterisation trick):
    /// ∂x/∂μ = 1, ∂x/∂log σ = σ ⊙ ε.</summary>
    public static Draw<GaussianSample> Sample(Key key, ReadOnlySpan<double> mean, ReadOnlySpan<double> logStd)
    {
        var x = new double[mean.Length];
        var eps = new double[mean.Length];
        for (var i = 0; i < x.Length; i++)
        {
            (eps[i], key) = key.NextGaussian();
            x[i] = mean[i] + Math.Exp(logStd[i]) * eps[i];
        }
        return new Draw<GaussianSample>(new GaussianSample(x.Freeze(), eps.Freeze()), key);
    }

    /// <summary>log N(x; μ, σ²) = Σ_i [−(x_i − μ_i)²/(2σ_i²) − log σ_i − ½ log 2π].</summary>
    public static double LogProb(ReadOnlySpan<double> x, ReadOnlySpan<double> mean, ReadOnlySpan<double> logStd)
    {
        var lp = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var u = (x[i] - mean[i]) * Math.Exp(-logStd[i]);
            lp += -0.5 * u * u - logStd[i] - HalfLog2Pi;
        }
        return lp;
    }

    /// <summary>∂ log N/∂μ_i = (x_i − μ_i)/σ_i², ∂ log N/∂log σ_i = (x_i − μ_i)²/σ_i² − 1 (x held fixed).</summary>
    public static GaussianGrads LogProbGrad(ReadOnlySpan<double> x, ReadOnlySpan<double> mean, ReadOnlySpan<double> logStd)
    {
        var dMean = new double[x.Length];
        var dLogStd = new double[x.Length];
        for (var i = 0; i < x.Length; i++) (dMean[i], dLogStd[i]) = LogProbGrad(x[i], mean[i], logStd[i]);
        return new GaussianGrads(dMean.Freeze(), dLogStd.Freeze());
    }

    /// <summary>One dimension of <see cref="LogProbGrad(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double})"/>:
    /// ∂ log N/∂μ = (x − μ)/σ², ∂ log N/∂log σ = (x − μ)²/σ² − 1.</summary>
    public static GaussianGradient LogProbGrad(double x, double mean, double logStd)
    {
        var inv = Math.Exp(-logStd);
        var u = (x - mean) * inv;
        return new GaussianGradient(u * inv, u * u - 1.0);
    }

    /// <summary>H = Σ_i (log σ_i + ½ log 2πe); ∂H/∂log σ_i = 1.</summary>
    public static double Entropy(ReadOnlySpan<double> logStd)
    {
        var h = 0.0;
        foreach (var s in logStd) h += s + 0.5 + HalfLog2Pi;
        return h;
    }

    /// <summary>
    /// KL(p ‖ q) = Σ_i [log σ_q,i − log σ_p,i + (σ_p,i² + (μ_p,i − μ_q,i)²)/(2σ_q,i²) − ½], the Gaussians given by μ and log σ.
    /// </summary>
    public static double Kl(ReadOnlySpan<double> meanP, ReadOnlySpan<double> logStdP, ReadOnlySpan<double> meanQ, ReadOnlySpan<double> logStdQ)
    {
        var kl = 0.0;
        for (var i = 0; i < meanP.Length; i++)
        {
            var varRatio = Math.Exp(2.0 * (logStdP[i] - logStdQ[i]));
            var d = (meanP[i] - meanQ[i]) * Math.Exp(-logStdQ[i]);
            kl += logStdQ[i] - logStdP[i] + 0.5 * (varRatio + d * d) - 0.5;
        }
        return kl;
    }

    /// <summary>
    /// The same KL(p ‖ q) for Gaussians given by μ and σ itself (a head that outputs σ, such as softplus(ρ) + σ_min):
    /// Σ_i [log σ_q,i − log σ_p,i + (σ_p,i² + (μ_p,i − μ_q,i)²)/(2σ_q,i²) − ½].
    /// </summary>
    public static double KlOfStd(ReadOnlySpan<double> meanP, ReadOnlySpan<double> stdP, ReadOnlySpan<double> meanQ, ReadOnlySpan<double> stdQ)
    {
        var kl = 0.0;
        for (var i = 0; i < meanP.Length; i++)
        {
            double sp = stdP[i], sq = stdQ[i], d = meanP[i] - meanQ[i];
            kl += Math.Log(sq) - Math.Log(sp) + (sp * sp + d * d) / (2.0 * sq * sq) - 0.5;
        }
        return kl;
    }

    /// <summary>
    /// With Δ = μ_p − μ_q: ∂KL/∂μ_p = Δ/σ_q², ∂KL/∂μ_q = −Δ/σ_q², ∂KL/∂log σ_p = σ_p²/σ_q² − 1,
    /// ∂KL/∂log σ_q = 1 − (σ_p² + Δ²)/σ_q².
    /// </summary>
    public static GaussianKlGrads KlGrad(ReadOnlySpan<double> meanP, ReadOnlySpan<double> logStdP, ReadOnlySpan<double> meanQ, ReadOnlySpan<double> logStdQ)
    {
        var n = meanP.Length;
        double[] dmp = new double[n], dsp = new double[n], dmq = new double[n], dsq = new double[n];
        for (var i = 0; i < n; i++)
        {
            var invVarQ = Math.Exp(-2.0 * logStdQ[i]);
            var varRatio = Math.Exp(2.0 * (logStdP[i] - logStdQ[i]));
            var delta = meanP[i] - meanQ[i];
            dmp[i] = delta * invVarQ;
            dmq[i] = -delta * invVarQ;
            dsp[i] = varRatio - 1.0;
            dsq[i] = 1.0 - varRatio - delta * delta * invVarQ;
        }
        return new GaussianKlGrads(Kl(meanP, logStdP, meanQ, logStdQ),
            new GaussianGrads(dmp.Freeze(), dsp.Freeze()), new GaussianGrads(dmq.Freeze(), dsq.Freeze()));
    }
}

/// <summary>
/// A tanh-squashed diagonal Gaussian (Haarnoja et al. 2018): u ~ N(μ, σ²), a = tanh(u) ∈ (−1, 1)ᵈ.
/// </summary>
public static class TanhGaussian
{
    /// <summary>a = tanh(μ + σ ⊙ ε): the sample keeps u (in <see cref="GaussianSample.Value"/>) and ε; the action is tanh(u).</summary>
    public static Draw<GaussianSample> Sample(Key key, ReadOnlySpan<double> mean, ReadOnlySpan<double> logStd) =>
        DiagGaussian.Sample(key, mean, logStd);

    /// <summary>a_i = tanh(u_i).</summary>
    public static ImmutableArray<double> Squash(ReadOnlySpan<double> u)
    {
        var a = new double[u.Length];
        for (var i = 0; i < a.Length; i++) a[i] = Math.Tanh(u[i]);
        return a.Freeze();
    }

    /// <summary>
    /// log π(a) = log N(u; μ, σ²) − Σ_i log(1 − tanh² u_i), with log(1 − tanh² u) = 2(log 2 − u − softplus(−2u)) (stable).
    /// The correction depends on u only, so the gradients w.r.t. μ and log σ at fixed u are those of
    /// <see cref="DiagGaussian.LogProbGrad(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double})"/>.
    /// </summary>
    public static double LogProb(ReadOnlySpan<double> u, ReadOnlySpan<double> mean, ReadOnlySpan<double> logStd)
    {
        var lp = DiagGaussian.LogProb(u, mean, logStd);
        foreach (var ui in u) lp -= 2.0 * (Math.Log(2.0) - ui - Activations.Softplus(-2.0 * ui));
        return lp;
    }
}
