using System.Collections.Immutable;

namespace Policywerk.Shell.Logs;

/// <summary>One cell of a <see cref="RunLog"/>: a number, a word (a method's or an agent's name), or nothing — a metric the
/// row has no value for, such as the mean return of an iteration in which no episode ended. A number that is not finite
/// (the NaN a run records for "none") is nothing.</summary>
public readonly record struct LogValue
{
    private LogValue(double? number, string? text) => (Number, Text) = (number, text);

    /// <summary>The number, if the cell holds one.</summary>
    public double? Number { get; }

    /// <summary>The word, if the cell holds one.</summary>
    public string? Text { get; }

    /// <summary>The empty cell.</summary>
    public static LogValue Empty => default;

    /// <summary>True for the empty cell.</summary>
    public bool IsEmpty => Number is null && Text is null;

    public static implicit operator LogValue(double x) => double.IsFinite(x) ? new LogValue(x, null) : Empty;
    public static implicit operator LogValue(int x) => new(x, null);
    public static implicit operator LogValue(ulong x) => new(x, null);
    public static implicit operator LogValue(bool x) => new(x ? 1 : 0, null);
    public static implicit operator LogValue(string? s) => s is null ? Empty : new LogValue(null, s);

    public override string ToString() => Number?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? Text ?? "";
}

/// <summary>
/// A run's log as data, what <c>--log FILE</c> writes: named columns and one row per natural unit of the run (a sweep, an
/// episode, an iteration; for an experiment, a run and its λ, α, n or episode). A run builds it from what it recorded
/// while training, so it is tested without files; <see cref="LogFile"/> only formats and writes it. The columns of each
/// lesson and experiment are documented in docs/logs.md.
/// </summary>
public sealed record RunLog(ImmutableArray<string> Columns, ImmutableArray<ImmutableArray<LogValue>> Rows)
{
    /// <summary>A log with these columns and rows; every row has one value per column.</summary>
    public static RunLog Of(IReadOnlyList<string> columns, IEnumerable<LogValue[]> rows)
    {
        if (columns.Distinct().Count() != columns.Count) throw new ArgumentException("a log's columns must have distinct names", nameof(columns));
        var built = rows.Select(row => row.Length == columns.Count
            ? row.ToImmutableArray()
            : throw new ArgumentException($"a log row has {row.Length} values for {columns.Count} columns", nameof(rows))).ToImmutableArray();
        return new RunLog([.. columns], built);
    }

    /// <summary>Rows.</summary>
    public int Count => Rows.Length;

    /// <summary>The value in column <paramref name="column"/> of row <paramref name="row"/>.</summary>
    public LogValue this[int row, string column] =>
        Rows[row][Columns.IndexOf(column) is >= 0 and var i ? i : throw new ArgumentException($"no column '{column}'", nameof(column))];

    /// <summary>This log with <paramref name="columns"/> put in front, holding <paramref name="values"/> in every row: the
    /// run a log belongs to (<c>run</c>, <c>seed</c>), the arm of a comparison (<c>arm</c>).</summary>
    public RunLog Prefixed(IReadOnlyList<string> columns, params LogValue[] values) =>
        Of([.. columns, .. Columns], Rows.Select(row => values.Concat(row).ToArray()));

    /// <summary>The logs one after the other; they must have the same columns.</summary>
    public static RunLog Concat(IReadOnlyList<RunLog> logs)
    {
        if (logs.Count == 0) throw new ArgumentException("no logs to join", nameof(logs));
        if (logs.Any(l => !l.Columns.SequenceEqual(logs[0].Columns))) throw new ArgumentException("the logs have different columns", nameof(logs));
        return new RunLog(logs[0].Columns, [.. logs.SelectMany(l => l.Rows)]);
    }

    /// <summary>One log per run, run i with <c>run</c> = i and <c>seed</c> = <paramref name="seedOf"/>(i) in front.</summary>
    public static RunLog PerRun(IReadOnlyList<RunLog> runs, Func<int, ulong> seedOf) =>
        Concat(runs.Select((log, i) => log.Prefixed(RunColumns, i, seedOf(i))).ToList());

    /// <summary>One row per run and metric, long form (<c>run</c>, <c>metric</c>, <c>value</c>): the numbers per run an
    /// experiment's <c>--vs</c> pairs, the log of an experiment that has none of its own.</summary>
    public static RunLog OfMetrics(IReadOnlyList<Experiments.RunMetric> metrics) => Of(MetricColumns,
        metrics.SelectMany(m => m.PerRun.Select((value, run) => (Run: run, Metric: m.Name, Value: value)))
            .OrderBy(r => r.Run).Select(r => new LogValue[] { r.Run, r.Metric, r.Value }));

    /// <summary>The columns of <see cref="OfMetrics"/>.</summary>
    public static readonly ImmutableArray<string> MetricColumns = ["run", "metric", "value"];

    /// <summary>The columns <see cref="PerRun"/> puts in front.</summary>
    public static readonly ImmutableArray<string> RunColumns = ["run", "seed"];
}
