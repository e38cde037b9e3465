namespace Policywerk.Pure.Numerics;

/// <summary>The one argmax: <c>Arg.Max(q)</c> reads as argmax_a q[a].</summary>
public static class Arg
{
    /// <summary>
    /// argmax_i x[i], the lowest index among ties: index i replaces the best so far only when
    /// x[i] &gt; x[best] + <paramref name="tolerance"/> (0: exact ties; a small tolerance treats near-ties as ties).
    /// </summary>
    public static int Max(ReadOnlySpan<double> x, double tolerance = 0.0)
    {
        if (x.IsEmpty) throw new ArgumentException("argmax of an empty vector", nameof(x));
        var best = 0;
        for (var i = 1; i < x.Length; i++)
            if (x[i] > x[best] + tolerance) best = i;
        return best;
    }
}
