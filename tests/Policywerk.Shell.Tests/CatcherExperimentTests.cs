using Policywerk.Pure.Numerics;
using Policywerk.Shell.Experiments;
using Policywerk.Shell.Progress;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary><c>experiment dqn --world catcher</c>: DQN against a random policy on the same evaluation episodes, on a
/// reduced run (a 4×4 board, 1200 episodes, 4 seeds: seconds in a Debug build); the knobs; the <c>--world</c> errors.</summary>
public class CatcherExperimentTests
{
    /// <summary>The reduced run: the experiment's settings on a 4×4 board with a 16-step cap, a narrower network and a
    /// larger step size for 1200 episodes, 100 evaluation episodes per seed.</summary>
    private static readonly (string, double)[] Reduced =
        [("size", 4), ("max_steps", 16), ("hidden", 64), ("lr", 0.001), ("episodes", 1200), ("epsilon_decay", 600), ("eval_episodes", 100)];

    private const int Runs = 4;

    private static CatcherDqnTable Table(params (string, double)[] values) =>
        (CatcherDqnTable)new CatcherDqnExperiment().With(values).Compute(Runs, 42, ProgressBar.None).Table;

    private static readonly Lazy<CatcherDqnTable> Trained = new(() => Table(Reduced));

    /// <summary>The same board with one training episode: no update is made (the buffer waits for 200 transitions), so
    /// this is the untrained network's greedy policy.</summary>
    private static readonly Lazy<CatcherDqnTable> Untrained = new(() => Table([.. Reduced.Where(v => v.Item1 != "episodes"), ("episodes", 1)]));

    [Fact]
    public void Trained_DQN_beats_random_with_the_paired_interval_clear_of_zero_and_the_untrained_network_does_not()
    {
        var trained = Trained.Value;
        Assert.True(trained.BeatsRandom,
            $"DQN {trained.Dqn.Return.Mean} vs random {trained.Random.Return.Mean}: difference [{trained.Difference.Lower}, {trained.Difference.Upper}]");
        Assert.True(trained.Dqn.Hazards.Mean < trained.Random.Hazards.Mean, "DQN avoids hazards more than random play");
        Assert.Equal(Runs, trained.Better);

        var untrained = Untrained.Value;
        Assert.False(untrained.BeatsRandom, $"the untrained network: difference [{untrained.Difference.Lower}, {untrained.Difference.Upper}]");
    }

    /// <summary>The random policy's row depends only on the evaluation keys, never on training: both runs play the same
    /// episodes.</summary>
    [Fact]
    public void Random_play_is_the_same_evaluation_episodes_whatever_DQN_learned()
    {
        Assert.Equal(Trained.Value.Random, Untrained.Value.Random);
        Assert.NotEqual(Trained.Value.Dqn, Untrained.Value.Dqn);
    }

    [Fact]
    public void Reduced_table() =>
        Snapshot.Match(Trained.Value, new SnapshotFullName($"experiment_dqn_catcher_reduced_runs{Runs}_seed42.snap", SnapshotTests.Folder));

    [Fact]
    public void Every_knob_sets_its_own_field_and_every_field_has_a_knob()
    {
        var knobs = CatcherDqnConfig.Knobs;
        var defaults = CatcherDqnExperiment.Config;
        Assert.Equal(knobs.Count, knobs.Select(k => k.Name).Distinct().Count());
        var fields = typeof(Pure.Agents.DqnConfig).GetConstructors()[0].GetParameters().Select(p => "Dqn." + p.Name)
            .Concat(["World.Size", "World.ItemCount", "World.HazardCount", "World.MaxSteps", "EvalEpisodes", "EvalEpsilon"]).Order();
        Assert.Equal(fields, knobs.Select(k => k.Field).Order());
        foreach (var knob in knobs)
        {
            var value = new[] { knob.Min, knob.Min + 1 }.Select(v => Math.Min(v, knob.Max)).First(v => v != knob.Get(defaults));
            var changed = knob.Set(defaults, value);
            Assert.Equal(value, knob.Get(changed));
            Assert.All(knobs.Where(k => k != knob), other => Assert.Equal(other.Get(defaults), other.Get(changed)));
        }
    }

    /// <summary>The whole command, one run of the default protocol: its headline, and its figure in its own folder (not
    /// Breakout's).</summary>
    [Fact]
    public void The_command_prints_the_headline_and_writes_the_figure_beside_breakouts()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("experiment", "dqn", "--world", "catcher", "--runs", "1", "--quiet", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        var text = ShellHarness.Flat(result.Out);
        Assert.Contains("experiment dqn --world catcher: 1 runs, seed 42", text);
        Assert.Contains("evaluation return over 1 seeds × 200 episodes: DQN (greedy) +", text);
        Assert.Contains("DQN − random (paired): +", text);
        Assert.Equal(["experiment_dqn_catcher"], Directory.GetDirectories(dir).Select(Path.GetFileName));
        using var figure = new ImageMagick.MagickImage(Path.Combine(dir, "experiment_dqn_catcher", "figure.png"));
        Assert.Equal((960u, 480u), (figure.Width, figure.Height));
        Assert.True(figure.TotalColors > 10, "the figure is not blank");
    }

    [Theory]
    [InlineData("dqn", "nope", "unknown world 'nope' for experiment dqn; known: breakout, catcher")]
    [InlineData("cliff", "catcher", "experiment cliff runs on one world and takes no --world")]
    [InlineData("nstep", "breakout", "takes no --world; --world is for dqn")]
    public void A_world_an_experiment_does_not_have_is_one_error_line_and_exit_2(string experiment, string world, string message)
    {
        var result = ShellHarness.Run("experiment", experiment, "--world", world, "--no-pictures");
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrLines);
        Assert.StartsWith("error:", result.Err.Trim());
        Assert.Contains(message, result.Err);
    }

    [Fact]
    public void The_catcher_lists_its_settings_and_a_bad_board_is_one_error_line()
    {
        var settings = ShellHarness.Run("experiment", "dqn", "--world", "Catcher", "--params");
        Assert.Equal(0, settings.ExitCode);
        var text = ShellHarness.Flat(settings.Out);
        Assert.Contains("experiment dqn --world catcher: settings for --vs name=value", text);
        foreach (var name in new[] { "size", "items", "hazards", "max_steps", "eval_epsilon", "lr" }) Assert.Contains($"│ {name} ", text);

        var breakout = ShellHarness.Run("experiment", "dqn", "--world", "breakout", "--params");
        Assert.Equal(0, breakout.ExitCode);
        Assert.Contains("experiment dqn: settings for --vs", ShellHarness.Flat(breakout.Out));
        Assert.DoesNotContain("eval_epsilon", breakout.Out);

        var crowded = ShellHarness.Run("experiment", "dqn", "--world", "catcher", "--vs", "size=2,items=3", "--no-pictures");
        Assert.Equal(2, crowded.ExitCode);
        Assert.Single(crowded.ErrLines);
        Assert.Contains("a 2×2 board cannot hold the agent", crowded.Err);
    }
}
