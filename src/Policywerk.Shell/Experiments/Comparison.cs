using System.Collections.Immutable;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Loops;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;

namespace Policywerk.Shell.Experiments;

/// <summary>One number per run that an A/B comparison pairs (e.g. a method's mean reward over the last 50 episodes),
/// and which way is better.</summary>
public sealed record RunMetric(string Name, ImmutableArray<double> PerRun, bool HigherIsBetter);

/// <summary>One curve per run (e.g. reward per episode at <see cref="Xs"/>), drawn as a mean with its 95% band; the y axis
/// from <see cref="YLow"/> to <see cref="YHigh"/> when both are given (to keep a first steep climb from flattening the rest).</summary>
public sealed record RunCurves(string Title, string XLabel, string YLabel, ImmutableArray<double> Xs, IReadOnlyList<ImmutableArray<double>> PerRun,
                               double? YLow = null, double? YHigh = null);

/// <summary>One metric compared: each arm's mean and interval over the runs, and the paired difference (variant − defaults).</summary>
public sealed record PairedRow(string Metric, bool HigherIsBetter, Summary Defaults, Summary Variant, Summary Difference, int Better, int Same, int Worse);

/// <summary>An A/B comparison as data: what was compared, on how many runs from which seed, and one row per metric.</summary>
public sealed record ComparisonTable(string Subject, string Variant, int Runs, ulong Seed, IReadOnlyList<PairedRow> Rows);

/// <summary>
/// <c>--vs</c>: the same protocol run twice on the same run keys — run i of the defaults and run i of the variant share
/// key i of <c>Key.FromSeed(seed).Split(runs)</c> — and each metric compared run by run (<see cref="Statistics.Pair"/>).
/// </summary>
public sealed class Comparison(string subject, string variant, IExperimentResult defaults, IExperimentResult changed, ulong seed)
{
    public IExperimentResult Defaults => defaults;
    public IExperimentResult Variant => changed;

    /// <summary>Both arms' logs (<see cref="IExperimentResult.Log"/>), the defaults' rows then the variant's, an <c>arm</c>
    /// column in front that says which: <c>defaults</c> or <c>variant</c>.</summary>
    public Logs.RunLog Log => Logs.RunLog.Concat([defaults.Log.Prefixed(["arm"], "defaults"), changed.Log.Prefixed(["arm"], "variant")]);

    /// <summary>Runs <paramref name="baseline"/> and <paramref name="alternative"/> on the same run keys.</summary>
    public static Comparison Run(string subject, string variant, IExperiment baseline, IExperiment alternative, int runs, ulong seed,
                                 IProgress<double> progress)
    {
        var a = baseline.Compute(runs, seed, new Progress<double>(p => progress.Report(p / 2)));
        var b = alternative.Compute(runs, seed, new Progress<double>(p => progress.Report(0.5 + p / 2)));
        return new Comparison(subject, variant, a, b, seed);
    }

    /// <summary>The comparison as data; a run whose metric is not a finite number (training that went astray without a
    /// divergence of its own) stops it with a <see cref="DivergenceError"/>.</summary>
    public ComparisonTable Table => table ??= new ComparisonTable(subject, variant, defaults.Metrics[0].PerRun.Length, seed,
        defaults.Metrics.Zip(changed.Metrics, (a, b) =>
        {
            if (a.Name != b.Name) throw new InvalidOperationException($"the arms measure different things: '{a.Name}' and '{b.Name}'");
            foreach (var (arm, metric) in new[] { ("the defaults", a), (variant, b) })
                for (var i = 0; i < metric.PerRun.Length; i++)
                    if (!double.IsFinite(metric.PerRun[i]))
                        throw new DivergenceError($"{subject} diverged: run {i} with {arm} gave {metric.Name} = {metric.PerRun[i]}");
            var paired = Statistics.Pair(a.PerRun.AsSpan(), b.PerRun.AsSpan(), a.HigherIsBetter);
            return new PairedRow(a.Name, a.HigherIsBetter, Statistics.Summarize(a.PerRun.AsSpan()), Statistics.Summarize(b.PerRun.AsSpan()),
                                 paired.Difference, paired.Better, paired.Same, paired.Worse);
        }).ToArray());
    private ComparisonTable? table;

    /// <summary>A row's numbers at the precision its means call for (<see cref="Format.Scaled"/>).</summary>
    private static string F(double x, PairedRow r) => Format.Scaled(x, Math.Max(Math.Abs(r.Defaults.Mean), Math.Abs(r.Variant.Mean)));
    /// <summary>With its sign: 0 only when it is 0; a difference too small for the row's precision in exponent form.</summary>
    private static string Signed(double x, PairedRow r)
    {
        if (x == 0) return "0";
        var text = F(x, r);
        if (text.All(c => c is '0' or '.' or '−')) text = x.ToString("0.0E+0", System.Globalization.CultureInfo.InvariantCulture).Replace('-', '−');
        return (x > 0 ? "+" : "") + text;
    }
    private static string Difference(PairedRow r) => $"{Signed(r.Difference.Mean, r)} [{Signed(r.Difference.Lower, r)}, {Signed(r.Difference.Upper, r)}]";
    private static string Direction(PairedRow r) => r.HigherIsBetter ? "↑" : "↓";

