using System.Collections.Immutable;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Logs;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Progress;
using Spectre.Console;

namespace Policywerk.Shell.Experiments;

/// <summary>A lesson's headline numbers over runs: run i trained with seed S + i (so <c>lesson N --seed S+i</c> repeats it).</summary>
public sealed record LessonRunsTable(string Lesson, ulong Seed, IReadOnlyList<string> Measures, IReadOnlyList<IReadOnlyList<double>> PerRun,
                                     IReadOnlyList<Summary> Summaries);

/// <summary>
/// <c>lesson N --runs K</c>: the lesson as an experiment whose protocol is "train it K times", run i with seed S + i, and
/// whose metrics are its <see cref="ILessonRun.Measures"/> — so <c>--vs</c> compares any lesson's headline over seeds.
/// With <paramref name="keepLogs"/> (<c>--log</c>) it keeps every run's <see cref="ILessonRun.Log"/> too; without, only the
/// measures, so thousands of runs need little memory.
/// </summary>
public sealed class LessonRuns(ILesson lesson, bool keepLogs = false) : IExperiment
{
    public string Name => $"lesson {lesson.Info.Number}";
    public string Description => $"lesson {lesson.Info.Number:00} trained once per run: its headline numbers over runs";
    public int DefaultRuns => 10;

    public IReadOnlyList<Setting> Settings => lesson.Settings;
    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new LessonRuns(lesson.With(values), keepLogs);
    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) => lesson.Conflict(values);

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress)
    {
        var trained = ParallelRuns.Map(seed, runs, (i, _) =>
        {
            var run = lesson.Train(seed + (ulong)i, ProgressBar.None);
            return (run.Measures, Log: keepLogs ? run.Log : null);
        }, progress);
        return new Result(lesson.Info, seed, trained.Select(t => t.Measures).ToArray(), keepLogs ? trained.Select(t => t.Log!).ToArray() : null);
    }

    private sealed class Result(LessonInfo info, ulong seed, IReadOnlyList<Measure>[] runs, RunLog[]? logs) : IExperimentResult
    {
        /// <summary>Each run's log, its run index and seed (S + i) in front.</summary>
        public RunLog Log => RunLog.PerRun(logs ?? throw new InvalidOperationException("the runs' logs were not kept (LessonRuns with keepLogs)"),
                                           i => seed + (ulong)i);

        public IReadOnlyList<RunMetric> Metrics { get; } = runs[0].Select((m, j) =>
            new RunMetric(m.Name, runs.Select(r => r[j].Value).ToImmutableArray(), m.HigherIsBetter)).ToArray();

        object IExperimentResult.Table => Table;
        private LessonRunsTable Table => table ??= new($"{info.Number:00} {info.Algorithm}", seed, runs[0].Select(m => m.Name).ToArray(),
            runs.Select(r => (IReadOnlyList<double>)r.Select(m => m.Value).ToArray()).ToArray(),
            Metrics.Select(m => Statistics.Summarize(m.PerRun.AsSpan())).ToArray());
        private LessonRunsTable? table;

        private static string F(double x) => Format.Scaled(x, x);

        public IEnumerable<string> Headline() => Table.Measures.Select((name, j) =>
            $"{name}: {F(Table.Summaries[j].Mean)} [{F(Table.Summaries[j].Lower)}, {F(Table.Summaries[j].Upper)}] over {runs.Length} runs");

        public void Print(IAnsiConsole console)
        {
            var t = Table;
            var grid = new Table().Title($"[bold]Lesson {Markup.Escape(t.Lesson)}, {runs.Length} runs: run i uses seed {t.Seed} + i[/]")
                .AddColumn(new TableColumn("seed").RightAligned());
            foreach (var name in t.Measures) grid.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
            for (var i = 0; i < runs.Length; i++) grid.AddRow([$"{t.Seed + (ulong)i}", .. t.PerRun[i].Select(F)]);
            grid.AddRow(["[bold]mean[/]", .. t.Summaries.Select(s => F(s.Mean))]);
            grid.AddRow(["95% interval", .. t.Summaries.Select(s => $"{F(s.Lower)} to {F(s.Upper)}")]);
            console.Write(grid);
        }

        /// <summary>Each measure's runs as dots with the mean and its interval.</summary>
        public void WritePictures(PictureWriter writer)
        {
            var plots = Metrics.Select(m =>
            {
                var plot = Draw.TracePlot(m.Name, "run", m.HigherIsBetter ? "higher is better" : "lower is better");
                var xs = Enumerable.Range(0, runs.Length).Select(i => (double)i).ToArray();
                Charts.Band(plot, xs, Enumerable.Repeat(Statistics.Summarize(m.PerRun.AsSpan()), runs.Length).ToArray(), Palette.Accent, "mean and 95% CI", 0f);
                plot.Add.Markers(xs, m.PerRun.ToArray(), ScottPlot.MarkerShape.FilledCircle, 8, Palette.Ink);
                return plot;
            }).ToList();
            writer.Png("figure.png", Panels.Grid(plots, Math.Min(plots.Count, 3), 620, 460));
        }
    }
}
