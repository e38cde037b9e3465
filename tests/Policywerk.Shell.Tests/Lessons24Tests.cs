using System.Text.Json;
using ImageMagick;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Experiments;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Progress;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lessons 02–04: seeded results as snapshots, the spec's "a correct run" numbers, and the pictures.</summary>
public class Lessons24Tests
{
    [Fact]
    public void Lesson_02_results() => SnapshotTests.MatchLesson(2);

    [Fact]
    public void Lesson_03_results() => SnapshotTests.MatchLesson(3);

    [Fact]
    public void Lesson_04_results() => SnapshotTests.MatchLesson(4);

    private static T Results<T>(int lesson) => (T)Catalog.Lesson(lesson).Train(42, ProgressBar.None).Results;

    [Fact]
    public void Lesson_02_balances_within_ten_episodes_and_ends_at_500()
    {
        var s = Results<BartoSuttonResults>(2);
        Assert.InRange(s.FirstBalance ?? int.MaxValue, 1, 10);
        Assert.Equal(500, s.Final10Mean);
        Assert.Equal(500, s.EvaluationSteps);
        Assert.Equal(6, s.ActorWeights.Count);
        Assert.All(s.CriticWeights, row => Assert.Equal(6, row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));

        var result = ShellHarness.Run("lesson", "2", "--quiet", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"first 500-step balance: episode {s.FirstBalance}; final 10 episodes average 500 steps", result.Out);
        Assert.Contains("greedy evaluation (no noise): 500 steps", result.Out);
    }

    [Fact]
    public void Lesson_03_TD0_learns_faster_and_ends_lower_than_Monte_Carlo()
    {
        var s = Results<TemporalDifferenceResults>(3);
        Assert.InRange(s.FinalRmsTdZero, 0.02, 0.15);
        Assert.InRange(s.FinalRmsMonteCarlo, 0.02, 0.3);
        Assert.True(s.RmsPer20.All(b => b.TdZero <= b.MonteCarlo), "TD(0) ahead in every block of 20 walks");
        Assert.Equal([0.0, 0.3, 0.7, 1.0], s.TdLambda.Select(l => l.Lambda));
        Assert.Equal(s.FinalRmsTdZero, s.TdLambda[0].FinalRms); // TD(λ=0) is TD(0)
        Assert.Equal(["A", "B", "C", "D", "E"], s.Estimates.Select(e => e.State));

        var result = ShellHarness.Run("lesson", "3", "--quiet", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"final RMS error: TD(0) {s.FinalRmsTdZero:0.000}, Monte Carlo (first-visit) {s.FinalRmsMonteCarlo:0.000}", result.Out);
        Assert.Contains("TD(λ) final RMS: λ=0 ", result.Out);
    }

    [Fact]
    public void Lesson_04_SARSA_earns_more_while_Q_learning_finds_the_edge()
    {
        var s = Results<QLearningResults>(4);
        Assert.InRange(s.LastFiftySarsa, -35, -15);
        Assert.InRange(s.LastFiftyQLearning, -70, -30);
        Assert.Equal((13, -12.0), (s.QLearningGreedy.Steps, s.QLearningGreedy.Reward));
        Assert.InRange(s.SarsaGreedy.Steps, 15, 17);
        Assert.True(s.SarsaGreedy.MeanRow < s.QLearningGreedy.MeanRow, "SARSA's path keeps further from the cliff");
        Assert.Equal("→ → → → → → → → → → → ↓", s.QLearningGreedy.Grid[2].Trim());

        var result = ShellHarness.Run("lesson", "4", "--quiet", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("greedy: Q-learning 13 steps, reward -12", result.Out);
        Assert.Contains($"SARSA {s.SarsaGreedy.Steps} steps", result.Out);
    }

    [Fact]
    public void Lesson_3_writes_a_gif_a_poster_and_a_trace_that_read_back()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("lesson", "3", "--quiet", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        var lessonDir = Path.Combine(dir, "03_td_learning");
        Assert.Equal(["artifact.gif", "poster.png", "trace.png"], Directory.GetFiles(lessonDir).Select(Path.GetFileName).Order());

        var walks = new RandomWalk().SampleMany(2, Key.FromSeed(42));
        using var gif = new MagickImageCollection(Path.Combine(lessonDir, "artifact.gif"));
        Assert.Equal(walks.Sum(w => Math.Min(w.Length, 6)) + 7, gif.Count); // two walks step by step, then seven checkpoints
        Assert.All(gif, frame => Assert.Equal((960u, 740u), (frame.Page.Width, frame.Page.Height))); // one canvas
        gif.Coalesce(); // each frame after the first is the rectangle that changed, drawn over the one before
        Assert.All(gif, frame => Assert.Equal((960u, 740u), (frame.Width, frame.Height)));
        using var poster = new MagickImage(Path.Combine(lessonDir, "poster.png"));
        Assert.Equal((760u, 560u), (poster.Width, poster.Height));
        using var trace = new MagickImage(Path.Combine(lessonDir, "trace.png"));
        Assert.True(trace.TotalColors > 10, "the trace is not a blank image");
    }
}

/// <summary>The experiments: small seeded runs as snapshots, determinism, and figures that read back.</summary>
public class ExperimentTests
{
    private const int SmallRuns = 4;

