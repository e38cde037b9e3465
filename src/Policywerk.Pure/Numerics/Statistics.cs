using System.Collections.Immutable;

namespace Policywerk.Pure.Numerics;

/// <summary>Mean of n independent runs with its standard error and a 95% confidence interval.</summary>
/// <param name="Mean">x̄ = (1/n) Σ xᵢ.</param>
/// <param name="StandardError">s/√n, s² = Σ (xᵢ − x̄)² / (n − 1); 0 when n = 1.</param>
/// <param name="Lower">x̄ − t₀.₉₇₅(n−1)·SE.</param>
/// <param name="Upper">x̄ + t₀.₉₇₅(n−1)·SE.</param>
/// <param name="Count">n.</param>
public readonly record struct Summary(double Mean, double StandardError, double Lower, double Upper, int Count);

/// <summary>A paired comparison over the same runs: the summary of the differences dᵢ = bᵢ − aᵢ (variant minus baseline),
/// and in how many runs the variant did better, the same, or worse.</summary>
public readonly record struct Paired(Summary Difference, int Better, int Same, int Worse);

/// <summary>Aggregating independent runs: pure functions, a fixed summation order (same bytes on every CPU).</summary>
public static class Statistics
{
    /// <summary>Mean, standard error and the Student-t 95% interval of the values.</summary>
    public static Summary Summarize(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        if (n == 0) throw new ArgumentException("cannot summarize zero values", nameof(values));
        var sum = 0.0;
        foreach (var x in values) sum += x;
        var mean = sum / n;
        if (n == 1) return new Summary(mean, 0.0, mean, mean, 1);
        var squares = 0.0;
        foreach (var x in values) squares += (x - mean) * (x - mean);
        var standardError = Math.Sqrt(squares / (n - 1) / n);
        var half = StudentT975(n - 1) * standardError;
        return new Summary(mean, standardError, mean - half, mean + half, n);
    }

    /// <summary>
    /// dᵢ = bᵢ − aᵢ for runs i that share their key, summarised with its Student-t 95% interval (<see cref="Summarize"/>):
    /// pairing removes the variation the two arms share, so the interval is the one of the difference itself. A run is
    /// better for the variant when dᵢ &gt; 0 if <paramref name="higherIsBetter"/>, else when dᵢ &lt; 0.
    /// </summary>
    public static Paired Pair(ReadOnlySpan<double> baseline, ReadOnlySpan<double> variant, bool higherIsBetter)
    {
        if (baseline.Length != variant.Length) throw new ArgumentException("a paired comparison needs as many variant runs as baseline runs", nameof(variant));
        foreach (var x in baseline) if (!double.IsFinite(x)) throw new ArgumentException("a paired comparison needs finite numbers", nameof(baseline));
        foreach (var x in variant) if (!double.IsFinite(x)) throw new ArgumentException("a paired comparison needs finite numbers", nameof(variant));
        var differences = new double[baseline.Length];
        int better = 0, same = 0;
        for (var i = 0; i < differences.Length; i++)
        {
            differences[i] = variant[i] - baseline[i];
            if (differences[i] == 0.0) same++;
            else if (differences[i] > 0.0 == higherIsBetter) better++;
        }
        return new Paired(Summarize(differences), better, same, differences.Length - better - same);
    }

    /// <summary>Per index i: the summary of runs[·][i] (for curves, e.g. reward per episode over runs).</summary>
    public static ImmutableArray<Summary> SummarizeColumns(IReadOnlyList<ImmutableArray<double>> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("cannot summarize zero runs", nameof(runs));
        var length = runs[0].Length;
        var column = new double[runs.Count];
        var result = new Summary[length];
        for (var i = 0; i < length; i++)
        {
            for (var r = 0; r < runs.Count; r++) column[r] = runs[r][i];
            result[i] = Summarize(column);
        }
        return result.Freeze();
    }

    /// <summary>Moving average over a trailing window (for smoothed reward curves).</summary>
    public static ImmutableArray<double> TrailingMean(ReadOnlySpan<double> values, int window)
    {
        var result = new double[values.Length];
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result.Freeze();
    }

    private static ReadOnlySpan<double> T975 =>
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>The 0.975 quantile of Student's t with <paramref name="df"/> degrees of freedom (table to 30,
    /// then the Cornish–Fisher expansion around z = 1.959964, error below 10⁻⁴).</summary>
    public static double StudentT975(int df)
    {
        if (df < 1) throw new ArgumentOutOfRangeException(nameof(df));
        if (df <= T975.Length) return T975[df - 1];
        const double z = 1.959963984540054;
        double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, n = df;
        return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n)
                 + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n);
    }

    /// <summary>Per(x, q): the q-quantile of the values by linear interpolation between order statistics.</summary>
    public static double Percentile(ReadOnlySpan<double> values, double q)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return SortedPercentile(sorted, q);
    }

    /// <summary><see cref="Percentile"/> of values already in ascending order.</summary>
    public static double SortedPercentile(ReadOnlySpan<double> sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(position);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }
}
