using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Worlds;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;
using Color = ScottPlot.Color;

namespace Policywerk.Shell.Experiments;

/// <summary>One seed of <c>experiment dreamer</c>: the three policies' mean returns with 95% intervals and the gap closed.</summary>
public sealed record DreamerSeedRow(int Run, PolicyScore Random, PolicyScore Agent, PolicyScore Scripted, double GapClosed, bool MeetsBar);

/// <summary><c>experiment dreamer</c>'s printed table as data.</summary>
public sealed record DreamerExperimentTable(int Runs, int Episodes, IReadOnlyList<DreamerSeedRow> Seeds,
    double MeanGapClosed, int SeedsClosingHalf, int SeedsMeetingBar);

/// <summary>Lesson 07 over several seeds: does the trained Dreamer close at least half the gap from the random policy to
/// the scripted controller, with its interval clear of random's?</summary>
public sealed class DreamerExperiment(DreamerConfig config) : IExperiment
{
    public DreamerExperiment() : this(Lesson07Dreamer.Config) { }

    /// <summary>Lesson 07's settings: the same knobs, defaults and conflicts.</summary>
    public IReadOnlyList<Setting> Settings => Lesson.Settings;

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new DreamerExperiment(KnobSet.Apply(DreamerConfig.Knobs, config, values));

    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) => Lesson.Conflict(values);

    private static ILesson Lesson => Catalog.Lesson(7);

    public string Name => "dreamer";
    public string Description => "lesson 07 over seeds: random vs Dreamer (greedy) vs scripted, and how many seeds close half the gap";
    public int DefaultRuns => 6;

    /// <summary>The bar a seed must clear: this fraction of the gap from the random policy to the scripted controller.</summary>
    public const double HalfGap = 0.5;

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(ParallelRuns.Map(seed, runs, (_, key) =>
            Lesson07Dreamer.TrainAndEvaluate(key, config, Lesson07Dreamer.EvaluationEpisodes,
                evaluator: Sequential.Instance).Evaluation, progress), seed); // the seeds already fill the cores

    /// <summary>The columns of the log (docs/logs.md): one row per run (its table's row), after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns =
        [.. Logs.RunLog.RunColumns, "random_return", "dreamer_return", "scripted_return", "gap_closed", "meets_bar"];

    private sealed class Result(DreamerEvaluation<PointMassState>[] evaluations, ulong seed) : IExperimentResult
    {
        public Logs.RunLog Log => Logs.RunLog.Of(LogColumns, evaluations.Select((e, i) => new Logs.LogValue[]
            { i, seed, e.Random.Mean, e.Agent.Mean, e.Scripted.Mean, e.GapClosed, e.GapClosed >= HalfGap && e.SeparatedFromRandom }));

        private DreamerExperimentTable? table;
        private DreamerExperimentTable Table => table ??= Build();

        private DreamerExperimentTable Build()
        {
            var rows = evaluations.Select((e, i) => new DreamerSeedRow(i, PolicyScore.Of("random", e.Random), PolicyScore.Of("Dreamer (greedy)", e.Agent),
                PolicyScore.Of("scripted controller", e.Scripted), Math.Round(e.GapClosed, 3), e.GapClosed >= HalfGap && e.SeparatedFromRandom)).ToArray();
            return new DreamerExperimentTable(rows.Length, Lesson07Dreamer.EvaluationEpisodes, rows,
                Math.Round(evaluations.Average(e => e.GapClosed), 3), evaluations.Count(e => e.GapClosed >= HalfGap), rows.Count(r => r.MeetsBar));
        }

        object IExperimentResult.Table => Table;

        public IReadOnlyList<RunMetric> Metrics =>
        [
            new("gap closed from random to scripted", evaluations.Select(e => e.GapClosed).ToImmutableArray(), HigherIsBetter: true),
            new("Dreamer (greedy): mean return", evaluations.Select(e => PolicyScore.Of("", e.Agent).Mean).ToImmutableArray(), HigherIsBetter: true),
        ];

        public IEnumerable<string> Headline()
        {
            var t = Table;
            yield return $"{t.SeedsMeetingBar} of {t.Runs} seeds close ≥ half the random→scripted gap with intervals clear of random's; mean gap closed {t.MeanGapClosed:P0}";
        }

        public void Print(IAnsiConsole console)
        {
            var t = Table;
            var grid = new Table().Title($"[bold]Dreamer over {t.Runs} seeds ({t.Episodes} evaluation episodes each, mean return [[95% interval]])[/]")
                .AddColumn(new TableColumn("run").RightAligned()).AddColumn("random").AddColumn("Dreamer (greedy)").AddColumn("scripted")
                .AddColumn(new TableColumn("gap closed").RightAligned()).AddColumn("bar");
            static string Cell(PolicyScore p) => Markup.Escape($"{p.Mean:0.0} [{p.Lower:0.0}, {p.Upper:0.0}]");
            foreach (var r in t.Seeds)
                grid.AddRow($"{r.Run}", Cell(r.Random), Cell(r.Agent), Cell(r.Scripted), $"{r.GapClosed:P0}", r.MeetsBar ? "[green]met[/]" : "[red]not met[/]");
            console.Write(grid);
            foreach (var line in Headline()) console.MarkupLine(Markup.Escape(line));
        }

        /// <summary>Left, each seed's three mean returns as points with their 95% intervals (returns are negative: a bar
        /// hanging from 0 would say nothing); right, what the experiment claims: the gap closed per seed against the bar.</summary>
        public void WritePictures(PictureWriter writer)
        {
            var t = Table;
            var seeds = Enumerable.Range(0, t.Seeds.Count).Select(i => (double)i).ToArray();
            var seedLabels = t.Seeds.Select(r => $"{r.Run}").ToArray();

            var returns = Draw.TracePlot("Mean return per seed, 95% intervals", "run (seed)", "mean return");
            (string Name, Func<DreamerSeedRow, PolicyScore> Score, Color Colour, double Dx)[] policies =
                [("random", r => r.Random, Palette.Gray, -0.2), ("Dreamer (greedy)", r => r.Agent, Palette.Accent, 0.0),
                 ("scripted", r => r.Scripted, Palette.Second, 0.2)];
            foreach (var (name, score, colour, dx) in policies)
            {
                for (var i = 0; i < t.Seeds.Count; i++)
                {
                    var p = score(t.Seeds[i]);
                    var interval = returns.Add.Line(i + dx, p.Lower, i + dx, p.Upper);
                    interval.LineColor = colour;
                    interval.LineWidth = 2.5f;
                    interval.MarkerSize = 0;
                }
                var means = returns.Add.Markers(seeds.Select(x => x + dx).ToArray(), t.Seeds.Select(r => score(r).Mean).ToArray(),
                                                MarkerShape.FilledCircle, 9, colour);
                means.LegendText = name;
            }
            var all = t.Seeds.SelectMany(r => new[] { r.Random.Lower, r.Random.Upper, r.Agent.Lower, r.Agent.Upper, r.Scripted.Lower, r.Scripted.Upper }).ToArray();
            var pad = 0.08 * Math.Max(1, all.Max() - all.Min());
            returns.Axes.SetLimits(-0.5, t.Seeds.Count - 0.5, all.Min() - pad, all.Max() + pad);
            returns.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(seeds, seedLabels);
            returns.ShowLegend(Edge.Bottom); // below the plot: inside, it would cover intervals
            returns.Legend.Orientation = Orientation.Horizontal;

            var gap = Draw.TracePlot($"Gap closed: {t.SeedsMeetingBar} of {t.Runs} seeds meet the bar",
                                     "run (seed)", "gap closed, random → scripted");
            for (var i = 0; i < t.Seeds.Count; i++)
            {
                var r = t.Seeds[i];
                gap.Add.Bar(new Bar { Position = i, Value = r.GapClosed, FillColor = r.MeetsBar ? Palette.Accent : Palette.Gray, Size = 0.6, LineWidth = 0 });
                Charts.Label(gap, $"{r.GapClosed:P0}", i, Math.Max(0, r.GapClosed), Alignment.LowerCenter, 11).OffsetY = -3;
            }
            gap.Add.HorizontalLine(HalfGap, 1.5f, Palette.Ink, LinePattern.Dashed).LegendText = $"the bar: {HalfGap:P0} of the gap";
            gap.Add.HorizontalLine(t.MeanGapClosed, 1.5f, Palette.Accent, LinePattern.Dotted).LegendText = $"mean: {t.MeanGapClosed:P0}";
            var (low, high) = (Math.Min(0, t.Seeds.Min(r => r.GapClosed)), Math.Max(1, t.Seeds.Max(r => r.GapClosed)));
            gap.Axes.SetLimits(-0.5, t.Seeds.Count - 0.5, low - 0.05 * (high - low), high + 0.2 * (high - low));
            gap.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(seeds, seedLabels);
            gap.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                TargetTickCount = Draw.TickCount,
                LabelFormatter = v => v.ToString("P0", System.Globalization.CultureInfo.InvariantCulture),
            };
            gap.ShowLegend(Alignment.UpperRight);
            gap.Legend.Orientation = Orientation.Horizontal;
            writer.Png("figure.png", Panels.Grid([returns, gap], 2, 450, 480));
        }
    }
}
