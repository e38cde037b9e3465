using System.Collections.Immutable;

namespace Policywerk.Pure.Tabular;

using Policywerk.Pure.Numerics;

/// <summary>
/// An action-value table Q(s, a) for states 0..S−1 and actions 0..A−1, stored row by row
/// (entry s·A + a), as an immutable value. <see cref="With"/> returns a new table.
/// Equality compares the numbers, not the array reference.
/// </summary>
public sealed record QTable
{
    public QTable(int stateCount, int actionCount, ImmutableArray<double> values)
    {
        if (values.Length != stateCount * actionCount) throw new ArgumentException("values must hold stateCount × actionCount entries");
        StateCount = stateCount;
        ActionCount = actionCount;
        Values = values;
    }

    public int StateCount { get; }
    public int ActionCount { get; }

    /// <summary>All entries, row s holding Q(s, 0..A−1).</summary>
    public ImmutableArray<double> Values { get; }

    /// <summary>Every Q(s, a) = <paramref name="value"/>.</summary>
    public static QTable Filled(int stateCount, int actionCount, double value) =>
        new(stateCount, actionCount, Immutable.Filled(stateCount * actionCount, value));

    /// <summary>Q(s, a).</summary>
    public double this[int state, int action] => Values[state * ActionCount + action];

    /// <summary>Q(s, ·): the action values of one state.</summary>
    public ReadOnlySpan<double> Row(int state) => Values.AsSpan(state * ActionCount, ActionCount);

    /// <summary>max_a Q(s, a).</summary>
    public double Max(int state)
    {
        var row = Row(state);
        var best = row[0];
        for (var a = 1; a < row.Length; a++) if (row[a] > best) best = row[a];
        return best;
    }

    /// <summary>The same table with Q(s, a) = <paramref name="value"/>.</summary>
    public QTable With(int state, int action, double value) =>
        new(StateCount, ActionCount, Values.SetItem(state * ActionCount + action, value));

    /// <summary>The numbers, a row per state: <c>Q[s0: q00, q01; s1: q10, q11]</c> (as <see cref="VTable"/> prints them).</summary>
    public override string ToString() =>
        "Q[" + string.Join("; ", Enumerable.Range(0, StateCount).Select(s =>
            $"s{s}: " + string.Join(", ", Row(s).ToArray().Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture))))) + "]";

    public bool Equals(QTable? other) =>
        other is not null && other.StateCount == StateCount && other.ActionCount == ActionCount
        && Values.AsSpan().SequenceEqual(other.Values.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(StateCount);
        hash.Add(ActionCount);
        foreach (var v in Values) hash.Add(v);
        return hash.ToHashCode();
    }
}