    private static object SmallTable(string name, ulong seed = 42) =>
        ExperimentCatalog.Find(name)!.Compute(SmallRuns, seed, ProgressBar.None).Table;

    private static void MatchExperiment(string name) =>
        Snapshot.Match(SmallTable(name), new SnapshotFullName($"experiment_{name}_runs{SmallRuns}_seed42.snap", SnapshotTests.Folder));

    [Fact]
    public void Sutton88_figure_3_table() => MatchExperiment("sutton88-fig3");

    [Fact]
    public void Sutton88_figure_5_table() => MatchExperiment("sutton88-fig5");

    [Fact]
    public void NStep_table() => MatchExperiment("nstep");

    /// <summary>Figure 7.2's shape (Sutton &amp; Barto §7.1): an intermediate n learns fastest, the best α falls as n grows,
    /// and at α = 1 the largest n is the worst.</summary>
    [Fact]
    public void NStep_TD_is_best_at_an_intermediate_n_and_worst_at_large_n_and_large_alpha()
    {
        var table = (NStepTable)ExperimentCatalog.Find("nstep")!.Compute(20, 42, ProgressBar.None).Table;
        var best = table.Best.MinBy(r => r.Mean)!;
        Assert.InRange(best.N, 2, 16);
        Assert.True(table.Best[0].Mean > best.Mean + 0.03 && table.Best[^1].Mean > best.Mean + 0.1,
            $"n=1 {table.Best[0].Mean}, n={best.N} {best.Mean}, n={table.Best[^1].N} {table.Best[^1].Mean}");
        Assert.Equal(table.Best.Select(r => r.BestAlpha).OrderDescending(), table.Best.Select(r => r.BestAlpha));
        var atOne = table.Curves.Select(c => c.Mean[^1]).ToArray();
        Assert.Equal(atOne.Max(), atOne[^1]);
        Assert.True(atOne.Skip(1).Zip(atOne.Skip(2)).All(p => p.Item2 >= p.Item1), $"at α = 1 the error grows with n from n = 2: {string.Join(", ", atOne)}");
    }

    [Fact]
    public void Cliff_table() => MatchExperiment("cliff");

    [Fact]
    public void Exploration_table() => MatchExperiment("exploration");

    [Fact]
    public void Softmax_at_temperature_one_earns_more_than_epsilon_greedy_while_learning_on_the_cliff()
    {
        var table = (ExplorationTable)ExperimentCatalog.Find("exploration")!.Compute(8, 42, ProgressBar.None).Table;
        foreach (var method in new[] { "Q-learning", "SARSA" })
        {
            var arms = table.Arms.Where(a => a.Method == method).ToDictionary(a => a.Behaviour);
            Assert.True(arms["softmax τ=1"].AllEpisodes.Lower > arms["ε-greedy ε=0.1"].AllEpisodes.Upper,
                $"{method}: softmax τ=1 {arms["softmax τ=1"].AllEpisodes.Mean:0.0} vs ε-greedy {arms["ε-greedy ε=0.1"].AllEpisodes.Mean:0.0}");
        }
    }

    [Fact]
    public void Same_seed_same_table_and_parallel_equals_sequential()
    {
        foreach (var name in new[] { "sutton88-fig3", "cliff" })
            Assert.Equal(JsonSerializer.Serialize(SmallTable(name, 7)), JsonSerializer.Serialize(SmallTable(name, 7)));
        Assert.NotEqual(JsonSerializer.Serialize(SmallTable("cliff", 7)), JsonSerializer.Serialize(SmallTable("cliff", 8)));

        // ParallelRuns on all cores against a plain loop over the same split keys.
        var parallel = ParallelRuns.Map(11, 6, (_, key) => CliffExperiment.Outcome(CliffExperiment.Config, key));
        var sequential = Key.FromSeed(11).Split(6).Select(key => CliffExperiment.Outcome(CliffExperiment.Config, key)).ToArray();
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(sequential[i].Run.QLearning.RewardPerEpisode.ToArray(), parallel[i].Run.QLearning.RewardPerEpisode.ToArray());
            Assert.Equal(sequential[i].Run.Sarsa.Q, parallel[i].Run.Sarsa.Q);
            Assert.Equal(sequential[i].ExpectedSarsa.Path.ToArray(), parallel[i].ExpectedSarsa.Path.ToArray());
        }
    }

    [Fact]
    public void Experiment_list_names_all_three_and_fig5_writes_both_figures()
    {
        var list = ShellHarness.Run("experiment", "list");
        Assert.Equal(0, list.ExitCode);
        foreach (var name in new[] { "sutton88-fig3", "sutton88-fig5", "cliff", "exploration" }) Assert.Contains(name, list.Out);

        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("experiment", "sutton88-fig5", "--runs", "3", "--quiet", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("RMS error at the best α: λ=0 ", result.Out);
        var folder = Path.Combine(dir, "experiment_sutton88-fig5");
        Assert.Equal(["figure.png", "figure4.png"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        foreach (var file in Directory.GetFiles(folder))
        {
            using var image = new MagickImage(file);
            Assert.Equal((900u, 540u), (image.Width, image.Height));
            Assert.True(image.TotalColors > 10, $"{Path.GetFileName(file)} is not blank");
        }
    }
}
