using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>Numerical gradients, for checking a hand-written backward pass (every layer here is tested this way).</summary>
public static class GradCheck
{
    /// <summary>∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h (central differences; error O(h²)).</summary>
    public static ImmutableArray<double> Numerical(Func<ImmutableArray<double>, double> f, ImmutableArray<double> x, double h = 1e-5)
    {
        var grad = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var up = x.SetItem(i, x[i] + h);
            var down = x.SetItem(i, x[i] - h);
            grad[i] = (f(up) - f(down)) / (2 * h);
        }
        return grad.Freeze();
    }

    /// <summary>The numerical gradient of a loss of the parameters, in the parameters' layout.</summary>
    public static Params Numerical(Func<Params, double> loss, Params theta, double h = 1e-5) =>
        new(theta.Layout, Numerical(v => loss(new Params(theta.Layout, v)), theta.Values, h));

    /// <summary>‖a − n‖₂ / (‖a‖₂ + ‖n‖₂): the relative error of an analytic gradient a against a numerical one n (0 if both vanish).</summary>
    public static double RelativeError(ReadOnlySpan<double> analytic, ReadOnlySpan<double> numerical)
    {
        if (analytic.Length != numerical.Length) throw new ArgumentException("gradients differ in length");
        double diff = 0, na = 0, nn = 0;
        for (var i = 0; i < analytic.Length; i++)
        {
            var d = analytic[i] - numerical[i];
            diff += d * d;
            na += analytic[i] * analytic[i];
            nn += numerical[i] * numerical[i];
        }
        var scale = Math.Sqrt(na) + Math.Sqrt(nn);
        return scale == 0 ? 0 : Math.Sqrt(diff) / scale;
    }
}
