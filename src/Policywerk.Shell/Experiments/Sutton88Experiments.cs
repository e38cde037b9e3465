using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Logs;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Experiments;

/// <summary>One λ of a Sutton (1988) figure: our mean RMS error with its 95% interval, and the paper's value
/// read off the printed figure (±0.002).</summary>
public sealed record ErrorByLambda(double Lambda, double Mean, double Lower, double Upper, double? Paper, double? BestAlpha = null);

/// <summary>One λ of Figure 4: mean RMS error at each α of the grid.</summary>
public sealed record ErrorByAlpha(double Lambda, IReadOnlyList<double> Alphas, IReadOnlyList<double> Mean);

/// <summary><c>sutton88-fig3</c>'s printed table as data.</summary>
public sealed record Figure3Table(int TrainingSets, int Sequences, double Alpha, int Unconverged, IReadOnlyList<ErrorByLambda> Rows);

/// <summary><c>sutton88-fig5</c>'s printed tables as data.</summary>
public sealed record Figure45Table(int TrainingSets, int Sequences, IReadOnlyList<ErrorByLambda> Figure5, IReadOnlyList<ErrorByAlpha> Figure4);

/// <summary>Values read off Sutton (1988)'s printed Figures 3, 4 and 5 (the errata version of Figure 3).</summary>
public static class Sutton88Paper
{
    public static readonly IReadOnlyDictionary<double, double> Figure3 = new Dictionary<double, double>
    {
        [0.0] = 0.189, [0.1] = 0.190, [0.3] = 0.191, [0.5] = 0.194, [0.7] = 0.200, [0.9] = 0.218, [1.0] = 0.247,
    };

    public static readonly IReadOnlyDictionary<double, double> Figure5 = new Dictionary<double, double>
    {
        [0.0] = 0.114, [0.1] = 0.108, [0.2] = 0.105, [0.3] = 0.105, [0.4] = 0.108, [0.5] = 0.113,
        [0.6] = 0.120, [0.7] = 0.131, [0.8] = 0.146, [0.9] = 0.169, [1.0] = 0.204,
    };

    /// <summary>Figure 4's Widrow–Hoff (λ = 1) curve, the one that can be read without doubt (it leaves the chart after α = 0.4).</summary>
    public static readonly IReadOnlyList<PaperPoint> Figure4WidrowHoff =
    [
        new(0.0, 0.235), new(0.05, 0.20), new(0.1, 0.22), new(0.15, 0.26), new(0.2, 0.31),
        new(0.25, 0.38), new(0.3, 0.455), new(0.35, 0.555), new(0.4, 0.685),
    ];

    public static double? At(IReadOnlyDictionary<double, double> figure, double lambda) =>
        figure.TryGetValue(Math.Round(lambda, 2), out var value) ? value : null;
}

internal static class Format
{
    public static string F(double x, string format = "0.000") => x.ToString(format, CultureInfo.InvariantCulture);
    public static string Paper(double? x) => x is { } v ? "≈ " + F(v) : "";
    public static string Percent(double share) => F(100 * share, "0") + "%";

    /// <summary>To one decimal when <paramref name="size"/> is 10 or more, else to three, with a real minus sign: a
    /// number of a comparison or of a lesson's runs, at the precision its magnitude calls for.</summary>
    public static string Scaled(double x, double size) => F(x, Math.Abs(size) >= 10 ? "0.0" : "0.000").Replace('-', '−');
}

/// <summary>Sutton (1988) Figure 3: repeated presentations of each training set until the weights converge.</summary>
public sealed class Sutton88Figure3(Figure3Config config) : IExperiment
{
    public Sutton88Figure3() : this(Config) { }

    public IReadOnlyList<Setting> Settings => Setting.Of(Figure3Config.Knobs, Config);

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new Sutton88Figure3(KnobSet.Apply(Figure3Config.Knobs, config, values));

    public string Name => "sutton88-fig3";
    public string Description => "Sutton 1988 Figure 3: RMS error vs λ under repeated presentations (100 training sets of 10 walks)";
    public int DefaultRuns => 100;

    public static readonly Figure3Config Config = Figure3Config.Paper;

    /// <summary>The columns of the log (docs/logs.md): one row per training set and λ, after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns = [.. RunLog.RunColumns, "lambda", "rms", "presentations", "converged"];

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(config, ParallelRuns.Map(seed, runs, (_, key) => Sutton88.Figure3(config, key), progress), seed);

