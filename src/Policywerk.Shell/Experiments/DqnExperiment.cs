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

/// <summary>One DQN seed's outcome.</summary>
public sealed record DqnSeedResult(int Run, double EarlyReward, double LateReward, double GreedyReward, int GreedyBricks);

/// <summary>The <c>dqn</c> experiment's table as data.</summary>
public sealed record DqnExperimentTable(int Runs, ulong Seed, Summary Early, Summary Late, Summary GreedyBricks,
                                          int LateAtTarget, int MostBricks, double Target, IReadOnlyList<DqnSeedResult> Seeds);

/// <summary>Lesson 05 over many seeds: does DQN's late average reward reach the spec's ≈ 7–8, and does the greedy game
/// break most bricks, across seeds rather than on one lucky seed?</summary>
public sealed class DqnExperiment(DqnConfig config) : IExperiment
{
    public DqnExperiment() : this(Lesson05Dqn.Config) { }

    /// <summary>Lesson 05's settings: the same knobs, defaults and conflicts.</summary>
    public IReadOnlyList<Setting> Settings => Lesson.Settings;

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new DqnExperiment(KnobSet.Apply(DqnConfig.Knobs, config, values));

    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) => Lesson.Conflict(values);

    private static ILesson Lesson => Catalog.Lesson(5);

    /// <summary>The spec's lower end for the late (last 50 episodes) average reward.</summary>
    public const double Target = 7.0;

    /// <summary>"Most bricks": at least 7 of the 12.</summary>
    public const int MostBricks = 7;

    public string Name => "dqn";
    public string Description => "Lesson 05's DQN over many seeds: late average reward (target ≈ 7–8) and bricks broken by the greedy game";
    public int DefaultRuns => 10;

    /// <summary>Mini Breakout (lesson 05), or the Catcher (<see cref="CatcherDqnExperiment"/>).</summary>
    public IReadOnlyList<string> Worlds => CatcherDqnExperiment.DqnWorlds;

    public IExperiment OnWorld(string world) => world == "catcher" ? new CatcherDqnExperiment() : this;

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress)
    {
        var trainings = ParallelRuns.Map(seed, runs, (_, key) => Lesson05Dqn.Learn(config, key), progress);
        var seeds = trainings.Select((t, i) =>
        {
            var rewards = t.Episodes.Select(l => l.Reward).ToArray();
            return new DqnSeedResult(i, Round(Blocks.Mean(rewards, new Block(0, 50))), Round(Blocks.Mean(rewards, Blocks.Last(rewards.Length, 50))),
                Round(t.Greedy.TotalReward), t.Greedy.Steps.Count(s => s.Reward == Pure.Worlds.Breakout.BrickReward));
        }).ToList();
        var curves = trainings.Select(t => Statistics.TrailingMean(t.Episodes.Select(l => l.Reward).ToArray(), 20)).ToList();
        var table = new DqnExperimentTable(runs, seed,
            Round(Statistics.Summarize(seeds.Select(s => s.EarlyReward).ToArray())),
            Round(Statistics.Summarize(seeds.Select(s => s.LateReward).ToArray())),
            Round(Statistics.Summarize(seeds.Select(s => (double)s.GreedyBricks).ToArray())),
            seeds.Count(s => s.LateReward >= Target), seeds.Count(s => s.GreedyBricks >= MostBricks), Target, seeds);
        return new Result(table, Statistics.SummarizeColumns(curves), seeds, curves, config.Episodes,
                          Logs.RunLog.PerRun(trainings.Select(Lesson05Dqn.LogOf).ToList(), _ => seed));
    }

    /// <summary>The columns of the log (docs/logs.md): lesson 05's, one row per run and episode, after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns = [.. Logs.RunLog.RunColumns, .. Lesson05Dqn.LogColumns];

    private sealed class Result(DqnExperimentTable table, IReadOnlyList<Summary> curve, IReadOnlyList<DqnSeedResult> seeds,
                                IReadOnlyList<ImmutableArray<double>> curves, int episodes, Logs.RunLog log) : IExperimentResult
    {
        public Logs.RunLog Log => log;

        private string Late => $"episodes {episodes - 50}–{episodes - 1}";

        public IReadOnlyList<RunMetric> Metrics =>
        [
            new("reward per episode, last 50 episodes", seeds.Select(s => s.LateReward).ToImmutableArray(), HigherIsBetter: true),
            new("bricks broken by the greedy game", seeds.Select(s => (double)s.GreedyBricks).ToImmutableArray(), HigherIsBetter: true),
        ];

        public IReadOnlyList<RunCurves> Curves =>
        [
            new("DQN: reward per episode (trailing mean of 20)", "episode", "reward",
                Enumerable.Range(0, curves[0].Length).Select(i => (double)i).ToImmutableArray(), curves),
        ];

        object IExperimentResult.Table => table;

        private static string F(double x) => Rounding.Signed(x, 2);
        private static string Band(Summary s) => $"{F(s.Mean)}  [{F(s.Lower)}, {F(s.Upper)}]";

        public IEnumerable<string> Headline()
        {
            yield return $"late average reward ({Late}): {Band(table.Late)} (95% interval of the mean over {table.Runs} seeds)";
            yield return $"{table.LateAtTarget}/{table.Runs} seeds reach ≥ {table.Target:0}; greedy game breaks ≥ {MostBricks} of 12 bricks in {table.MostBricks}/{table.Runs}";
        }

        public void Print(IAnsiConsole console)
        {
            console.Write(new Rule($"[bold]Experiment dqn — lesson 05 over {table.Runs} seeds (seed {table.Seed})[/]").LeftJustified());
            var grid = new Table().AddColumn("run").AddColumn(new TableColumn("episodes 0–49").RightAligned())
                .AddColumn(new TableColumn(Late).RightAligned()).AddColumn(new TableColumn("greedy reward").RightAligned())
                .AddColumn(new TableColumn("bricks").RightAligned());
            foreach (var s in table.Seeds)
                grid.AddRow($"{s.Run}", F(s.EarlyReward), (s.LateReward >= table.Target ? "[green]" : "[yellow]") + F(s.LateReward) + "[/]",
                             F(s.GreedyReward), $"{s.GreedyBricks}/12");
            grid.AddRow("[bold]mean [[95%]][/]", Markup.Escape(Band(table.Early)), Markup.Escape(Band(table.Late)), "",
                         Markup.Escape($"{table.GreedyBricks.Mean:0.0} [{table.GreedyBricks.Lower:0.0}, {table.GreedyBricks.Upper:0.0}]"));
            console.Write(grid);
            foreach (var line in Headline()) console.MarkupLine(Markup.Escape(line));
        }

        public void WritePictures(PictureWriter writer)
        {
            var plot = LearningCurves.Band($"DQN on mini Breakout over {table.Runs} seeds: 20-episode mean reward",
                "episode", "reward", curve, table.Target, $"target ≈ {table.Target:0}");
            writer.Png("figure.png", Panels.Render(plot, 960, 480));
        }
    }
}
