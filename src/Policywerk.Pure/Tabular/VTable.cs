using System.Collections.Immutable;

namespace Policywerk.Pure.Tabular;

using Policywerk.Pure.Numerics;

/// <summary>
/// A state-value table V(s): one number per state 0..n−1, as an immutable value. Every change returns a
/// new table; the old one is untouched. Equality compares the numbers, not the array reference.
/// </summary>
public sealed record VTable(ImmutableArray<double> Values)
{
    /// <summary>n states, each valued <paramref name="value"/>.</summary>
    public static VTable Filled(int stateCount, double value) => new(Immutable.Filled(stateCount, value));

    public int StateCount => Values.Length;

    /// <summary>V(s).</summary>
    public double this[int state] => Values[state];

    /// <summary>The same table with V(s) = <paramref name="value"/>.</summary>
    public VTable With(int state, double value) => new(Values.SetItem(state, value));

    /// <summary>V + scale·Δ, element by element (applies a vector of increments at once).</summary>
    public VTable Add(ReadOnlySpan<double> increments, double scale = 1.0)
    {
        if (increments.Length != Values.Length) throw new ArgumentException("increments must have one entry per state");
        var next = new double[Values.Length];
        var v = Values.AsSpan();
        for (var s = 0; s < next.Length; s++) next[s] = v[s] + scale * increments[s];
        return new VTable(next.Freeze());
    }

    /// <summary>max_s |V(s) − W(s)|: the distance used to check convergence.</summary>
    public double MaxDifference(VTable other)
    {
        var max = 0.0;
        for (var s = 0; s < Values.Length; s++) max = Math.Max(max, Math.Abs(Values[s] - other.Values[s]));
        return max;
    }

    /// <summary>True when every entry is within <paramref name="tolerance"/> of the other table's.</summary>
    public bool ApproximatelyEquals(VTable other, double tolerance) =>
        other.StateCount == StateCount && MaxDifference(other) <= tolerance;

    public bool Equals(VTable? other) =>
        other is not null && Values.AsSpan().SequenceEqual(other.Values.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in Values) hash.Add(v);
        return hash.ToHashCode();
    }

    public override string ToString() => $"V[{string.Join(", ", Values.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
