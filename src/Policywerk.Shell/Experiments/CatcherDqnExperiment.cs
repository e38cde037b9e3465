using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Loops;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using Spectre.Console;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Experiments;

/// <summary>What <c>experiment dqn --world catcher</c> runs: DQN's hyperparameters, the Catcher it learns on, and how the
/// trained policy is evaluated.</summary>
/// <param name="Dqn">DQN's hyperparameters.</param>
/// <param name="World">The board: size, items, hazards, step cap.</param>
/// <param name="EvalEpisodes">Evaluation episodes per run, each on a layout drawn from a key training never used.</param>
/// <param name="EvalEpsilon">ε of the evaluated policy (0: greedy).</param>
public sealed record CatcherDqnConfig(DqnConfig Dqn, Catcher World, int EvalEpisodes, double EvalEpsilon)
{
    /// <summary>Every field a learner may set: DQN's knobs, then the board's and the evaluation's.</summary>
    public static readonly IReadOnlyList<Knob<CatcherDqnConfig>> Knobs =
    [
        .. DqnConfig.Knobs.Select(k => new Knob<CatcherDqnConfig>(k.Name, k.Symbol, k.Meaning, k.Min, k.Max, k.Integer, $"Dqn.{k.Field}",
            c => k.Get(c.Dqn), (c, v) => c with { Dqn = k.Set(c.Dqn, v) })),
        new("size", "size", "the board's side: Size × Size cells, as many pixels", 2, 16, true, "World.Size",
            c => c.World.Size, (c, v) => c with { World = c.World with { Size = (int)v } }),
        new("items", "items", "reward items on the board (+1 each; the last ends the episode)", 1, 20, true, "World.ItemCount",
            c => c.World.ItemCount, (c, v) => c with { World = c.World with { ItemCount = (int)v } }),
        new("hazards", "hazards", "hazards on the board (−1, ends the episode)", 0, 20, true, "World.HazardCount",
            c => c.World.HazardCount, (c, v) => c with { World = c.World with { HazardCount = (int)v } }),
        new("max_steps", "step cap", "steps before an episode is cut off (a time limit)", 1, 10_000, true, "World.MaxSteps",
            c => c.World.MaxSteps, (c, v) => c with { World = c.World with { MaxSteps = (int)v } }),
        new("eval_episodes", "eval episodes", "evaluation episodes per run (the same layouts for DQN and random)", 1, 100_000, true, "EvalEpisodes",
            c => c.EvalEpisodes, (c, v) => c with { EvalEpisodes = (int)v }),
        new("eval_epsilon", "ε_eval", "exploration of the evaluated DQN policy (0: greedy)", 0.0, 1.0, false, "EvalEpsilon",
            c => c.EvalEpsilon, (c, v) => c with { EvalEpsilon = v }),
    ];

    /// <summary>Why this configuration cannot run, or null: DQN's own conflicts, or a board too small for its pieces.</summary>
    public string? Conflict() =>
        Dqn.Conflict()
        ?? (1 + World.ItemCount + World.HazardCount > World.Size * World.Size
            ? $"a {World.Size}×{World.Size} board cannot hold the agent, {World.ItemCount} item(s) and {World.HazardCount} hazard(s)" : null);
}

/// <summary>How a policy did on the evaluation episodes: mean return, items collected, hazards hit and episodes cut off by
/// the step cap (per episode).</summary>
public sealed record CatcherScore(double Return, double Items, double Hazards, double Timeouts);

/// <summary>One run: the return of each training episode, and the trained DQN and the random policy on the same evaluation
/// episodes.</summary>
public sealed record CatcherRun(ImmutableArray<double> TrainingReturns, CatcherScore Dqn, CatcherScore Random);

/// <summary>One policy over the runs: the mean of each score with its 95% interval (Student's t over the runs).</summary>
public sealed record CatcherPolicyRow(string Policy, Summary Return, Summary Items, Summary Hazards, Summary Timeouts);