    private sealed class Result(Figure3Config config, Figure3Run[] runs, ulong seed) : IExperimentResult
    {
        public RunLog Log => RunLog.Of(LogColumns, runs.SelectMany((r, i) => r.Points.Select(p => new LogValue[]
            { i, seed, p.Lambda, p.Rms, p.Presentations, p.Converged })));

        /// <summary>Per λ, each training set's RMS error of the converged predictions.</summary>
        public IReadOnlyList<RunMetric> Metrics => config.Lambdas.Select((lambda, i) => new RunMetric(
            $"RMS error at λ = {Format.F(lambda, "0.0")}", runs.Select(r => r.Points[i].Rms).ToImmutableArray(), HigherIsBetter: false)).ToArray();

        public IReadOnlyList<RunCurves> Curves =>
            [new("Figure 3: RMS error of the converged predictions by λ", "λ", "RMS error", config.Lambdas, runs.Select(r => r.Points.Select(p => p.Rms).ToImmutableArray()).ToArray())];

        private readonly ImmutableArray<LambdaPoint> points = Sutton88.SummarizeFigure3(runs);

        object IExperimentResult.Table => Table;

        private Figure3Table Table => new(runs.Length, config.Sequences, config.Alpha,
            runs.Sum(r => r.Points.Count(p => !p.Converged)),
            points.Select(p => new ErrorByLambda(p.Lambda, Round(p.Rms.Mean), Round(p.Rms.Lower), Round(p.Rms.Upper),
                                                 Sutton88Paper.At(Sutton88Paper.Figure3, p.Lambda))).ToArray());

        public IEnumerable<string> Headline()
        {
            yield return "RMS error vs λ: " + string.Join(", ", points.Select(p => $"λ={Format.F(p.Lambda, "0.#")} {Format.F(p.Rms.Mean)}"));
            yield return $"paper (Figure 3): ≈ {Format.F(Sutton88Paper.Figure3[0.0])} at λ=0 rising to ≈ {Format.F(Sutton88Paper.Figure3[1.0])} at λ=1";
        }

        public void Print(IAnsiConsole console)
        {
            var table = Table;
            console.Write(new Rule("[bold]Sutton 1988, Figure 3 — repeated presentations until convergence[/]").LeftJustified());
            console.MarkupLine($"{table.TrainingSets} training sets of {table.Sequences} walks; each set presented again and again (Δw summed over the set, α = {table.Alpha}) until no weight moves by {config.Tolerance};");
            console.MarkupLine("then the RMS error of the converged predictions against the true values 1/6 … 5/6, averaged over training sets.");
            var t = new Table().AddColumn(new TableColumn("λ").RightAligned()).AddColumn(new TableColumn("mean RMS").RightAligned())
                .AddColumn(new TableColumn("95% CI").RightAligned()).AddColumn(new TableColumn("paper").RightAligned());
            foreach (var r in table.Rows)
                t.AddRow(Format.F(r.Lambda, "0.0"), Format.F(r.Mean), $"{Format.F(r.Lower)} – {Format.F(r.Upper)}", Format.Paper(r.Paper));
            console.Write(t);
            if (table.Unconverged > 0) console.MarkupLine($"[yellow]{table.Unconverged} (training set, λ) pairs did not converge[/]");
            console.MarkupLine("λ = 0 converges to the certainty-equivalence (maximum-likelihood) estimate; λ = 1 is Widrow–Hoff, which minimises the error on the training set, not on future walks.");
        }

        public void WritePictures(PictureWriter writer)
        {
            var plot = Draw.TracePlot($"Sutton 1988 Figure 3: repeated presentations, {runs.Length} training sets of {config.Sequences} walks",
                                      "λ", "RMS error (converged predictions)");
            Charts.Band(plot, points.Select(p => p.Lambda).ToArray(), points.Select(p => p.Rms).ToArray(), Palette.Accent, "ours: mean and 95% CI");
            Charts.Paper(plot, Sutton88Paper.Figure3.Select(kv => new PaperPoint(kv.Key, kv.Value)).ToArray(), "paper (read off Figure 3)");
            plot.Axes.Bottom.SetTicks(config.Lambdas.ToArray(), config.Lambdas.Select(l => Format.F(l, "0.0")).ToArray());
            plot.ShowLegend(Alignment.UpperLeft);
            writer.Png("figure.png", Panels.Render(plot, 900, 540));
        }
    }
}

/// <summary>Sutton (1988) Figures 4 and 5: each training set presented once, for a grid of λ and α.</summary>
public sealed class Sutton88Figure5(Figure45Config config) : IExperiment
{
    public Sutton88Figure5() : this(Config) { }

