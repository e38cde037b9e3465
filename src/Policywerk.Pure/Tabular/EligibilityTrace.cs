using System.Collections.Immutable;

namespace Policywerk.Pure.Tabular;

using Policywerk.Pure.Numerics;

/// <summary>How a visit changes a state's trace.</summary>
public enum TraceKind
{
    /// <summary>e(s) ← e(s) + 1: revisits stack.</summary>
    Accumulating,

    /// <summary>e(s) ← 1: a revisit resets the trace to 1.</summary>
    Replacing,
}

/// <summary>
/// Eligibility traces e(s), one per state, as an immutable value: a fading memory of recent visits.
/// Each step every trace decays by γλ, then the visited state's trace jumps (by 1, or to 1).
/// </summary>
public sealed record EligibilityTrace(ImmutableArray<double> Values)
{
    public static EligibilityTrace Zeros(int stateCount) => new(Immutable.Filled(stateCount, 0.0));

    public int StateCount => Values.Length;

    /// <summary>e(s).</summary>
    public double this[int state] => Values[state];

    /// <summary>e ← γλ·e for every state.</summary>
    public EligibilityTrace Decay(double gammaLambda)
    {
        var next = new double[Values.Length];
        var e = Values.AsSpan();
        for (var s = 0; s < next.Length; s++) next[s] = gammaLambda * e[s];
        return new EligibilityTrace(next.Freeze());
    }

    /// <summary>e(s) ← e(s) + <paramref name="amount"/> (1 for an accumulating visit).</summary>
    public EligibilityTrace Accumulate(int state, double amount = 1.0) => new(Values.SetItem(state, Values[state] + amount));

    /// <summary>e(s) ← 1.</summary>
    public EligibilityTrace Replace(int state) => new(Values.SetItem(state, 1.0));

    /// <summary>A visit of the given kind: accumulate by 1 or replace with 1.</summary>
    public EligibilityTrace Visit(TraceKind kind, int state) =>
        kind == TraceKind.Accumulating ? Accumulate(state) : Replace(state);

    /// <summary>e ← γλ·e, then visit s — one step of a trace, built as one new array.</summary>
    public EligibilityTrace DecayThenVisit(double gammaLambda, TraceKind kind, int state)
    {
        var next = new double[Values.Length];
        var e = Values.AsSpan();
        for (var s = 0; s < next.Length; s++) next[s] = gammaLambda * e[s];
        next[state] = kind == TraceKind.Accumulating ? next[state] + 1.0 : 1.0;
        return new EligibilityTrace(next.Freeze());
    }

    /// <summary>e ← decay·e, then e(s) ← e(s) + amount — a general trace step (Barto–Sutton's signed actor trace), one new array.</summary>
    public EligibilityTrace DecayThenAdd(double decay, int state, double amount)
    {
        var next = new double[Values.Length];
        var e = Values.AsSpan();
        for (var s = 0; s < next.Length; s++) next[s] = decay * e[s];
        next[state] += amount;
        return new EligibilityTrace(next.Freeze());
    }

    public bool Equals(EligibilityTrace? other) =>
        other is not null && Values.AsSpan().SequenceEqual(other.Values.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in Values) hash.Add(v);
        return hash.ToHashCode();
    }
}
