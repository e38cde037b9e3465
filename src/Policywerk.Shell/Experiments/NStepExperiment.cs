using System.Collections.Immutable;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Logs;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Experiments;

/// <summary>One n of Figure 7.2: the best α, our mean error there with its 95% interval, and the book's lowest point of
/// that curve, read off the printed figure.</summary>
public sealed record ErrorByN(int N, double BestAlpha, double Mean, double Lower, double Upper, double? BookAlpha, double? BookError);

/// <summary>One n of Figure 7.2: the mean error at each α of the grid.</summary>
public sealed record ErrorByNAndAlpha(int N, IReadOnlyList<double> Alphas, IReadOnlyList<double> Mean);

/// <summary><c>nstep</c>'s printed tables as data.</summary>
public sealed record NStepTable(int Runs, int Episodes, int States, IReadOnlyList<ErrorByN> Best, IReadOnlyList<ErrorByNAndAlpha> Curves);

/// <summary>The lowest point of each curve of Sutton &amp; Barto (2018) Figure 7.2 as printed, read off the figure to
/// about ±0.01 in α and ±0.005 in error (the curves for n ≥ 64 rise off the chart before they turn).</summary>
public static class SuttonBarto72
{
    public static readonly IReadOnlyDictionary<int, PaperPoint> Lowest = new Dictionary<int, PaperPoint>
    {
        [1] = new(0.82, 0.347), [2] = new(0.58, 0.281), [4] = new(0.37, 0.268),
        [8] = new(0.22, 0.281), [16] = new(0.135, 0.313), [32] = new(0.083, 0.361),
    };
}

/// <summary>
/// <c>experiment nstep</c>: Sutton &amp; Barto (2018) Figure 7.2 — n-step TD on the 19-state random walk, n = 1, 2, 4, …,
/// 512 and α in 0, 0.05, …, 1, the RMS error averaged over the first 10 episodes and 100 runs. Every (n, α) of a run learns
/// from the same episodes.
/// </summary>
public sealed class NStepExperiment(NStepConfig config) : IExperiment
{
    public NStepExperiment() : this(NStepConfig.Book) { }