    public IReadOnlyList<Setting> Settings => Setting.Of(Figure45Config.Knobs, Config);

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new Sutton88Figure5(KnobSet.Apply(Figure45Config.Knobs, config, values));

    public string Name => "sutton88-fig5";
    public string Description => "Sutton 1988 Figures 4 and 5: one presentation, RMS error vs α per λ, and at the best α vs λ";
    public int DefaultRuns => 100;

    public static readonly Figure45Config Config = Figure45Config.Paper;

    /// <summary>The top of Figure 4's error axis, as in the paper's figure: larger errors (a large α diverges) leave it.</summary>
    private const double Figure4Top = 0.75;

    /// <summary>The λ curves the paper shows in Figure 4.</summary>
    public static readonly ImmutableArray<double> Figure4Lambdas = [0.0, 0.3, 0.8, 1.0];

    /// <summary>The columns of the log (docs/logs.md): one row per training set, λ and α, after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns = [.. RunLog.RunColumns, "lambda", "alpha", "rms"];

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(config, ParallelRuns.Map(seed, runs, (_, key) => Sutton88.Figure45(config, key), progress), seed);

    private sealed class Result(Figure45Config config, Figure45Run[] runs, ulong seed) : IExperimentResult
    {
        public RunLog Log => RunLog.Of(LogColumns, runs.SelectMany((r, i) => r.Lambdas.SelectMany((lambda, l) =>
            r.Alphas.Select((alpha, a) => new LogValue[] { i, seed, lambda, alpha, r.Rms[l][a] }))));

        /// <summary>Per λ, each training set's RMS error at the α that is best for that λ on average (Figure 5's α).</summary>
        private ImmutableArray<double> AtBestAlpha(Figure45Run run) =>
            summary.Figure5.Select((p, i) => run.Rms[i][config.Alphas.IndexOf(p.BestAlpha)]).ToImmutableArray();

        public IReadOnlyList<RunMetric> Metrics => summary.Figure5.Select((p, i) => new RunMetric(
            $"RMS error at λ = {Format.F(p.Lambda, "0.0")}, best α", runs.Select(r => AtBestAlpha(r)[i]).ToImmutableArray(), HigherIsBetter: false)).ToArray();

        public IReadOnlyList<RunCurves> Curves =>
            [new("Figure 5: RMS error at the best α by λ", "λ", "RMS error", config.Lambdas, runs.Select(AtBestAlpha).ToArray())];

        private readonly Figure45Summary summary = Sutton88.SummarizeFigure45(runs);

        private IEnumerable<AlphaCurve> Figure4Curves => summary.Figure4.Where(c => Figure4Lambdas.Contains(c.Lambda));

        object IExperimentResult.Table => Table;

        private Figure45Table Table => new(runs.Length, config.Sequences,
            summary.Figure5.Select(p => new ErrorByLambda(p.Lambda, Round(p.Rms.Mean), Round(p.Rms.Lower), Round(p.Rms.Upper),
                                                          Sutton88Paper.At(Sutton88Paper.Figure5, p.Lambda), p.BestAlpha)).ToArray(),
            Figure4Curves.Select(c => new ErrorByAlpha(c.Lambda, c.Alphas, c.Rms.Select(s => Round(s.Mean)).ToArray())).ToArray());

