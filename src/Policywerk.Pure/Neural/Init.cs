using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>How a layer draws its initial weights (biases start at zero).</summary>
public enum Initializer
{
    /// <summary>Glorot &amp; Bengio 2010: W ~ U(−a, a), a = gain·√(6 / (fan_in + fan_out)).</summary>
    Glorot,
    /// <summary>He et al. 2015: W ~ N(0, gain²·2 / fan_in) (for ReLU nets).</summary>
    He,
    /// <summary>Saxe et al. 2014: W = gain·Q with Q having orthonormal rows or columns.</summary>
    Orthogonal,
}

/// <summary>Weight initialisers drawing from a <see cref="Key"/>. Each returns the weights and the next key.</summary>
public static class Init
{
    /// <summary>W ~ U(−a, a), a = gain·√(6 / (fan_in + fan_out)) (Glorot &amp; Bengio 2010), <paramref name="count"/> values.</summary>
    public static Draw<ImmutableArray<double>> Glorot(Key key, int fanIn, int fanOut, int count, double gain = 1.0)
    {
        var w = new double[count];
        var next = FillGlorot(key, fanIn, fanOut, gain, w);
        return new Draw<ImmutableArray<double>>(w.Freeze(), next);
    }

    /// <summary>W ~ N(0, gain²·2 / fan_in) (He et al. 2015), <paramref name="count"/> values.</summary>
    public static Draw<ImmutableArray<double>> He(Key key, int fanIn, int count, double gain = 1.0)
    {
        var w = new double[count];
        var next = FillHe(key, fanIn, gain, w);
        return new Draw<ImmutableArray<double>>(w.Freeze(), next);
    }

    /// <summary>
    /// W = gain·Q, a <paramref name="rows"/>×<paramref name="cols"/> matrix whose columns (rows ≥ cols) or rows
    /// (rows &lt; cols) are orthonormal: the Q of a Gaussian matrix's QR decomposition (Saxe et al. 2014),
    /// by modified Gram–Schmidt with re-orthogonalisation.
    /// </summary>
    public static Draw<ImmutableArray<double>> Orthogonal(Key key, int rows, int cols, double gain = 1.0)
    {
        var w = new double[rows * cols];
        var next = FillOrthogonal(key, rows, cols, gain, w);
        return new Draw<ImmutableArray<double>>(w.Freeze(), next);
    }

    internal static Key Fill(Initializer init, Key key, int fanIn, int fanOut, double gain, Span<double> w) => init switch
    {
        Initializer.Glorot => FillGlorot(key, fanIn, fanOut, gain, w),
        Initializer.He => FillHe(key, fanIn, gain, w),
        Initializer.Orthogonal => FillOrthogonal(key, w.Length / fanOut, fanOut, gain, w),
        _ => throw new ArgumentOutOfRangeException(nameof(init)),
    };

    internal static Key FillGlorot(Key key, int fanIn, int fanOut, double gain, Span<double> w)
    {
        var a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        for (var i = 0; i < w.Length; i++) (w[i], key) = key.NextUniform(-a, a);
        return key;
    }

    internal static Key FillHe(Key key, int fanIn, double gain, Span<double> w)
    {
        var sigma = gain * Math.Sqrt(2.0 / fanIn);
        for (var i = 0; i < w.Length; i++) (w[i], key) = key.NextGaussian(0.0, sigma);
        return key;
    }

    internal static Key FillOrthogonal(Key key, int rows, int cols, double gain, Span<double> w)
    {
        var tall = rows >= cols;
        int n = tall ? rows : cols, m = tall ? cols : rows; // A is n×m with n ≥ m; orthonormalise its m columns
        var a = new double[n * m];
        for (var i = 0; i < a.Length; i++) (a[i], key) = key.NextGaussian();
        for (var j = 0; j < m; j++)
        {
            for (var pass = 0; pass < 2; pass++)
                for (var k = 0; k < j; k++)
                {
                    var dot = 0.0;
                    for (var i = 0; i < n; i++) dot += a[i * m + j] * a[i * m + k];
                    for (var i = 0; i < n; i++) a[i * m + j] -= dot * a[i * m + k];
                }
            var norm = 0.0;
            for (var i = 0; i < n; i++) norm += a[i * m + j] * a[i * m + j];
            norm = Math.Sqrt(norm);
            for (var i = 0; i < n; i++) a[i * m + j] /= norm;
        }
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                w[r * cols + c] = gain * (tall ? a[r * m + c] : a[c * m + r]);
        return key;
    }
}
