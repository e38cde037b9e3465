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

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(ParallelRuns.Map(seed, runs, (_, key) =>
            Lesson07Dreamer.TrainAndEvaluate(key, config, Lesson07Dreamer.EvaluationEpisodes,
                evaluator: Sequential.Instance).Evaluation, progress)); // the seeds already fill the cores

    private sealed class Result(DreamerEvaluation<PointMassState>[] evaluations) : IExperimentResult
    {
        private DreamerExperimentTable? table;
        private DreamerExperimentTable Table => table ??= Build();

        private DreamerExperimentTable Build()
        {
            var rows = evaluations.Select((e, i) => new DreamerSeedRow(i, PolicyScore.Of("random", e.Random), PolicyScore.Of("Dreamer (greedy)", e.Agent),
                PolicyScore.Of("scripted controller", e.Scripted), Math.Round(e.GapClosed, 3), e.GapClosed >= 0.5 && e.SeparatedFromRandom)).ToArray();
            return new DreamerExperimentTable(rows.Length, Lesson07Dreamer.EvaluationEpisodes, rows,
                Math.Round(evaluations.Average(e => e.GapClosed), 3), evaluations.Count(e => e.GapClosed >= 0.5), rows.Count(r => r.MeetsBar));
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

        public void WritePictures(PictureWriter writer)
        {
            var t = Table;
            var plot = new Plot();
            plot.Title("Dreamer over seeds: random (grey), Dreamer greedy (blue), scripted (orange); 95% intervals", 14);
            for (var i = 0; i < t.Seeds.Count; i++)
            {
                var r = t.Seeds[i];
                (PolicyScore p, Color c, double dx)[] bars = [(r.Random, Palette.Gray, -0.25), (r.Agent, Palette.Accent, 0.0), (r.Scripted, Palette.Second, 0.25)];
                foreach (var (p, c, dx) in bars)
                {
                    var bar = plot.Add.Bar(new Bar { Position = i + dx, Value = p.Mean, Error = (p.Upper - p.Lower) / 2, FillColor = c, Size = 0.22 });
                    _ = bar;
                }
            }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                Enumerable.Range(0, t.Seeds.Count).Select(i => (double)i).ToArray(), t.Seeds.Select(r => $"{r.Run}").ToArray());
            plot.Axes.Bottom.Label.Text = "run (seed)";
            plot.Axes.Left.Label.Text = "mean return";
            plot.Axes.SetLimits(-0.6, t.Seeds.Count - 0.4, Math.Min(-240, t.Seeds.Min(r => r.Random.Lower) - 10), 0);
            writer.Png("figure.png", Panels.Render(plot, 900, 480));
        }
    }
}