    public IReadOnlyList<Setting> Settings => Setting.Of(NStepConfig.Knobs, config);

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new NStepExperiment(KnobSet.Apply(NStepConfig.Knobs, config, values));

    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) =>
        values.Any(v => v.Name == "size" && (int)v.Value % 2 == 0) ? "size must be odd, so that every walk starts in the middle state" : null;

    public string Name => "nstep";
    public string Description => "Sutton & Barto Figure 7.2: n-step TD on the 19-state random walk, error by α for n = 1 … 512";
    public int DefaultRuns => 100;

    /// <summary>The columns of the log (docs/logs.md): one row per run, n and α, after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns = [.. RunLog.RunColumns, "n", "alpha", "rms"];

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(config, ParallelRuns.Map(seed, runs, (_, key) => NStepWalk.Run(config, key), progress), seed);

    private sealed class Result(NStepConfig config, NStepRun[] runs, ulong seed) : IExperimentResult
    {
        public RunLog Log => RunLog.Of(LogColumns, runs.SelectMany((r, i) => r.Ns.SelectMany((n, k) =>
            r.Alphas.Select((alpha, a) => new LogValue[] { i, seed, n, alpha, r.Rms[k][a] }))));

        private readonly ImmutableArray<SweptCurve> sweep = AlphaSweep.Summarize(runs.Select(r => r.Rms).ToArray());

        public IReadOnlyList<RunMetric> Metrics => sweep.Select((c, i) => new RunMetric(
            $"RMS error at n = {config.Ns[i]}, best α", runs.Select(r => r.Rms[i][c.Best]).ToImmutableArray(), HigherIsBetter: false)).ToArray();

        public IReadOnlyList<RunCurves> Curves =>
            [new("RMS error at each n's best α", "n", "RMS error", config.Ns.Select(n => (double)n).ToImmutableArray(),
                 runs.Select(r => sweep.Select((c, i) => r.Rms[i][c.Best]).ToImmutableArray()).ToArray())];

        object IExperimentResult.Table => Table;

        private NStepTable Table => new(runs.Length, config.Episodes, config.Size,
            sweep.Select((c, i) =>
            {
                var best = c.Means[c.Best];
                var book = SuttonBarto72.Lowest.TryGetValue(config.Ns[i], out var p) ? p : null;
                return new ErrorByN(config.Ns[i], config.Alphas[c.Best], Round(best.Mean), Round(best.Lower), Round(best.Upper), book?.X, book?.Y);
            }).ToArray(),
            sweep.Select((c, i) => new ErrorByNAndAlpha(config.Ns[i], config.Alphas, c.Means.Select(s => Round(s.Mean)).ToArray())).ToArray());

        /// <summary>The n whose best α gives the lowest mean error.</summary>
        private int BestN => config.Ns[Enumerable.Range(0, sweep.Length).MinBy(i => sweep[i].Means[sweep[i].Best].Mean)];

        public IEnumerable<string> Headline()
        {
            var table = Table;
            yield return "RMS error at the best α: " + string.Join(", ", table.Best.Select(r => $"n={r.N} {Format.F(r.Mean)}"));
            var worstAtOne = Enumerable.Range(0, sweep.Length).MaxBy(i => sweep[i].Means[^1].Mean);
            var (bookN, book) = SuttonBarto72.Lowest.MinBy(kv => kv.Value.Y);
            yield return $"lowest at n={BestN}; at α={Format.F(config.Alphas[^1], "0.##")} the worst is n={config.Ns[worstAtOne]} " +
                         $"({Format.F(sweep[worstAtOne].Means[^1].Mean)}); book: lowest ≈ {Format.F(book.Y)} at n={bookN} (α ≈ {Format.F(book.X, "0.##")})";
        }

        public void Print(IAnsiConsole console)
        {
            var table = Table;
            console.Write(new Rule("[bold]Sutton & Barto (2018), Figure 7.2 — n-step TD on the random walk[/]").LeftJustified());
            console.MarkupLine($"{table.Runs} runs of {table.Episodes} episodes on the {table.States}-state walk (−1 on the left, +1 on the right, γ = 1),");
            console.MarkupLine($"values starting at {Format.F(config.InitialValue, "0.##")}; the RMS error over the walk states after each episode, averaged over the episodes.");
            var t = new Table().Title("[bold]RMS error at each n's best α[/]")
                .AddColumn(new TableColumn("n").RightAligned()).AddColumn(new TableColumn("best α").RightAligned())
                .AddColumn(new TableColumn("mean RMS").RightAligned()).AddColumn(new TableColumn("95% CI").RightAligned())
                .AddColumn(new TableColumn("book (lowest point)").RightAligned());
            foreach (var r in table.Best)
                t.AddRow($"{r.N}", Format.F(r.BestAlpha, "0.00"), Format.F(r.Mean), $"{Format.F(r.Lower)} – {Format.F(r.Upper)}",
                         r.BookError is { } e ? $"≈ {Format.F(e)} at α ≈ {Format.F(r.BookAlpha ?? 0, "0.00")}" : "");
            console.Write(t);
            var byAlpha = new Table().Title("[bold]Mean RMS error by α[/]").AddColumn(new TableColumn("α").RightAligned());
            foreach (var c in table.Curves) byAlpha.AddColumn(new TableColumn($"n={c.N}").RightAligned());
            for (var j = 0; j < config.Alphas.Length; j++)
                byAlpha.AddRow([Format.F(config.Alphas[j], "0.00"), .. table.Curves.Select(c => Format.F(c.Mean[j]))]);
            console.Write(byAlpha);
            console.MarkupLine($"An intermediate n learns fastest (here n = {BestN}): one-step TD passes an outcome back one state per episode, while " +
                               "large n waits for the end of the episode and, at a large α, follows each noisy return.");
        }

        public void WritePictures(PictureWriter writer)
        {
            var plot = Draw.TracePlot($"Sutton & Barto Figure 7.2: n-step TD on the {config.Size}-state random walk, {runs.Length} runs",
                                      "α", $"RMS error, averaged over the first {config.Episodes} episodes");
            var (low, high) = (0.25, 0.56);
            var lowest = new List<(string Label, double X, double Y, ScottPlot.Color Colour)>();
            for (var i = 0; i < sweep.Length; i++)
            {
                var colour = Draw.Ramp(i, sweep.Length);
                Charts.Band(plot, config.Alphas.ToArray(), sweep[i].Means, colour,
                            i == 0 ? "ours: mean and 95% CI, one curve per n (darker: larger n)" : null, markerSize: 4, floor: 0);
                var (x, y) = (config.Alphas[sweep[i].Best], sweep[i].Means[sweep[i].Best].Mean);
                // curves whose lowest points sit together share one label
                if (lowest.Count > 0 && lowest[^1].X == x && Math.Abs(lowest[^1].Y - y) < 0.015)
                    lowest[^1] = ($"{lowest[^1].Label}, {config.Ns[i]}", x, Math.Max(lowest[^1].Y, y), colour);
                else lowest.Add(($"n = {config.Ns[i]}", x, y, colour));
            }
            foreach (var (label, x, y, colour) in lowest.Where(l => l.Y < high))
                Charts.Label(plot, label, x, y - 0.012, Alignment.UpperCenter, 11, Draw.Mix(colour, Palette.Ink, 0.4), bold: true);
            Charts.Paper(plot, SuttonBarto72.Lowest.Values.ToArray(), "book: each curve's lowest point (n = 1 … 32)", 9);
            plot.Axes.SetLimits(-0.02, 1.02, low, high);
            plot.XLabel($"α   (curves above {Format.F(high, "0.00")} leave the chart, as in the book)", 13);
            plot.ShowLegend(Alignment.UpperRight);
            writer.Png("figure.png", Panels.Render(plot, 960, 600));
        }
    }
}
