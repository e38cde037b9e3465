using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Loops;
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
        var (model, logs, e, _) = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(42), Short, episodes: 3);
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
    public void Two_threads_train_the_same_model_as_one()
    {
        var one = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(9), Short, episodes: 2, evaluator: Sequential.Instance);
        var two = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(9), Short, episodes: 2, evaluator: TwoThreads.Instance);
        Assert.Equal(one.Model.World.Flat, two.Model.World.Flat);
        Assert.Equal(one.Model.Actor, two.Model.Actor);
        Assert.Equal(one.Model.Critic, two.Model.Critic);
        Assert.Equal(one.Evaluation.Agent.Mean, two.Evaluation.Agent.Mean);
    }

    [Fact]
    public void Short_training_run_is_deterministic_and_reports_every_iteration()
    {
        var (model, logs, e, _) = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(7), Short, episodes: 2);
        var again = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(7), Short, episodes: 2);
        Assert.Equal(Short.Iterations, logs.Length);
        Assert.Equal(Short.Iterations * Short.UpdatesPerIteration, model.Updates);
        Assert.Equal(e.Agent.Mean, again.Evaluation.Agent.Mean);
        Assert.All(logs, l => Assert.True(double.IsFinite(l.Reconstruction) && double.IsFinite(l.Kl)));
    }
}
