using Policywerk.Pure.Numerics;
using Policywerk.Shell.Cli;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Loops;
using Policywerk.Shell.Progress;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lessons 05 and 06: seeded short runs and the full runs snapshotted, divergence reported, experiments listed.</summary>
public class DeepLessonTests
{
    private static void Match(ILesson lesson, string name) =>
        Snapshot.Match(lesson.Train(42, ProgressBar.None).Results, new SnapshotFullName(name, SnapshotTests.Folder));

    [Fact]
    public void Lesson_05_short_run_results() =>
        Match(new Lesson05Dqn(Lesson05Dqn.Config with { Episodes = 40 }), "lesson05_short_seed42.snap");

    [Fact]
    public void Lesson_06_short_run_results() =>
        Match(new Lesson06Ppo(Lesson06Ppo.Config with { Iterations = 6, RolloutSteps = 200 }), "lesson06_short_seed42.snap");

    [Fact]
    public void Lesson_05_results() => SnapshotTests.MatchLesson(5);

    [Fact]
    public void Lesson_06_results() => SnapshotTests.MatchLesson(6);

    [Fact]
    public void A_diverging_dqn_stops_with_a_divergence_error()
    {
        var error = Assert.Throws<DivergenceError>(() =>
            Lesson05Dqn.Learn(Lesson05Dqn.Config with { LearningRate = 1e300, MinReplay = 20, Episodes = 40 }, 1));
        Assert.StartsWith("DQN diverged", error.Message);
        Assert.Equal(ExitCodes.Diverged, ExitCodes.Report(error, new StringWriter()));
    }

    [Fact]
    public void Lesson_5_with_a_runaway_learning_rate_stops_with_one_line_and_exit_3_and_writes_nothing()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("lesson", "5", "--set", "lr=5", "--quiet", "--out", dir);
        Assert.Equal(ExitCodes.Diverged, result.ExitCode);
        Assert.Single(result.ErrLines);
        Assert.StartsWith("error: DQN diverged", result.Err);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void A_diverging_ppo_stops_with_a_divergence_error()
    {
        var error = Assert.Throws<DivergenceError>(() =>
            Lesson06Ppo.Learn(Lesson06Ppo.Config with { ActorLearningRate = 1e300, CriticLearningRate = 1e300, RolloutSteps = 50, Iterations = 20 },
                              Key.FromSeed(1)));
        Assert.StartsWith("PPO diverged", error.Message);
    }

    [Fact]
    public void The_experiments_are_listed()
    {
        var result = ShellHarness.Run("experiment", "list");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("dqn", result.Out);
        Assert.Contains("ppo", result.Out);
    }
}