/// <summary>The <c>dqn --world catcher</c> table as data.</summary>
public sealed record CatcherDqnTable(int Runs, ulong Seed, int Size, int ItemCount, int HazardCount, int MaxSteps, int Episodes,
    int EvalEpisodes, double EvalEpsilon, CatcherPolicyRow Dqn, CatcherPolicyRow Random, Summary Difference, int Better, int Same,
    int Worse, bool BeatsRandom);

/// <summary>
/// DQN on the Catcher (the Python original's pixel gridworld) over many seeds, against a uniformly random policy: each run
/// trains from its own key, then plays the same evaluation episodes (layouts and action draws from a key training never
/// saw) with the trained policy and with uniformly random actions; the per-run mean returns are paired.
/// </summary>
public sealed class CatcherDqnExperiment(CatcherDqnConfig config) : IExperiment
{
    /// <summary>The settings (docs/experiments.md says why): a 5×5 board with one item and one hazard and a 25-step cap;
    /// DQN with 128 hidden units, α = 0.0003, γ = 0.9 and 4000 episodes (lesson 05: 32, 0.01, 0.95, 300), a larger replay
    /// and batch, an update every step and θ⁻ ← θ every 10 episodes; greedy evaluation on 200 episodes per run.</summary>
    public static readonly CatcherDqnConfig Config = new(
        new DqnConfig(Hidden: 128, LearningRate: 0.0003, Gamma: 0.9, EpsilonDecayEpisodes: 2000, ReplayCapacity: 5000,
                      MinReplay: 200, BatchSize: 32, TrainEvery: 1, TargetEvery: 10, Episodes: 4000),
        new Catcher(Size: 5, ItemCount: 1, HazardCount: 1, MaxSteps: 25), EvalEpisodes: 200, EvalEpsilon: 0.0);

    /// <summary>Episodes of the trailing mean the learning curve is drawn with.</summary>
    private const int Smoothing = 50;

    public CatcherDqnExperiment() : this(Config) { }

    public string Name => "dqn";
    public string Description => "DQN on the Catcher pixel gridworld against a random policy on the same evaluation episodes";
    public int DefaultRuns => 10;

    /// <summary>The worlds of <c>experiment dqn</c>: mini Breakout (the default, <see cref="DqnExperiment"/>) and the Catcher.</summary>
    public static readonly IReadOnlyList<string> DqnWorlds = ["breakout", "catcher"];

    public IReadOnlyList<string> Worlds => DqnWorlds;

    public IExperiment OnWorld(string world) => world == "catcher" ? this : new DqnExperiment();

    public IReadOnlyList<Setting> Settings => Setting.Of(CatcherDqnConfig.Knobs, Config);

    private CatcherDqnConfig Apply(IReadOnlyList<(string Name, double Value)> values) => KnobSet.Apply(CatcherDqnConfig.Knobs, config, values);

