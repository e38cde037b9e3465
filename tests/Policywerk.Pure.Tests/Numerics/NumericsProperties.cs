using Xunit;
using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Tests.Numerics;

/// <summary>FsCheck properties of the numeric building blocks. Random vectors come from a Key seeded by FsCheck.</summary>
public class NumericsProperties
{
    private static double[] Vector(ulong seed, double lo, double hi, int maxLength = 20)
    {
        var key = Key.FromSeed(seed);
        var (n, k1) = key.NextInt(maxLength);
        var v = new double[n + 1];
        for (var i = 0; i < v.Length; i++) (v[i], k1) = k1.NextUniform(lo, hi);
        return v;
    }

    [Property(MaxTest = 200)]
    public bool Softmax_sums_to_one_and_is_shift_invariant(ulong seed, NormalFloat shift)
    {
        var x = Vector(seed, -50, 50);
        var c = Math.Clamp(shift.Get, -1e3, 1e3);
        var p = Activations.Softmax(x);
        var shifted = new double[x.Length];
        for (var i = 0; i < x.Length; i++) shifted[i] = x[i] + c;
        var q = Activations.Softmax(shifted);
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] < 0 || Math.Abs(p[i] - q[i]) > 1e-9) return false;
            sum += p[i];
        }
        return Math.Abs(sum - 1.0) < 1e-12;
    }

    [Property(MaxTest = 200)]
    public bool LogSumExp_never_overflows_for_large_inputs(ulong seed)
    {
        var x = Vector(seed, 1e300, 1.7e308);
        var lse = Activations.LogSumExp(x);
        var max = double.MinValue;
        foreach (var v in x) max = Math.Max(max, v);
        return double.IsFinite(lse) && lse >= max && lse <= max + Math.Log(x.Length) + 1e-9 * Math.Abs(max);
    }

    [Property(MaxTest = 300)]
    public bool Symexp_inverts_symlog(NormalFloat value)
    {
        var x = value.Get;
        if (Math.Abs(x) > 1e300) return true; // symexp would overflow only at the very edge of double range
        return Math.Abs(Activations.Symexp(Activations.Symlog(x)) - x) <= 1e-12 * Math.Max(1.0, Math.Abs(x));
    }

    [Property(MaxTest = 300)]
    public bool Two_hot_weights_are_a_valid_adjacent_code_that_decodes_back(NormalFloat value)
    {
        var grid = TwoHot.Linspace(-20, 20, 255);
        var x = value.Get;
        var w = grid.EncodeDense(x);
        var sum = 0.0;
        int first = -1, last = -1, nonZero = 0;
        for (var k = 0; k < w.Length; k++)
        {
            if (w[k] < 0) return false;
            sum += w[k];
            if (w[k] == 0) continue;
            nonZero++;
            if (first < 0) first = k;
            last = k;
        }
        if (Math.Abs(sum - 1.0) > 1e-12 || nonZero > 2 || last - first > 1) return false;
        var inside = Math.Clamp(x, -20, 20); // outside the grid the code saturates at the end bin
        return Math.Abs(grid.Decode(w.AsSpan()) - inside) < 1e-9;
    }

    [Property(MaxTest = 200)]
    public bool Categorical_kl_is_zero_to_itself_and_never_negative(ulong seed)
    {
        var p = Vector(seed, -8, 8);
        var key = Key.FromSeed(seed ^ 0xABCDEF);
        var q = new double[p.Length];
        for (var i = 0; i < q.Length; i++) (q[i], key) = key.NextUniform(-8, 8);
        return Math.Abs(Categorical.Kl(p, p)) < 1e-12 && Categorical.Kl(p, q) >= -1e-12;
    }

    /// <summary>Two diagonal Gaussians of 1–6 dimensions: means in [−5, 5], log σ in [−3, 3].</summary>
    private static (double[] MeanP, double[] LogStdP, double[] MeanQ, double[] LogStdQ) GaussianPair(ulong seed)
    {
        var key = Key.FromSeed(seed);
        var (n, k) = key.NextInt(6);
        n++;
        double[] mp = new double[n], sp = new double[n], mq = new double[n], sq = new double[n];
        for (var i = 0; i < n; i++)
        {
            (mp[i], k) = k.NextUniform(-5, 5);
            (sp[i], k) = k.NextUniform(-3, 3);
            (mq[i], k) = k.NextUniform(-5, 5);
            (sq[i], k) = k.NextUniform(-3, 3);
        }
        return (mp, sp, mq, sq);
    }

    [Property(MaxTest = 200)]
    public bool Gaussian_kl_is_zero_to_itself_and_never_negative(ulong seed)
    {
        var (mp, sp, mq, sq) = GaussianPair(seed);
        return Math.Abs(DiagGaussian.Kl(mp, sp, mp, sp)) < 1e-12 && DiagGaussian.Kl(mp, sp, mq, sq) >= -1e-12;
    }

    [Property(MaxTest = 200)]
    public bool Gaussian_kl_is_the_same_given_log_sigma_or_sigma(ulong seed)
    {
        var (mp, sp, mq, sq) = GaussianPair(seed);
        var fromLog = DiagGaussian.Kl(mp, sp, mq, sq);
        var fromStd = DiagGaussian.KlOfStd(mp, sp.Select(Math.Exp).ToArray(), mq, sq.Select(Math.Exp).ToArray());
        return Math.Abs(fromLog - fromStd) <= 1e-9 * Math.Max(1.0, Math.Abs(fromLog));
    }

    [Property(MaxTest = 200)]
    public bool Gaussian_entropy_matches_the_closed_form(ulong seed)
    {
        var logStd = Vector(seed, -4, 4, maxLength: 8);
        // H = ½ log det(2πe Σ) = ½ log((2πe)^d Π σ_i²)
        var det = Math.Pow(2 * Math.PI * Math.E, logStd.Length);
        foreach (var s in logStd) det *= Math.Exp(2 * s);
        return Math.Abs(DiagGaussian.Entropy(logStd) - 0.5 * Math.Log(det)) < 1e-9;
    }

    [Xunit.Fact]
    public void Gaussian_entropy_matches_a_monte_carlo_estimate()
    {
        double[] mean = [1.0, -2.0], logStd = [0.3, -0.7];
        var key = Key.FromSeed(40);
        var sum = 0.0;
        const int n = 20000;
        for (var i = 0; i < n; i++)
        {
            (var s, key) = DiagGaussian.Sample(key, mean, logStd);
            sum -= DiagGaussian.LogProb(s.Value.AsSpan(), mean, logStd);
        }
        Xunit.Assert.Equal(DiagGaussian.Entropy(logStd), sum / n, 0.03);
    }
}

public class ArgMaxTests
{
    [Fact]
    public void Arg_max_is_the_first_maximum_and_a_tolerance_keeps_the_first_of_near_ties()
    {
        Assert.Equal(2, Arg.Max([0.1, 0.2, 0.3]));
        Assert.Equal(0, Arg.Max([0.5, 0.5, 0.1]));
        Assert.Equal(1, Arg.Max([0.5, 2.0, -1.0]));
        Assert.Equal(0, Arg.Max([1.0, 1.0 + 1e-12], tolerance: 1e-9));
        Assert.Equal(1, Arg.Max([1.0, 1.0 + 1e-12]));
        Assert.Throws<ArgumentException>(() => Arg.Max([]));
    }

    [FsCheck.Xunit.Property]
    public bool Arg_max_points_at_a_maximum_with_no_equal_value_before_it(double[] xs)
    {
        if (xs.Length == 0 || xs.Any(double.IsNaN)) return true;
        var i = Arg.Max(xs);
        return xs.All(v => v <= xs[i]) && xs.Take(i).All(v => v < xs[i]);
    }
}