        public IEnumerable<string> Headline()
        {
            var best = summary.Figure5.MinBy(p => p.Rms.Mean)!;
            yield return "RMS error at the best α: " + string.Join(", ", summary.Figure5.Where((_, i) => i % 2 == 0 || i == 3)
                .Select(p => $"λ={Format.F(p.Lambda, "0.#")} {Format.F(p.Rms.Mean)}"));
            yield return $"lowest at λ={Format.F(best.Lambda, "0.#")} (α={Format.F(best.BestAlpha, "0.##")}); paper (Figure 5): ≈ 0.114 at λ=0, ≈ 0.105 near λ=0.3, ≈ 0.204 at λ=1";
        }

        public void Print(IAnsiConsole console)
        {
            var table = Table;
            console.Write(new Rule("[bold]Sutton 1988, Figures 4 and 5 — a single presentation of each training set[/]").LeftJustified());
            console.MarkupLine($"{table.TrainingSets} training sets of {table.Sequences} walks; weights start at 0.5 and are updated after each walk (offline TD(λ) within it),");
            console.MarkupLine($"for λ in 0, 0.1, …, 1 and α in 0, 0.05, …, 0.6; the best α per λ is chosen after averaging, as the paper chose it from Figure 4.");
            var t = new Table().Title("[bold]Figure 5: RMS error at the best α[/]")
                .AddColumn(new TableColumn("λ").RightAligned()).AddColumn(new TableColumn("best α").RightAligned())
                .AddColumn(new TableColumn("mean RMS").RightAligned()).AddColumn(new TableColumn("95% CI").RightAligned())
                .AddColumn(new TableColumn("paper").RightAligned());
            foreach (var r in table.Figure5)
                t.AddRow(Format.F(r.Lambda, "0.0"), Format.F(r.BestAlpha ?? 0, "0.00"), Format.F(r.Mean), $"{Format.F(r.Lower)} – {Format.F(r.Upper)}", Format.Paper(r.Paper));
            console.Write(t);

            var f4 = new Table().Title("[bold]Figure 4: mean RMS error by α[/]").AddColumn(new TableColumn("α").RightAligned());
            foreach (var c in table.Figure4) f4.AddColumn(new TableColumn($"λ = {Format.F(c.Lambda, "0.0")}").RightAligned());
            for (var j = 0; j < config.Alphas.Length; j++)
                f4.AddRow([Format.F(config.Alphas[j], "0.00"), .. table.Figure4.Select(c => Format.F(c.Mean[j]))]);
            console.Write(f4);
            console.MarkupLine("Every λ < 1 beats Widrow–Hoff (λ = 1); TD(0) propagates an outcome only one state per walk, so an intermediate λ learns fastest from one presentation.");
        }

        public void WritePictures(PictureWriter writer)
        {
            var five = Draw.TracePlot($"Sutton 1988 Figure 5: error at the best α, {runs.Length} training sets of {config.Sequences} walks, one presentation",
                                      "λ", "RMS error using the best α");
            Charts.Band(five, summary.Figure5.Select(p => p.Lambda).ToArray(), summary.Figure5.Select(p => p.Rms).ToArray(), Palette.Accent,
                        "ours: mean and 95% CI", floor: 0);
            Charts.Paper(five, Sutton88Paper.Figure5.Select(kv => new PaperPoint(kv.Key, kv.Value)).ToArray(), "paper (read off Figure 5)");
            five.ShowLegend(Alignment.UpperLeft);
            writer.Png("figure.png", Panels.Render(five, 900, 540));

            var four = Draw.TracePlot($"Sutton 1988 Figure 4: error after one presentation, by α ({runs.Length} training sets)", "α",
                                      $"RMS error (axis cut at {Format.F(Figure4Top, "0.##")}, as in the paper)");
            var colours = new[] { Palette.Accent, Palette.Fourth, Palette.Third, Palette.Second };
            var i = 0;
            foreach (var curve in Figure4Curves)
            {
                var label = curve.Lambda == 1.0 ? "λ = 1 (Widrow–Hoff)" : $"λ = {Format.F(curve.Lambda, "0.0")}";
                // a curve that leaves the plot says in its legend entry where it leaves and the error it reaches
                var exit = curve.Rms.Select(r => r.Mean).ToList().FindIndex(m => m > Figure4Top);
                if (exit >= 0)
                    label += $" (off the top from α = {Format.F(curve.Alphas[exit], "0.0#")}, {Format.F(curve.Rms[^1].Mean, "0.#")} at {Format.F(curve.Alphas[^1], "0.0#")})";
                Charts.Band(four, curve.Alphas.ToArray(), curve.Rms, colours[i++], label, markerSize: 5, floor: 0); // an error is ≥ 0
            }
            Charts.Paper(four, Sutton88Paper.Figure4WidrowHoff, "paper, λ = 1 (read off Figure 4)", 9);
            four.Axes.SetLimits(-0.02, 0.62, 0, Figure4Top);
            four.ShowLegend(Edge.Bottom); // below the plot: inside, it would cover curves
            four.Legend.Orientation = Orientation.Horizontal;
            writer.Png("figure4.png", Panels.Render(four, 900, 540));
        }
    }
}
