using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

/// <summary>Numerical gradient checking and random test data drawn from a <see cref="Key"/>.</summary>
internal static class Check
{
    /// <summary>Central differences: ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h.</summary>
    public static double[] Numerical(Func<double[], double> f, ReadOnlySpan<double> x, double h = 1e-5)
    {
        var probe = x.ToArray();
        var grad = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var saved = probe[i];
            probe[i] = saved + h;
            var up = f((double[])probe.Clone());
            probe[i] = saved - h;
            var down = f((double[])probe.Clone());
            probe[i] = saved;
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    /// <summary>‖a − n‖ / max(‖a‖ + ‖n‖, tiny): the relative error of an analytic gradient a against a numerical n.</summary>
    public static double RelativeError(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numeric)
    {
        Assert.Equal(numeric.Length, analytic.Length);
        double diff = 0, na = 0, nn = 0;
        for (var i = 0; i < analytic.Length; i++)
        {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            na += analytic[i] * analytic[i];
            nn += numeric[i] * numeric[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(na) + Math.Sqrt(nn), 1e-300);
    }

    /// <summary>Asserts the analytic gradient of f at x matches central differences to relative error below <paramref name="tolerance"/>,
    /// and that the gradient is not trivially zero.</summary>
    public static void Gradient(Func<double[], double> f, ReadOnlySpan<double> x, ReadOnlySpan<double> analytic, double tolerance = 1e-6, double h = 1e-5)
    {
        var numeric = Numerical(f, x, h);
        var error = RelativeError(analytic, numeric);
        Assert.True(error < tolerance, $"relative gradient error {error:E3} ≥ {tolerance:E0}");
        var norm = 0.0;
        foreach (var v in numeric) norm += v * v;
        Assert.True(norm > 1e-12, "the numerical gradient is (almost) zero: the check would prove nothing");
    }

    /// <summary>A rows×cols matrix of N(0, scale²) values.</summary>
    public static Mat Gaussian(ref Key key, int rows, int cols, double scale = 1.0)
    {
        var v = new double[rows * cols];
        for (var i = 0; i < v.Length; i++) (v[i], key) = key.NextGaussian(0, scale);
        return Mat.Own(rows, cols, v);
    }

    /// <summary>n values uniform on [lo, hi).</summary>
    public static double[] Uniform(ref Key key, int n, double lo, double hi)
    {
        var v = new double[n];
        for (var i = 0; i < v.Length; i++) (v[i], key) = key.NextUniform(lo, hi);
        return v;
    }

    /// <summary>Σ R ⊙ Y: a random linear probe turns a layer's output into a scalar whose ∂/∂Y is R.</summary>
    public static double Probe(Mat r, Mat y)
    {
        var s = 0.0;
        for (var i = 0; i < r.Values.Length; i++) s += r.Values[i] * y.Values[i];
        return s;
    }

    public static Params With(Params p, double[] values) => Params.Own(p.Layout, values);

    public static ImmutableArray<double> Arr(params double[] v) => v.ToImmutableArray();
}
