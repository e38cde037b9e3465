using System.Collections.Immutable;

namespace Policywerk.Pure.Numerics;

/// <summary>The two-hot code of a scalar: weight <see cref="WeightLower"/> on bin <see cref="Lower"/> and 1 − it on bin Lower + 1.</summary>
public readonly record struct TwoHotCode(int Lower, double WeightLower)
{
    /// <summary>The weight on bin Lower + 1.</summary>
    public double WeightUpper => 1.0 - WeightLower;
}

/// <summary>
/// Two-hot encoding over an increasing bin grid b_0 &lt; … &lt; b_{K−1} (Hafner et al. 2023, DreamerV3):
/// x with b_k ≤ x ≤ b_{k+1} puts weight (b_{k+1} − x)/(b_{k+1} − b_k) on bin k and the rest on bin k+1;
/// values outside the grid go wholly to the nearest end bin. Decoding is the expectation Σ_k p_k b_k.
/// DreamerV3 regresses symlog(y) on the grid linspace(−20, 20, 255) and predicts symexp(decode).
/// </summary>
public sealed record TwoHot(ImmutableArray<double> Bins)
{
    /// <summary>K evenly spaced bins from <paramref name="low"/> to <paramref name="high"/> (DreamerV3: −20, 20, 255).</summary>
    public static TwoHot Linspace(double low, double high, int count)
    {
        if (count < 2 || !(high > low)) throw new ArgumentException("need at least two increasing bins");
        var bins = new double[count];
        for (var k = 0; k < count; k++) bins[k] = low + (high - low) * k / (count - 1);
        bins[count - 1] = high;
        return new TwoHot(bins.Freeze());
    }

    /// <summary>The number of bins K.</summary>
    public int Count => Bins.Length;

    /// <summary>The two-hot code of <paramref name="x"/> (clamped to the grid).</summary>
    public TwoHotCode Encode(double x)
    {
        var k = Bins.Length;
        if (x <= Bins[0]) return new TwoHotCode(0, 1.0);
        if (x >= Bins[k - 1]) return new TwoHotCode(k - 2, 0.0);
        // binary search for the last bin ≤ x
        int lo = 0, hi = k - 1;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (Bins[mid] <= x) lo = mid;
            else hi = mid;
        }
        var w = (Bins[lo + 1] - x) / (Bins[lo + 1] - Bins[lo]);
        return new TwoHotCode(lo, w);
    }

    /// <summary>The two-hot code of x as a dense weight vector over the K bins.</summary>
    public ImmutableArray<double> EncodeDense(double x)
    {
        var code = Encode(x);
        var w = new double[Bins.Length];
        w[code.Lower] = code.WeightLower;
        w[code.Lower + 1] += code.WeightUpper;
        return w.Freeze();
    }

    /// <summary>x̂ = Σ_k p_k b_k for probabilities p over the bins.</summary>
    public double Decode(ReadOnlySpan<double> probabilities)
    {
        var x = 0.0;
        for (var k = 0; k < Bins.Length; k++) x += probabilities[k] * Bins[k];
        return x;
    }

    /// <summary>x̂ = Σ_k softmax(logits)_k b_k.</summary>
    public double DecodeLogits(ReadOnlySpan<double> logits)
    {
        var lse = Activations.LogSumExp(logits);
        var x = 0.0;
        for (var k = 0; k < Bins.Length; k++) x += Math.Exp(logits[k] - lse) * Bins[k];
        return x;
    }

    /// <summary>
    /// L = (1/B) Σ_b −Σ_k twohot(y_b)_k · log softmax(z_b)_k (logits z [B × K], targets y_b in bin space);
    /// ∂L/∂z_bk = (softmax(z_b)_k − twohot(y_b)_k)/B.
    /// </summary>
    public Loss CrossEntropy(Mat logits, ReadOnlySpan<double> targets)
    {
        if (logits.Cols != Bins.Length || targets.Length != logits.Rows) throw new ArgumentException("logits must be B×K with one target per row");
        var batch = logits.Rows;
        var grad = new double[logits.Values.Length];
        var sum = 0.0;
        for (var b = 0; b < batch; b++)
        {
            var z = logits.Row(b);
            var code = Encode(targets[b]);
            var lse = Activations.LogSumExp(z);
            sum -= code.WeightLower * (z[code.Lower] - lse) + code.WeightUpper * (z[code.Lower + 1] - lse);
            var g = grad.AsSpan(b * Bins.Length, Bins.Length);
            Activations.Softmax(z, g);
            g[code.Lower] -= code.WeightLower;
            g[code.Lower + 1] -= code.WeightUpper;
            for (var k = 0; k < g.Length; k++) g[k] /= batch;
        }
        return new Loss(sum / batch, Mat.Own(logits.Rows, logits.Cols, grad));
    }

    /// <summary>DreamerV3's regression loss: <see cref="CrossEntropy"/> against symlog(y) for raw targets y.</summary>
    public Loss SymlogCrossEntropy(Mat logits, ReadOnlySpan<double> rawTargets)
    {
        var t = new double[rawTargets.Length];
        for (var i = 0; i < t.Length; i++) t[i] = Activations.Symlog(rawTargets[i]);
        return CrossEntropy(logits, t);
    }

    /// <summary>DreamerV3's prediction: symexp(Σ_k softmax(logits)_k b_k).</summary>
    public double DecodeSymexp(ReadOnlySpan<double> logits) => Activations.Symexp(DecodeLogits(logits));
}