    public IExperiment With(IReadOnlyList<(string Name, double Value)> values) => new CatcherDqnExperiment(Apply(values));

    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) => Apply(values).Conflict();

    public IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress) =>
        new Result(config, seed, ParallelRuns.Map(seed, runs, (_, key) => Run(config, key), progress));

    /// <summary>One run: train from the key's left half; evaluate DQN and the random policy on the same episodes from its
    /// right half (episode i: layout and action draws from key i of its split, the same for both policies).</summary>
    public static CatcherRun Run(CatcherDqnConfig config, Key key)
    {
        var (trainKey, evalKey) = key.Split();
        var world = config.World;
        ObservationWriter<CatcherState> observe = world.WriteObservation;
        var training = TrainingLoop.Run(Dqn.Start<CatcherState>(config.Dqn, world.ObservationSize, Catcher.ActionCount, trainKey),
            config.Dqn.Episodes, config.Dqn.Episodes,
            runner =>
            {
                var episode = Dqn.Episode(config.Dqn, world, observe, runner);
                return (episode.Runner, episode.Log, episode.Diverged);
            },
            runner => runner.Model.Online, null);
        var model = training.Final.Model;
        var observation = new double[world.ObservationSize];
        var q = new double[Catcher.ActionCount];
        Draw<int> Trained(CatcherState s, Key k)
        {
            observe(s, observation);
            model.Net.PredictRow(model.Online, observation, q);
            return Policies.EpsilonGreedy(q, config.EvalEpsilon, k);
        }
        static Draw<int> Random(CatcherState s, Key k) => k.NextInt(Catcher.ActionCount);
        var episodes = evalKey.Split(config.EvalEpisodes);
        return new CatcherRun(training.Logs.Select(l => l.Reward).ToImmutableArray(),
                              Score(world, episodes, Trained), Score(world, episodes, Random));
    }

    /// <summary>A policy's mean score over the episodes: episode i starts from the layout its key's left half draws and
    /// plays with the right half.</summary>
    private static CatcherScore Score(Catcher world, IReadOnlyList<Key> episodes, Func<CatcherState, Key, Draw<int>> policy)
    {
        double returns = 0, items = 0, hazards = 0, timeouts = 0;
        foreach (var key in episodes)
        {
            var (resetKey, playKey) = key.Split();
            var game = Episodes.Run(world, policy, world.Reset(resetKey).Value, playKey, world.MaxSteps);
            var last = game.Steps[^1];
            returns += game.TotalReward;
            items += last.Next.Collected;
            if (last.Reward == Catcher.HazardReward) hazards++;
            if (last.Discount != 0.0) timeouts++;
        }
        var n = episodes.Count;
        return new CatcherScore(returns / n, items / n, hazards / n, timeouts / n);
    }

    private sealed class Result(CatcherDqnConfig config, ulong seed, IReadOnlyList<CatcherRun> runs) : IExperimentResult
    {
        private readonly CatcherDqnTable table = TableOf(config, seed, runs);

        private static CatcherPolicyRow Row(string policy, IReadOnlyList<CatcherScore> scores) => new(policy,
            Round(Statistics.Summarize(scores.Select(s => s.Return).ToArray())), Round(Statistics.Summarize(scores.Select(s => s.Items).ToArray())),
            Round(Statistics.Summarize(scores.Select(s => s.Hazards).ToArray())), Round(Statistics.Summarize(scores.Select(s => s.Timeouts).ToArray())));

        private static CatcherDqnTable TableOf(CatcherDqnConfig c, ulong seed, IReadOnlyList<CatcherRun> runs)
        {
            var paired = Statistics.Pair(runs.Select(r => r.Random.Return).ToArray(), runs.Select(r => r.Dqn.Return).ToArray(), higherIsBetter: true);
            var difference = Round(paired.Difference);
            return new CatcherDqnTable(runs.Count, seed, c.World.Size, c.World.ItemCount, c.World.HazardCount, c.World.MaxSteps, c.Dqn.Episodes,
                c.EvalEpisodes, c.EvalEpsilon, Row("DQN", runs.Select(r => r.Dqn).ToList()), Row("random", runs.Select(r => r.Random).ToList()),
                difference, paired.Better, paired.Same, paired.Worse, paired.Difference.Lower > 0);
        }

        object IExperimentResult.Table => table;

        public IReadOnlyList<RunMetric> Metrics =>
        [
            new("DQN's return", runs.Select(r => r.Dqn.Return).ToImmutableArray(), HigherIsBetter: true),
            new("DQN's hazard share", runs.Select(r => r.Dqn.Hazards).ToImmutableArray(), HigherIsBetter: false),
            new("DQN's timeout share", runs.Select(r => r.Dqn.Timeouts).ToImmutableArray(), HigherIsBetter: false),
        ];

        private IReadOnlyList<ImmutableArray<double>> SmoothedCurves =>
            runs.Select(r => Statistics.TrailingMean(r.TrainingReturns.AsSpan(), Smoothing)).ToList();

        public IReadOnlyList<RunCurves> Curves =>
        [
            new($"DQN on the Catcher: return per training episode (trailing mean of {Smoothing})", "episode", "return",
                Enumerable.Range(0, runs[0].TrainingReturns.Length).Select(i => (double)i).ToImmutableArray(), SmoothedCurves),
        ];

        private static string F(double x) => Rounding.Signed(x, 2);
        private static string Band(Summary s) => $"{F(s.Mean)} [{F(s.Lower)}, {F(s.Upper)}]";
        private static string Count(int n, string thing) => n == 1 ? $"1 {thing}" : $"{n} {thing}s";
        private static string Share(Summary s) => $"{s.Mean:0.00} [{s.Lower:0.00}, {s.Upper:0.00}]";

        private string Policy => table.EvalEpsilon == 0 ? "greedy" : $"ε = {table.EvalEpsilon:0.###}";

        public IEnumerable<string> Headline()
        {
            yield return $"evaluation return over {table.Runs} seeds × {table.EvalEpisodes} episodes: DQN ({Policy}) {Band(table.Dqn.Return)}, random {Band(table.Random.Return)}";
            yield return $"DQN − random (paired): {Band(table.Difference)}, DQN better in {table.Better}/{table.Runs}: " +
                         (table.BeatsRandom ? "DQN beats random, the 95% interval clear of 0"
                          : table.Difference.Upper < 0 ? "random beats DQN, the 95% interval clear of 0" : "no clear difference (the 95% interval holds 0)");
        }

        public void Print(IAnsiConsole console)
        {
            console.Write(new Rule($"[bold]Experiment dqn --world catcher — {table.Runs} seeds (seed {table.Seed})[/]").LeftJustified());
            console.MarkupLine(Markup.Escape($"{table.Size}×{table.Size} board, {Count(table.ItemCount, "item")} (+1 each), {Count(table.HazardCount, "hazard")} (−1, ends the episode), −0.01 a step, " +
                                             $"cut off at {table.MaxSteps} steps; {table.Size * table.Size} pixels in. DQN trains {table.Episodes} episodes per seed, then " +
                                             $"DQN ({Policy}) and a uniformly random policy play the same {table.EvalEpisodes} evaluation episodes (drawn from keys training never used)."));
            var grid = new Table().AddColumn("policy").AddColumn(new TableColumn("return [[95%]]").RightAligned())
                .AddColumn(new TableColumn("items / episode").RightAligned()).AddColumn(new TableColumn("hazards hit").RightAligned())
                .AddColumn(new TableColumn("timeouts").RightAligned());
            foreach (var row in new[] { table.Dqn, table.Random })
                grid.AddRow(row.Policy, Markup.Escape(Band(row.Return)), Markup.Escape(Share(row.Items)), Markup.Escape(Share(row.Hazards)),
                            Markup.Escape(Share(row.Timeouts)));
            grid.AddRow("[bold]DQN − random[/]", Markup.Escape(Band(table.Difference)), "", "", $"better in {table.Better}/{table.Runs}");
            console.Write(grid);
            console.MarkupLine("Means over the seeds with Student's t 95% intervals; hazards hit and timeouts are shares of the episodes; the difference is " +
                               "paired (each seed's DQN and random play the same episodes).");
            foreach (var line in Headline()) console.MarkupLine(Markup.Escape(line));
        }

        public void WritePictures(PictureWriter writer)
        {
            var curve = Statistics.SummarizeColumns(SmoothedCurves);
            var plot = LearningCurves.Band($"DQN on a {table.Size}×{table.Size} Catcher over {table.Runs} seeds: {Smoothing}-episode mean training return (ε-greedy)",
                "episode", "return", curve, table.Random.Return.Mean, $"random policy (evaluation), {F(table.Random.Return.Mean)}");
            writer.Png("figure.png", Panels.Render(plot, 960, 480));
        }
    }
}
