using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>What <see cref="LayerNorm.Forward"/> keeps: the normalised input x̂ and 1/√(σ² + ε) per row.</summary>
public sealed record LayerNormCache(Mat XHat, ImmutableArray<double> InvStd, Mat Output);

/// <summary>
/// Layer normalisation (Ba, Kiros &amp; Hinton 2016) over each row's F features:
/// μ = (1/F) Σ_j x_j, σ² = (1/F) Σ_j (x_j − μ)², x̂ = (x − μ)/√(σ² + ε), y = γ ⊙ x̂ + β.
/// Segments "gamma" [F], "beta" [F].
/// </summary>
public sealed record LayerNorm(int Features, double Epsilon = 1e-5)
{
    /// <summary>Segments "gamma" [F] and "beta" [F].</summary>
    public Layout Layout => Layout.Of(("gamma", [Features]), ("beta", [Features]));

    /// <summary>2F.</summary>
    public int ParameterCount => 2 * Features;

    /// <summary>γ = 1, β = 0 (deterministic: no key needed).</summary>
    public Params Init()
    {
        var values = new double[ParameterCount];
        values.AsSpan(0, Features).Fill(1.0);
        return Params.Own(Layout, values);
    }

    /// <summary>y = γ ⊙ (x − μ)/√(σ² + ε) + β, row by row.</summary>
    public LayerNormCache Forward(Params theta, Mat x)
    {
        if (x.Cols != Features || theta.Count != ParameterCount) throw new ArgumentException($"LayerNorm({Features}) shape mismatch");
        int batch = x.Rows, f = Features;
        var gamma = theta.Span.Slice(0, f);
        var beta = theta.Span.Slice(f, f);
        var xHat = new double[batch * f];
        var y = new double[batch * f];
        var invStd = new double[batch];
        for (var b = 0; b < batch; b++)
        {
            var row = x.Row(b);
            var mu = 0.0;
            for (var j = 0; j < f; j++) mu += row[j];
            mu /= f;
            var variance = 0.0;
            for (var j = 0; j < f; j++) variance += (row[j] - mu) * (row[j] - mu);
            variance /= f;
            var s = 1.0 / Math.Sqrt(variance + Epsilon);
            invStd[b] = s;
            for (var j = 0; j < f; j++)
            {
                var xh = (row[j] - mu) * s;
                xHat[b * f + j] = xh;
                y[b * f + j] = gamma[j] * xh + beta[j];
            }
        }
        return new LayerNormCache(Mat.Own(batch, f, xHat), invStd.Freeze(), Mat.Own(batch, f, y));
    }

    /// <summary>
    /// ∂L/∂γ = Σ_rows δ ⊙ x̂, ∂L/∂β = Σ_rows δ, and with g = δ ⊙ γ:
    /// ∂L/∂x = (1/√(σ² + ε)) · (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)), where δ = ∂L/∂y.
    /// </summary>
    public LayerGrads Backward(Params theta, LayerNormCache cache, Mat dY)
    {
        int batch = cache.XHat.Rows, f = Features;
        if (dY.Rows != batch || dY.Cols != f) throw new ArgumentException($"dY must be {batch}×{f}");
        var gamma = theta.Span.Slice(0, f);
        var grads = new double[ParameterCount];
        var dX = new double[batch * f];
        for (var b = 0; b < batch; b++)
        {
            var dy = dY.Row(b);
            var xh = cache.XHat.Row(b);
            double meanG = 0, meanGx = 0;
            for (var j = 0; j < f; j++)
            {
                grads[j] += dy[j] * xh[j];
                grads[f + j] += dy[j];
                var g = dy[j] * gamma[j];
                meanG += g;
                meanGx += g * xh[j];
            }
            meanG /= f;
            meanGx /= f;
            var s = cache.InvStd[b];
            for (var j = 0; j < f; j++)
                dX[b * f + j] = s * (dy[j] * gamma[j] - meanG - xh[j] * meanGx);
        }
        return new LayerGrads(Params.Own(Layout, grads), Mat.Own(batch, f, dX));
    }
}