    /// <summary>"identical" when every run gave the same number; else whether the interval of the difference excludes 0,
    /// and in whose favour.</summary>
    private static string Verdict(PairedRow r) =>
        r.Same == r.Better + r.Same + r.Worse ? "identical"
        : r.Difference.Lower > 0 || r.Difference.Upper < 0 ? (r.Difference.Mean > 0 == r.HigherIsBetter ? "variant better" : "defaults better")
        : "no clear difference";

    /// <summary>The few lines <c>--quiet</c> prints: per metric, the two means, the paired difference with its interval,
    /// the runs the variant won, and the verdict.</summary>
    public IEnumerable<string> Headline() =>
        Table.Rows.Select(r => $"{r.Metric} {Direction(r)}  {F(r.Defaults.Mean, r)} → {F(r.Variant.Mean, r)}: " +
                               $"{Difference(r)}, better in {r.Better}/{Table.Runs}, {Verdict(r)}");

    /// <summary>Both arms' own tables, then the paired comparison.</summary>
    public void Print(IAnsiConsole console)
    {
        console.Write(new Rule($"[bold]Defaults[/]").LeftJustified());
        defaults.Print(console);
        console.WriteLine();
        console.Write(new Rule($"[bold]Variant: {Markup.Escape(variant)}[/]").LeftJustified());
        changed.Print(console);
        console.WriteLine();
        var t = Table;
        console.Write(new Rule($"[bold]{Markup.Escape(t.Subject)}: defaults vs {Markup.Escape(t.Variant)}, {t.Runs} paired runs (seed {t.Seed})[/]").LeftJustified());
        var grid = new Table().AddColumn("metric (mean over runs)").AddColumn(new TableColumn("defaults").RightAligned().NoWrap())
            .AddColumn(new TableColumn("variant").RightAligned().NoWrap()).AddColumn(new TableColumn("difference").RightAligned().NoWrap())
            .AddColumn(new TableColumn("95% interval").RightAligned().NoWrap()).AddColumn(new TableColumn("runs +/=/−").RightAligned().NoWrap())
            .AddColumn(new TableColumn("").NoWrap());
        foreach (var r in t.Rows)
            grid.AddRow(Markup.Escape($"{r.Metric} {Direction(r)}"), F(r.Defaults.Mean, r), F(r.Variant.Mean, r),
                        Signed(r.Difference.Mean, r), $"{Signed(r.Difference.Lower, r)} to {Signed(r.Difference.Upper, r)}",
                        $"{r.Better}/{r.Same}/{r.Worse}", Verdict(r));
        console.Write(grid);
        console.WriteLine($"↑ higher is better, ↓ lower is better. The difference is variant − defaults; run i of both arms learns from the same key, " +
                          $"so the differences are paired and the interval is Student's t on the {t.Runs} of them. +/=/− counts the runs in which " +
                          "the variant did better than, as well as, or worse than the defaults.");
    }

    /// <summary>One figure: each curve of both arms with its band on one panel; with no curves, each metric's runs as
    /// paired dots (a line joins run i of the defaults to run i of the variant).</summary>
    public void WritePictures(PictureWriter writer)
    {
        var panels = defaults.Curves.Count > 0
            ? defaults.Curves.Zip(changed.Curves, CurvePanel).ToList()
            : defaults.Metrics.Zip(changed.Metrics, MetricPanel).ToList();
        var cols = Math.Min(panels.Count, 3);
        writer.Png("figure.png", Panels.Grid(panels, cols, cols == 1 ? 900 : 620, 460));
    }

    private Plot CurvePanel(RunCurves a, RunCurves b)
    {
        var plot = Draw.TracePlot(a.Title, a.XLabel, a.YLabel);
        var xs = a.Xs.ToArray();
        Charts.Band(plot, xs, Statistics.SummarizeColumns(a.PerRun), Palette.Accent, "defaults: mean and 95% CI", markerSize: xs.Length > 30 ? 0 : 6);
        Charts.Band(plot, xs, Statistics.SummarizeColumns(b.PerRun), Palette.Second, $"{variant}: mean and 95% CI", markerSize: xs.Length > 30 ? 0 : 6);
        if (a.YLow is { } low && a.YHigh is { } high) plot.Axes.SetLimitsY(low, high);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private Plot MetricPanel(RunMetric a, RunMetric b)
    {
        var plot = Draw.TracePlot(a.Name, "", a.HigherIsBetter ? "higher is better" : "lower is better");
        for (var i = 0; i < a.PerRun.Length; i++)
            Charts.Line(plot, [0.0, 1.0], [a.PerRun[i], b.PerRun[i]], Palette.Truth.WithAlpha(0.5), width: 1f, markerSize: 5f);
        foreach (var (x, metric, colour) in new[] { (0.0, a, Palette.Accent), (1.0, b, Palette.Second) })
        {
            var s = Statistics.Summarize(metric.PerRun.AsSpan());
            var bar = plot.Add.ErrorBar(new[] { x }, new[] { s.Mean }, new[] { s.Upper - s.Mean }); // the t interval is symmetric
            bar.Color = colour;
            bar.LineWidth = 3;
            plot.Add.Marker(x, s.Mean, MarkerShape.FilledDiamond, 14, colour);
        }
        plot.Axes.Bottom.SetTicks([0.0, 1.0], ["defaults", variant]);
        plot.Axes.SetLimitsX(-0.4, 1.4);
        return plot;
    }
}
