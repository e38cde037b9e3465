using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Logs;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using ScottPlot;
using Spectre.Console;
using Color = ScottPlot.Color;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Experiments;

/// <summary>One method over runs: mean reward per episode in each 50-episode block (with 95% CI), and its greedy path.</summary>
/// <remarks>Greedy steps and reward are means over the runs whose greedy walk reaches the goal.</remarks>
public sealed record CliffMethodRow(string Method, IReadOnlyList<double> MeanPer50, double LastFiftyMean, double LastFiftyLower,
                                   double LastFiftyUpper, double ReachedGoalShare, double GreedySteps, double GreedyReward, double OptimalPathShare);

/// <summary><c>cliff</c>'s printed table as data.</summary>
public sealed record CliffTable(int Runs, int Episodes, IReadOnlyList<CliffMethodRow> Methods);

/// <summary>One run: the three methods trained from one key, and each one's greedy walk.</summary>
public sealed record CliffOutcome(CliffRun Run, GreedyEvaluation QLearning, GreedyEvaluation Sarsa, GreedyEvaluation ExpectedSarsa);

/// <summary>Sutton &amp; Barto (2018) Example 6.6, Figure 6.4: reward per episode of Q-learning, SARSA and Expected SARSA
/// on the cliff, averaged over independent runs.</summary>
public sealed class CliffExperiment(CliffConfig config) : IExperiment
{
    public CliffExperiment() : this(Config) { }

    public string Name => "cliff";
    public string Description => "Sutton & Barto Example 6.6: reward per episode of Q-learning, SARSA, Expected SARSA on the cliff";
    public int DefaultRuns => 100;

    public static readonly CliffConfig Config = new(Episodes: 500, Control: new ControlConfig(Alpha: 0.5, Gamma: 1.0, Epsilon: 0.1));

    /// <summary>The knobs of <see cref="CliffConfig"/>, with this experiment's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(CliffConfig.Knobs, Config);

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new CliffExperiment(KnobSet.Apply(CliffConfig.Knobs, config, values));

