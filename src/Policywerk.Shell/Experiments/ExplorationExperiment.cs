using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using System.Collections.Immutable;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Logs;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using ScottPlot;
using Spectre.Console;
using Color = ScottPlot.Color;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Experiments;

/// <summary>One method with one behaviour policy over runs: mean reward per episode while learning, over all episodes
/// and over the last block (95% intervals), and how often its greedy walk after training reaches the goal, and on
/// the optimal 13-step path.</summary>
public sealed record ExplorationArm(string Method, string Behaviour, Summary AllEpisodes, Summary LastBlock, double ReachedGoalShare,
    double OptimalPathShare);

/// <summary><c>exploration</c>'s printed table as data.</summary>
public sealed record ExplorationTable(int Runs, int Episodes, int LastBlock, IReadOnlyList<ExplorationArm> Arms);

/// <summary>One run: every arm trained from its own key, and its greedy walk.</summary>
public sealed record ExplorationOutcome(IReadOnlyList<ControlRun> Runs, IReadOnlyList<GreedyEvaluation> Greedy);

/// <summary>
/// ε-greedy against softmax (Boltzmann) exploration on the cliff (Sutton &amp; Barto 2018, Example 6.6, §2.3 and §13.1):
/// Q-learning and SARSA, each with ε-greedy (ε = 0.1) and softmax at two temperatures.
/// </summary>
public sealed class ExplorationExperiment(CliffConfig config) : IExperiment
{
    public ExplorationExperiment() : this(Config) { }

    public string Name => "exploration";
    public string Description => "ε-greedy vs softmax exploration on the cliff: Q-learning and SARSA, reward while learning and the greedy path";
    public int DefaultRuns => 100;

    private const int EpisodesPerBlock = 50;
    private const int Smoothing = 10;

    /// <summary>The cliff as in <c>cliff</c>: 500 episodes, α 0.5, γ 1.</summary>
    private static readonly CliffConfig Config = CliffExperiment.Config;

    /// <summary>The knobs of <see cref="CliffConfig"/> but ε and τ: the arms set their own behaviour policies.</summary>
    private static readonly IReadOnlyList<Knob<CliffConfig>> Knobs = CliffConfig.Knobs.Where(k => k.Name is not ("epsilon" or "tau")).ToArray();

    public IReadOnlyList<Setting> Settings => Setting.Of(Knobs, Config);

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new ExplorationExperiment(KnobSet.Apply(Knobs, config, values));

