using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Loops;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Progress;
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

    [Fact]
    public void Training_keeps_the_model_after_each_stage_iteration()
    {
        Assert.Equal([1, 35, 70], Lesson07Dreamer.StageIterations(Lesson07Dreamer.Config.Iterations).ToArray());
        Assert.Equal([1, 2], Lesson07Dreamer.StageIterations(2).ToArray());
        Assert.Empty(Lesson07Dreamer.StageIterations(0));
        var run = Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(7), Short, episodes: 2);
        Assert.Equal([1, 2, 3], run.Stages.Select(s => s.Iteration));
        // each snapshot is the model as it stood after its iteration: its update count says so, and the last is the final model
        Assert.All(run.Stages, s => Assert.Equal(s.Iteration * Short.UpdatesPerIteration, s.Model.Updates));
        Assert.Same(run.Model, run.Stages[^1].Model);
    }

    /// <summary>The animation shows at least three training stages: frames for each stage's iteration, each stage ending
    /// on a held card whose drift is the stage model's own open-loop prediction of the episode, recomputed here.</summary>
    [Fact]
    public void Animation_shows_three_training_stages_with_cards_from_the_run()
    {
        var lesson = new Lesson07Dreamer(Short);
        var run = (Lesson07Dreamer.Run)lesson.Train(42, ProgressBar.None);
        var stages = run.Stages();
        var animation = run.Animation(stages);
        Assert.True(animation.Select(f => f.Iteration).Distinct().Count() >= 3, "the animation shows fewer than three training stages");
        Assert.Equal([1, 2, 3], stages.Select(s => s.Iteration));
        var world = Lesson07Dreamer.WorldOf(Short);
        var nets = DreamerNets.For(Short, world);
        var bounds = world.Dynamics.Bounds;
        var drifts = new List<double>();
        for (var i = 0; i < stages.Count; i++)
        {
            var episode = stages[i].View.Episode;
            var observations = episode.States.Select(world.Observe).ToArray();
            var model = run.Snapshots[i].Model;
            var roll = DreamerOpenLoop.Rollout(Short, nets, model.World, observations, episode.Actions, 0, episode.States.Length - 1);
            var end = roll.Imagined[^1].Heaviest;
            var last = episode.States[^1];
            var drift = Math.Sqrt(Math.Pow(PixelPointMass.FromGrid(end.X, bounds) - last.X, 2) + Math.Pow(PixelPointMass.FromGrid(end.Y, bounds) - last.Y, 2));
            drifts.Add(drift);
            var frames = animation.Where(f => f.Stage == i).ToArray();
            Assert.True(frames.Length >= 3, $"stage {i} has {frames.Length} frames");
            Assert.Equal(0, frames[0].Step);
            Assert.Equal(episode.States.Length - 1, frames[^1].Step);
            Assert.Equal(Lesson07Dreamer.Run.CardCs, frames[^1].DelayCs);
            Assert.Equal($"after {stages[i].Iteration} of {Short.Iterations} iterations:\nimagined path ends {drift.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} from the real one",
                frames[^1].Card);
            Assert.All(frames[..^1], f => Assert.Null(f.Card));
        }
        Assert.Equal(drifts.Count, drifts.Distinct().Count()); // each stage imagines with its own model, not the final one
        var drawn = 0;
        using (var dir = ShellHarness.TempDir())
            PictureWriter.Write(dir, lesson.Info.Slug, null, run.WritePictures, (name, pictures, _) => drawn = name == "artifact.gif" ? pictures.Count : drawn);
        Assert.Equal(animation.Count, drawn);
    }
}
