using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 07 through a shortened configuration (the full lesson takes seconds in Release, far longer in Debug).</summary>
public class Lesson07Tests
{
    private static readonly DreamerConfig Short = Lesson07Dreamer.Config with { PrefillSteps = 300, WarmupUpdates = 5, Iterations = 3, UpdatesPerIteration = 2 };

    private static object ShortRun()
    {
        var (model, logs, e) = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(42), Short, episodes: 3);
        return new
        {
            Updates = model.Updates,
            Logs = logs.Select(l => new { l.Iteration, Rec = Math.Round(l.Reconstruction, 6), Rew = Math.Round(l.RewardLoss, 5), Kl = Math.Round(l.Kl, 4),
                Imagined = Math.Round(l.ImaginedReturn, 4) }).ToArray(),
            Random = Math.Round(e.Random.Mean, 3), Agent = Math.Round(e.Agent.Mean, 3), Scripted = Math.Round(e.Scripted.Mean, 3),
        };
    }

    [Fact]
    public void Short_seeded_training_run_matches_its_snapshot() =>
        Snapshot.Match(ShortRun(), new SnapshotFullName("lesson07_short_seed42.snap", SnapshotTests.Folder));

    [Fact]
    public void Short_training_run_is_deterministic_and_reports_every_iteration()
    {
        var (model, logs, e) = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(7), Short, episodes: 2);
        var again = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(7), Short, episodes: 2);
        Assert.Equal(Short.Iterations, logs.Length);
        Assert.Equal(Short.Iterations * Short.UpdatesPerIteration, model.Updates);
        Assert.Equal(e.Agent.Mean, again.Evaluation.Agent.Mean);
        Assert.All(logs, l => Assert.True(double.IsFinite(l.Reconstruction) && double.IsFinite(l.Kl)));
    }
}