    /// <summary>Fewer episodes than a block leave the last block empty.</summary>
    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) =>
        KnobSet.Apply(CliffConfig.Knobs, config, values).Episodes < EpisodesPerBlock ? $"episodes must be at least {EpisodesPerBlock}, one block" : null;
    private const int EpisodesPerBlock = 50;
    private const int Smoothing = 10;

    /// <summary>Figure 6.4's late-episode levels (ε = 0.1), read off the book's figure.</summary>
    private static readonly IReadOnlyDictionary<string, double> Book = new Dictionary<string, double> { ["Q-learning"] = -50, ["SARSA"] = -25 };

    /// <summary>The columns of the log (docs/logs.md): one row per run, agent and episode, after <c>run</c> and <c>seed</c>.</summary>
    public static readonly IReadOnlyList<string> LogColumns = [.. RunLog.RunColumns, "agent", "episode", "reward", "steps"];

    /// <summary>The methods' names in the log's <c>agent</c> column.</summary>
    private static readonly string[] Agents = ["q_learning", "sarsa", "expected_sarsa"];

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(config, ParallelRuns.Map(seed, runs, (_, key) => Outcome(config, key), progress), seed);

    /// <summary>One run: train the three methods from the left key, walk each greedy policy with the right one.</summary>
    public static CliffOutcome Outcome(CliffConfig config, Key key)
    {
        var (train, walk) = key.Split();
        var run = Cliff.Run(config, train);
        return new CliffOutcome(run, Cliff.Greedy(run.QLearning.Q, walk), Cliff.Greedy(run.Sarsa.Q, walk), Cliff.Greedy(run.ExpectedSarsa.Q, walk));
    }

    private static readonly string[] Names = ["Q-learning", "SARSA", "Expected SARSA"];
    private static readonly Color[] Colours = [Palette.Accent, Palette.Second, Palette.Fourth];

    private sealed class Result(CliffConfig config, CliffOutcome[] outcomes, ulong seed) : IExperimentResult
    {
        private static ControlRun Pick(CliffOutcome o, int m) => m switch { 0 => o.Run.QLearning, 1 => o.Run.Sarsa, _ => o.Run.ExpectedSarsa };

        public RunLog Log => RunLog.Of(LogColumns, outcomes.SelectMany((o, i) => Enumerable.Range(0, 3).SelectMany(m =>
            Pick(o, m).RewardPerEpisode.Select((reward, e) => new LogValue[] { i, seed, Agents[m], e + 1, reward, Pick(o, m).StepsPerEpisode[e] }))));
        private static GreedyEvaluation Greedy(CliffOutcome o, int m) => m switch { 0 => o.QLearning, 1 => o.Sarsa, _ => o.ExpectedSarsa };

        /// <summary>Per run, the mean reward of the block's episodes; then mean and CI over runs.</summary>
        private Summary BlockMean(int m, Block block) =>
            Statistics.Summarize(outcomes.Select(o => Blocks.Mean(Pick(o, m).RewardPerEpisode, block)).ToArray());

        private CliffMethodRow Row(int m)
        {
            var last = BlockMean(m, Blocks.Last(config.Episodes, EpisodesPerBlock));
            var arrived = outcomes.Select(o => Greedy(o, m)).Where(g => g.ReachedGoal).ToArray();
            return new CliffMethodRow(Names[m],
                Blocks.Of(config.Episodes, EpisodesPerBlock).Select(b => Round(BlockMean(m, b).Mean, 2)).ToArray(),
                Round(last.Mean, 2), Round(last.Lower, 2), Round(last.Upper, 2),
                Round(arrived.Length / (double)outcomes.Length, 3),
                arrived.Length == 0 ? 0 : Round(arrived.Average(g => g.Steps), 2), arrived.Length == 0 ? 0 : Round(arrived.Average(g => g.Reward), 2),
                Round(outcomes.Count(o => Greedy(o, m) is { Steps: 13, Reward: -12.0 }) / (double)outcomes.Length, 3));
        }

        object IExperimentResult.Table => Table;
        private CliffTable Table => table ??= new CliffTable(outcomes.Length, config.Episodes, Enumerable.Range(0, 3).Select(Row).ToArray());
        private CliffTable? table;

        public IEnumerable<string> Headline()
        {
            var t = Table;
            yield return $"episodes {config.Episodes - EpisodesPerBlock + 1}–{config.Episodes} mean reward: " + string.Join(", ", t.Methods.Select(r =>
                $"{r.Method} {Format.F(r.LastFiftyMean, "0.0")} [{Format.F(r.LastFiftyLower, "0.0")}, {Format.F(r.LastFiftyUpper, "0.0")}]"));
            yield return "greedy path: " + string.Join(", ", t.Methods.Select(r => $"{r.Method} {Format.F(r.GreedySteps, "0.0")} steps ({Format.Percent(r.ReachedGoalShare)} reach the goal)"))
                         + (config == Config ? "; book (Figure 6.4): " + string.Join(", ", Book.Reverse().Select(b => $"{b.Key} ≈ {Format.F(b.Value, "0").Replace('-', '−')}")) : "");
        }

        /// <summary>Per method, each run's mean reward per episode over the last block.</summary>
        public IReadOnlyList<RunMetric> Metrics => Enumerable.Range(0, 3).Select(m => new RunMetric(
            $"{Names[m]}: reward, last {EpisodesPerBlock}",
            outcomes.Select(o => Blocks.Mean(Pick(o, m).RewardPerEpisode, Blocks.Last(config.Episodes, EpisodesPerBlock))).ToImmutableArray(),
            HigherIsBetter: true)).ToArray();

        /// <summary>Per method, each run's reward per episode (trailing mean of <see cref="Smoothing"/>).</summary>
        public IReadOnlyList<RunCurves> Curves => Enumerable.Range(0, 3).Select(m => new RunCurves(
            $"{Names[m]}: reward per episode (trailing mean of {Smoothing})", "episode", "sum of rewards during episode",
            Enumerable.Range(1, config.Episodes).Select(i => (double)i).ToImmutableArray(),
            outcomes.Select(o => Statistics.TrailingMean(Pick(o, m).RewardPerEpisode.AsSpan(), Smoothing)).ToArray(), YLow: -110, YHigh: 0)).ToArray();

        public void Print(IAnsiConsole console)
        {
            var t = Table;
            console.Write(new Rule("[bold]Sutton & Barto 2018, Example 6.6 — the cliff, averaged over runs[/]").LeftJustified());
            var c = config.ControlOrDefault;
            var (setting, behaviour) = c.Behaviour is Boltzmann softmax ? ($"τ = {softmax.Temperature}", "softmax") : ($"ε = {c.Epsilon}", "ε-greedy");
            console.MarkupLine($"{t.Runs} runs × {t.Episodes} episodes per method; α = {c.Alpha}, γ = {c.Gamma}, {setting}" +
                               (config.InitialQ != 0 ? $", Q₀ = {config.InitialQ}" : "") + $"; reward per episode while learning ({behaviour}).");
            var blocks = new Table().Title($"[bold]Mean reward per episode, per {EpisodesPerBlock} episodes, over {t.Runs} runs[/]").AddColumn("episodes");
            foreach (var r in t.Methods) blocks.AddColumn(new TableColumn(r.Method).RightAligned());
            for (var b = 0; b < t.Episodes / EpisodesPerBlock; b++)
                blocks.AddRow([$"{b * EpisodesPerBlock + 1,3}–{(b + 1) * EpisodesPerBlock,3}", .. t.Methods.Select(r => Format.F(r.MeanPer50[b], "0.0"))]);
            blocks.AddRow(["[bold]95% CI, last block[/]", .. t.Methods.Select(r => $"{Format.F(r.LastFiftyLower, "0.0")} – {Format.F(r.LastFiftyUpper, "0.0")}")]);
            if (config == Config) blocks.AddRow(["book (Fig. 6.4)", .. t.Methods.Select(r => Book.TryGetValue(r.Method, out var v) ? $"≈ {v}" : "")]);
            console.Write(blocks);

            var greedy = new Table().Title("[bold]Greedy walk after training (steps and reward: runs that reach the goal)[/]").AddColumn("method")
                .AddColumn(new TableColumn("reach the goal").RightAligned()).AddColumn(new TableColumn("mean steps").RightAligned()).AddColumn(new TableColumn("mean reward").RightAligned())
                .AddColumn(new TableColumn("runs on the optimal 13-step path").RightAligned());
            foreach (var r in t.Methods)
                greedy.AddRow(r.Method, $"{Format.Percent(r.ReachedGoalShare)}", Format.F(r.GreedySteps, "0.0"), Format.F(r.GreedyReward, "0.0"), $"{Format.Percent(r.OptimalPathShare)}");
            console.Write(greedy);
            foreach (var line in Closing(t, behaviour)) console.MarkupLine(Markup.Escape(line));
        }

        /// <summary>What the tables show, from their numbers: who earns the most per episode in the last block while
        /// learning; why, in the book's words, only when the run bears it out (both SARSAs ahead of Q-learning, and
        /// Q-learning on the edge path in more runs than either).</summary>
        private IEnumerable<string> Closing(CliffTable t, string behaviour)
        {
            var ranked = t.Methods.OrderByDescending(r => r.LastFiftyMean).ToArray();
            var block = $"episodes {config.Episodes - EpisodesPerBlock + 1}–{config.Episodes}";
            string Mean(CliffMethodRow r) => Format.F(r.LastFiftyMean, "0.0");
            var others = string.Join(", ", ranked.Skip(1).Select(r => $"{r.Method} {Mean(r)}"));
            yield return ranked[0].LastFiftyMean == ranked[1].LastFiftyMean
                ? $"In {block}, {string.Join(" and ", ranked.TakeWhile(r => r.LastFiftyMean == ranked[0].LastFiftyMean).Select(r => r.Method))} " +
                  $"earn the most per episode while learning, {Mean(ranked[0])} each (all: {string.Join(", ", t.Methods.Select(r => $"{r.Method} {Mean(r)}"))})."
                : $"In {block}, {ranked[0].Method} earns the most per episode while learning: {Mean(ranked[0])}, against {others}.";
            var (q, sarsa, expected) = (t.Methods[0], t.Methods[1], t.Methods[2]);
            var edge = q.OptimalPathShare > sarsa.OptimalPathShare && q.OptimalPathShare > expected.OptimalPathShare;
            yield return (edge && sarsa.LastFiftyMean > q.LastFiftyMean && expected.LastFiftyMean > q.LastFiftyMean
                    ? $"SARSA and Expected SARSA value the {behaviour} policy they follow and keep off the edge; Q-learning values the greedy policy, " +
                      "walks the edge and pays for its exploratory steps."
                    : $"SARSA and Expected SARSA value the {behaviour} policy they follow; Q-learning values the greedy policy, whatever it does.") +
                " Expected SARSA averages over the next action instead of sampling it, which lowers the variance of its updates.";
        }

        public void WritePictures(PictureWriter writer)
        {
            var plot = Draw.TracePlot($"Cliff walking (Sutton & Barto Fig. 6.4): reward per episode, trailing mean of {Smoothing}, {outcomes.Length} runs",
                                      "episode", "sum of rewards during episode");
            var xs = Enumerable.Range(1, config.Episodes).Select(i => (double)i).ToArray();
            for (var m = 0; m < 3; m++)
            {
                var smoothed = outcomes.Select(o => Statistics.TrailingMean(Pick(o, m).RewardPerEpisode.AsSpan(), Smoothing)).ToArray();
                Charts.Band(plot, xs, Statistics.SummarizeColumns(smoothed), Colours[m], $"{Names[m]}: mean and 95% CI", markerSize: 0);
            }
            foreach (var (name, level) in Book.Where(_ => config == Config))
            {
                var line = plot.Add.HorizontalLine(level, 1.2f, Colours[Array.IndexOf(Names, name)], LinePattern.Dotted);
                line.LegendText = $"book, {name} ≈ {level}";
            }
            plot.Axes.SetLimits(0, config.Episodes + 1, -110, 0);
            plot.ShowLegend(Alignment.LowerRight);
            writer.Png("figure.png", Panels.Render(plot, 900, 540));
        }
    }
}
