using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using Spectre.Console;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Experiments;

/// <summary>One PPO seed's outcome.</summary>
public sealed record PpoSeedResult(int Run, double FirstReward, double BestBlockReward, double LateReward, double LateStd, int GreedySteps);

/// <summary>The <c>ppo</c> experiment's table as data.</summary>
public sealed record PpoExperimentTable(int Runs, ulong Seed, Summary First, Summary Late, Summary LateStd,
                                          int ReachTarget, int LateAtTarget, int GreedySurvives, double Target, IReadOnlyList<PpoSeedResult> Seeds);

/// <summary>Lesson 06 over many seeds: does PPO's average reward reach 400+ and does the greedy policy survive 500 steps?</summary>
public sealed class PpoExperiment(PpoConfig config) : IExperiment
{
    public PpoExperiment() : this(Lesson06Ppo.Config) { }

    /// <summary>Lesson 06's settings: the same knobs, defaults and conflicts.</summary>
    public IReadOnlyList<Setting> Settings => Lesson.Settings;

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new PpoExperiment(KnobSet.Apply(PpoConfig.Knobs, config, values));

    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) => Lesson.Conflict(values);

    private static ILesson Lesson => Catalog.Lesson(6);

    /// <summary>The spec's bar for the average reward.</summary>
    public const double Target = 400.0;

    public string Name => "ppo";
    public string Description => "Lesson 06's PPO over many seeds: average reward (target 400+) and 500-step survival of the greedy policy";
    public int DefaultRuns => 10;

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress)
    {
        var block = Lesson06Ppo.Block;
        var trainings = ParallelRuns.Map(seed, runs, (_, key) => Lesson06Ppo.Learn(config, key), progress);
        var curves = trainings.Select(t => Statistics.TrailingMean(Filled(t.Iterations.Select(l => l.AverageReturn).ToArray()), 10)).ToList();
        var seeds = trainings.Select((t, i) =>
        {
            var rewards = Filled(t.Iterations.Select(l => l.AverageReturn).ToArray());
            var blocks = Blocks.Of(rewards.Length, block).Select(b => Blocks.Mean(rewards, b)).ToArray();
            return new PpoSeedResult(i, Round(blocks[0], 2), Round(blocks.Max(), 2), Round(blocks[^1], 2),
                Round(Blocks.Mean(t.Iterations, Blocks.Last(t.Iterations.Length, block), l => l.MeanStd)), t.Greedy.Length);
        }).ToList();
        var table = new PpoExperimentTable(runs, seed,
            Round(Statistics.Summarize(seeds.Select(s => s.FirstReward).ToArray())),
            Round(Statistics.Summarize(seeds.Select(s => s.LateReward).ToArray())),
            Round(Statistics.Summarize(seeds.Select(s => s.LateStd).ToArray())),
            seeds.Count(s => s.BestBlockReward >= Target), seeds.Count(s => s.LateReward >= Target),
            seeds.Count(s => s.GreedySteps >= Lesson06Ppo.World.Constants.MaxSteps), Target, seeds);
        return new Result(table, Statistics.SummarizeColumns(curves), curves, config.Iterations, block,
                          Logs.RunLog.PerRun(trainings.Select(Lesson06Ppo.LogOf).ToList(), _ => seed));
    }

    /// <summary>The columns of the log (docs/logs.md): lesson 06's, one row per run and iteration, after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns = [.. Logs.RunLog.RunColumns, .. Lesson06Ppo.LogColumns];

    /// <summary>An iteration in which no episode ended has no return (NaN): carry the previous one forward.</summary>
    private static double[] Filled(double[] values)
    {
        var last = 0.0;
        for (var i = 0; i < values.Length; i++)
            values[i] = last = double.IsFinite(values[i]) ? values[i] : last;
        return values;
    }

    private sealed class Result(PpoExperimentTable table, IReadOnlyList<Summary> curve, IReadOnlyList<ImmutableArray<double>> curves,
                                int iterations, int block, Logs.RunLog log) : IExperimentResult
    {
        public Logs.RunLog Log => log;

        public IReadOnlyList<RunMetric> Metrics =>
        [
            new("average episode reward, last block", table.Seeds.Select(s => s.LateReward).ToImmutableArray(), HigherIsBetter: true),
            new("steps the greedy policy survives", table.Seeds.Select(s => (double)s.GreedySteps).ToImmutableArray(), HigherIsBetter: true),
        ];

        public IReadOnlyList<RunCurves> Curves =>
        [
            new("PPO: average episode reward (trailing mean of 10 iterations)", "iteration", "average episode reward",
                Enumerable.Range(0, curves[0].Length).Select(i => (double)i).ToImmutableArray(), curves),
        ];

        object IExperimentResult.Table => table;

        private static string F(double x) => x.ToString("0.0", CultureInfo.InvariantCulture);
        private static string Band(Summary s) => $"{F(s.Mean)}  [{F(s.Lower)}, {F(s.Upper)}]";

        public IEnumerable<string> Headline()
        {
            yield return $"average reward, last {block} iterations: {Band(table.Late)} (95% interval of the mean over {table.Runs} seeds); σ {table.LateStd.Mean:0.00}";
            yield return $"{table.ReachTarget}/{table.Runs} seeds reach a {block}-iteration average ≥ {table.Target:0} ({table.LateAtTarget}/{table.Runs} in the last block); greedy policy survives 500 steps in {table.GreedySurvives}/{table.Runs}";
        }

        public void Print(IAnsiConsole console)
        {
            console.Write(new Rule($"[bold]Experiment ppo — lesson 06 over {table.Runs} seeds (seed {table.Seed})[/]").LeftJustified());
            var last = Blocks.Last(iterations, block);
            var grid = new Table().AddColumn("run").AddColumn(new TableColumn($"iterations 0–{Math.Min(block, iterations) - 1}").RightAligned())
                .AddColumn(new TableColumn($"best {block}-block").RightAligned()).AddColumn(new TableColumn($"iterations {last.From}–{iterations - 1}").RightAligned())
                .AddColumn(new TableColumn("σ (late)").RightAligned()).AddColumn(new TableColumn("greedy steps").RightAligned());
            foreach (var s in table.Seeds)
                grid.AddRow($"{s.Run}", F(s.FirstReward), (s.BestBlockReward >= table.Target ? "[green]" : "[yellow]") + F(s.BestBlockReward) + "[/]",
                             F(s.LateReward), s.LateStd.ToString("0.000", CultureInfo.InvariantCulture), $"{s.GreedySteps}");
            grid.AddRow("[bold]mean [[95%]][/]", Markup.Escape(Band(table.First)), "", Markup.Escape(Band(table.Late)),
                         table.LateStd.Mean.ToString("0.000", CultureInfo.InvariantCulture), "");
            console.Write(grid);
            foreach (var line in Headline()) console.MarkupLine(Markup.Escape(line));
        }

        public void WritePictures(PictureWriter writer)
        {
            var plot = LearningCurves.Band($"PPO on continuous balance over {table.Runs} seeds: 10-iteration mean reward",
                "iteration", "average episode reward", curve, table.Target, $"target {table.Target:0}");
            writer.Png("figure.png", Panels.Render(plot, 960, 480));
        }
    }
}