    /// <summary>Fewer than two blocks of episodes leave nothing after the first block.</summary>
    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) =>
        KnobSet.Apply(Knobs, config, values).Episodes < 2 * EpisodesPerBlock ? $"episodes must be at least {2 * EpisodesPerBlock}, two blocks" : null;

    /// <summary>The behaviour policies compared.</summary>
    public static readonly IReadOnlyList<Exploration> Behaviours = [new EpsilonGreedy(0.1), new Boltzmann(1.0), new Boltzmann(5.0)];

    private static readonly ControlMethod[] Methods = [ControlMethod.QLearning, ControlMethod.Sarsa];
    private static readonly string[] MethodNames = ["Q-learning", "SARSA"];
    private static readonly Color[] Colours = [Palette.Accent, Palette.Second, Palette.Fourth];

    private static IEnumerable<(int Method, int Behaviour)> Arms() =>
        from m in Enumerable.Range(0, Methods.Length) from b in Enumerable.Range(0, Behaviours.Count) select (m, b);

    /// <summary>The columns of the log (docs/logs.md): one row per run, arm (agent and exploration) and episode, after
    /// <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns =
        [.. RunLog.RunColumns, "agent", "exploration", "epsilon", "tau", "episode", "reward", "steps"];

    /// <summary>An arm's agent, exploration, ε and τ as the log writes them.</summary>
    private static LogValue[] LogArm((int Method, int Behaviour) arm) => Behaviours[arm.Behaviour] switch
    {
        EpsilonGreedy e => [MethodLogNames[arm.Method], "epsilon_greedy", e.Epsilon, LogValue.Empty],
        Boltzmann b => [MethodLogNames[arm.Method], "softmax", LogValue.Empty, b.Temperature],
        var other => [MethodLogNames[arm.Method], other.ToString(), LogValue.Empty, LogValue.Empty],
    };
    private static readonly string[] MethodLogNames = ["q_learning", "sarsa"];

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(config, ParallelRuns.Map(seed, runs, (_, key) => Outcome(config, key), progress), seed);

    /// <summary>One run: arm i trains from the left half of key i and walks its greedy policy with the right half.</summary>
    public static ExplorationOutcome Outcome(CliffConfig cliff, Key key)
    {
        var arms = Arms().ToArray();
        var keys = key.Split(arms.Length);
        var runs = new ControlRun[arms.Length];
        var greedy = new GreedyEvaluation[arms.Length];
        for (var i = 0; i < arms.Length; i++)
        {
            var (train, walk) = keys[i].Split();
            var arm = cliff with { Control = cliff.ControlOrDefault with { Explore = Behaviours[arms[i].Behaviour] } };
            runs[i] = Cliff.Train(Methods[arms[i].Method], arm, train);
            greedy[i] = Cliff.Greedy(runs[i].Q, walk);
        }
        return new ExplorationOutcome(runs, greedy);
    }

    private sealed class Result(CliffConfig config, ExplorationOutcome[] outcomes, ulong seed) : IExperimentResult
    {
        private static readonly (int Method, int Behaviour)[] ArmList = Arms().ToArray();

        public RunLog Log => RunLog.Of(LogColumns, outcomes.SelectMany((o, i) => ArmList.SelectMany((arm, a) =>
            o.Runs[a].RewardPerEpisode.Select((reward, e) => (LogValue[])[i, seed, .. LogArm(arm), e + 1, reward, o.Runs[a].StepsPerEpisode[e]]))));

        private Summary Over(int arm, Block block) =>
            Statistics.Summarize(outcomes.Select(o => Blocks.Mean(o.Runs[arm].RewardPerEpisode, block)).ToArray());

        private ExplorationArm Row(int arm) => new(MethodNames[ArmList[arm].Method], Behaviours[ArmList[arm].Behaviour].ToString()!,
            Round(Over(arm, new Block(0, config.Episodes))), Round(Over(arm, Blocks.Last(config.Episodes, EpisodesPerBlock))),
            Round(outcomes.Count(o => o.Greedy[arm].ReachedGoal) / (double)outcomes.Length, 3),
            Round(outcomes.Count(o => o.Greedy[arm] is { Steps: 13, Reward: -12.0 }) / (double)outcomes.Length, 3));

        object IExperimentResult.Table => Table;
        private ExplorationTable Table => table ??= new ExplorationTable(outcomes.Length, config.Episodes, EpisodesPerBlock,
            Enumerable.Range(0, ArmList.Length).Select(Row).ToArray());
        private ExplorationTable? table;

        private ExplorationArm Arm(int method, int behaviour) => Table.Arms[Array.IndexOf(ArmList, (method, behaviour))];

        public IEnumerable<string> Headline() =>
            Enumerable.Range(0, Methods.Length).Select(m => $"{MethodNames[m]}, mean reward per episode: " +
                string.Join(", ", Enumerable.Range(0, Behaviours.Count).Select(b => $"{Arm(m, b).Behaviour} {Format.F(Arm(m, b).AllEpisodes.Mean, "0.0")}")));

        /// <summary>Sentences whose numbers come from the table: the best behaviour for each method, and whether its lead
        /// over ε-greedy is larger than the two intervals.</summary>
        private IEnumerable<string> Findings()
        {
            for (var m = 0; m < Methods.Length; m++)
            {
                var eps = Arm(m, 0);
                var best = Enumerable.Range(0, Behaviours.Count).Select(b => Arm(m, b)).MaxBy(a => a.AllEpisodes.Mean)!;
                if (best == eps)
                {
                    yield return $"{MethodNames[m]}: ε-greedy earns the most while learning ({Format.F(eps.AllEpisodes.Mean, "0.0")} per episode).";
                    continue;
                }
                var clear = best.AllEpisodes.Lower > eps.AllEpisodes.Upper;
                yield return $"{MethodNames[m]}: {best.Behaviour} earns {Format.F(best.AllEpisodes.Mean, "0.0")} per episode while learning against " +
                             $"ε-greedy's {Format.F(eps.AllEpisodes.Mean, "0.0")}; " +
                             (clear ? "the 95% intervals do not overlap." : "the 95% intervals overlap, so the runs do not separate them.");
            }
        }

        /// <summary>Per arm, each run's mean reward per episode over all episodes (what the learner earned while learning).</summary>
        public IReadOnlyList<RunMetric> Metrics => Enumerable.Range(0, ArmList.Length).Select(arm => new RunMetric(
            $"{MethodNames[ArmList[arm].Method]}, {Behaviours[ArmList[arm].Behaviour]}: reward per episode, all episodes",
            outcomes.Select(o => o.Runs[arm].RewardPerEpisode.Average()).ToImmutableArray(), HigherIsBetter: true)).ToArray();

        public void Print(IAnsiConsole console)
        {
            var t = Table;
            var c = config.ControlOrDefault;
            console.Write(new Rule("[bold]Exploration on the cliff — ε-greedy against softmax (Boltzmann)[/]").LeftJustified());
            console.MarkupLine(Markup.Escape($"{t.Runs} runs × {t.Episodes} episodes per arm; α = {c.Alpha}, γ = {c.Gamma}; softmax π(a|s) = exp(Q(s,a)/τ) / Σ_b exp(Q(s,b)/τ)."));
            console.MarkupLine("ε-greedy tries every other action equally often; softmax tries an action less the worse its value, so a step that has cost −100 is almost never tried again.");
            var table = new Table().Title($"[bold]Reward per episode while learning, over {t.Runs} runs (mean [[95% interval]])[/]")
                .AddColumn("method").AddColumn("behaviour").AddColumn(new TableColumn($"all {t.Episodes} episodes").RightAligned())
                .AddColumn(new TableColumn($"last {t.LastBlock}").RightAligned()).AddColumn(new TableColumn("greedy: goal").RightAligned())
                .AddColumn(new TableColumn("13-step path").RightAligned());
            foreach (var a in t.Arms)
                table.AddRow(a.Method, Markup.Escape(a.Behaviour), Markup.Escape(Interval(a.AllEpisodes)), Markup.Escape(Interval(a.LastBlock)),
                    Format.Percent(a.ReachedGoalShare), Format.Percent(a.OptimalPathShare));
            console.Write(table);
            console.MarkupLine("greedy: goal — runs whose greedy walk after training reaches the goal; 13-step path — runs on the optimal path along the edge.");
            foreach (var line in Findings()) console.MarkupLine(Markup.Escape(line));
        }

        private static string Interval(Summary s) => $"{Format.F(s.Mean, "0.0")} [{Format.F(s.Lower, "0.0")}, {Format.F(s.Upper, "0.0")}]";

        public void WritePictures(PictureWriter writer)
        {
            var xs = Enumerable.Range(1, config.Episodes).Select(i => (double)i).ToArray();
            var plots = new List<Plot>();
            // the y axis reaches well below the lowest settled curve (after the first 50 episodes), and at least to −110,
            // which leaves the legend a clear band in the middle
            var lowest = Enumerable.Range(0, ArmList.Length).Min(arm => Over(arm, new Block(EpisodesPerBlock, config.Episodes - EpisodesPerBlock)).Mean);
            var floor = Math.Min(-110.0, 10.0 * Math.Floor((lowest - 25.0) / 10.0));
            for (var m = 0; m < Methods.Length; m++)
            {
                var plot = Draw.TracePlot($"{MethodNames[m]}: reward per episode while learning ({outcomes.Length} runs, 95% bands)",
                    "episode", $"sum of rewards (trailing mean of {Smoothing})");
                for (var b = 0; b < Behaviours.Count; b++)
                {
                    var arm = Array.IndexOf(ArmList, (m, b));
                    var smoothed = outcomes.Select(o => Statistics.TrailingMean(o.Runs[arm].RewardPerEpisode.AsSpan(), Smoothing)).ToArray();
                    Charts.Band(plot, xs, Statistics.SummarizeColumns(smoothed), Colours[b], $"{Behaviours[b]}", markerSize: 0);
                }
                plot.Axes.SetLimits(0, config.Episodes + 1, floor, 0);
                plot.ShowLegend(Alignment.MiddleRight); // between the settled curves and the first episodes' climb
                plots.Add(plot);
            }
            writer.Png("figure.png", Panels.Grid(plots, 2, 760, 500));
        }
    }
}
