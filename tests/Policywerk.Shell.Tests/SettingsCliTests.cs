using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 04's knobs from the command line: --params, --set, and one error line for every kind of bad setting.</summary>
public class SettingsCliTests
{
    [Fact]
    public void Params_lists_every_setting_with_its_default_and_range()
    {
        var result = ShellHarness.Run("lesson", "4", "--params");
        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "alpha", "gamma", "epsilon", "tau", "episodes", "max_steps", "q0" }) Assert.Contains(name, result.Out);
        Assert.Contains("a number from 0 to 1", result.Out);
    }

    [Fact]
    public void A_set_value_says_what_changed_and_changes_the_run()
    {
        var changed = ShellHarness.Run("lesson", "4", "--set", "epsilon=0.01", "--quiet", "--no-pictures");
        var defaults = ShellHarness.Run("lesson", "4", "--quiet", "--no-pictures");
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains("changed: ε = 0.01 (default 0.1)", changed.Out);
        static string Headline(string output) => output.Split('\n').Single(l => l.Contains("mean reward"));
        Assert.NotEqual(Headline(defaults.Out), Headline(changed.Out)); // the headline moves
        var two = ShellHarness.Run("lesson", "4", "--set", "epsilon=0.01,alpha=0.2", "--quiet", "--no-pictures");
        Assert.Contains("changed: α = 0.2 (default 0.5)", two.Out);
    }

    [Theory]
    [InlineData("epsilon=2", "epsilon must be a number from 0 to 1")]
    [InlineData("nope=1", "has no setting 'nope'")]
    [InlineData("alpha=", "needs a value")]
    [InlineData("alpha=x", "not a number")]
    [InlineData("episodes=10.5", "a whole number")]
    [InlineData("alpha", "takes name=value")]
    public void A_bad_setting_is_one_error_line_and_exit_2_before_anything_runs(string set, string message)
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("lesson", "4", "--set", set, "--out", dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.StartsWith("error:", result.Err.Trim());
        Assert.Contains(message, result.Err);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Theory]
    [InlineData(1, "gamma"), InlineData(2, "alpha"), InlineData(3, "lambda"), InlineData(4, "epsilon"), InlineData(5, "replay"),
     InlineData(6, "clip"), InlineData(7, "horizon")]
    public void Every_lesson_lists_its_settings(int lesson, string name)
    {
        var result = ShellHarness.Run("lesson", $"{lesson}", "--params");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(name, result.Out);
    }

    [Fact]
    public void Lesson_3_with_another_lambda_adds_its_row_and_explains_a_step_at_it()
    {
        var result = ShellHarness.Run("lesson", "3", "--set", "lambda=0.9", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("changed: λ = 0.9 (default 0.7)", result.Out);
        Assert.Contains("The rule: with λ = 0.9", result.Out);
        Assert.Matches(@"│\s+0\.9 │", result.Out);
    }

    [Fact]
    public void Lesson_3_below_gamma_1_measures_its_error_against_the_discounted_true_values()
    {
        var result = ShellHarness.Run("lesson", "3", "--set", "gamma=0.9", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        var truth = new Policywerk.Pure.Worlds.RandomWalk().TrueValuesFor(0.9);
        Assert.Contains($"C {Policywerk.Shell.Lessons.Narration.Number(truth[3])}", result.Out);
    }

    [Fact]
    public void Lesson_5_lists_its_settings_and_refuses_a_replay_smaller_than_the_batch()
    {
        var list = ShellHarness.Run("lesson", "5", "--params");
        Assert.Equal(0, list.ExitCode);
        foreach (var name in new[] { "lr", "replay", "min_replay", "batch", "target_every", "episodes" }) Assert.Contains(name, list.Out);
        var bad = ShellHarness.Run("lesson", "5", "--set", "replay=10", "--no-pictures");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("batch (16) must not exceed replay (10)", bad.Err);
    }

    [Fact]
    public void Lesson_6_lists_its_settings_and_refuses_a_minibatch_larger_than_the_rollout()
    {
        var list = ShellHarness.Run("lesson", "6", "--params");
        Assert.Equal(0, list.ExitCode);
        foreach (var name in new[] { "lambda", "clip", "actor_lr", "steps", "bootstrap" }) Assert.Contains(name, list.Out);
        var bad = ShellHarness.Run("lesson", "6", "--set", "minibatch=600", "--no-pictures");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("minibatch (600) must not exceed steps (500)", bad.Err);
    }

    [Theory]
    [InlineData("chunk=50", "chunk (50) must not exceed an episode's 34 decisions")]
    [InlineData("world_lr_end=0.1", "world_lr_end (0.1) must not exceed world_lr (0.002)")]
    [InlineData("min_action_std=0.5", "min_action_std (0.5) must be below max_action_std (0.5)")]
    public void Lesson_7_refuses_settings_that_cannot_go_together(string set, string message)
    {
        var bad = ShellHarness.Run("lesson", "7", "--set", set, "--no-pictures");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains(message, bad.Err);
    }

    [Fact]
    public void Lesson_1_with_a_smaller_gamma_converges_in_fewer_sweeps_and_says_so()
    {
        var changed = ShellHarness.Run("lesson", "1", "--set", "gamma=0.5", "--quiet", "--no-pictures");
        Assert.Equal(0, changed.ExitCode);
        Assert.Contains("changed: γ = 0.5 (default 0.9)", changed.Out);
        Assert.NotEqual(ShellHarness.Run("lesson", "1", "--quiet", "--no-pictures").Out.Split('\n').Skip(1), changed.Out.Split('\n').Skip(2));
        Assert.Equal(2, ShellHarness.Run("lesson", "1", "--set", "gamma=1").ExitCode); // γ = 1 would not converge here
    }

    [Fact]
    public void Lesson_2_trains_for_the_episodes_it_is_given()
    {
        var list = ShellHarness.Run("lesson", "2", "--params");
        foreach (var name in new[] { "gamma", "alpha", "beta", "decay", "noise", "episodes" }) Assert.Contains(name, list.Out);
        var short20 = ShellHarness.Run("lesson", "2", "--set", "episodes=20", "--no-pictures", "--brief");
        Assert.Equal(0, short20.ExitCode);
        Assert.Contains("20 episodes", short20.Out);
    }

    [Fact]
    public void A_setting_given_twice_is_refused_and_a_default_value_is_no_change()
    {
        var twice = ShellHarness.Run("lesson", "4", "--set", "epsilon=0.1,epsilon=0.2", "--no-pictures");
        Assert.Equal(2, twice.ExitCode);
        Assert.StartsWith("error: --set sets epsilon twice", twice.Err.Trim());
        var same = ShellHarness.Run("lesson", "4", "--set", "epsilon=0.1", "--quiet", "--no-pictures");
        Assert.Equal(0, same.ExitCode);
        Assert.DoesNotContain("changed:", same.Out);
    }

    [Fact]
    public void A_tiny_value_is_shown_as_it_is_not_as_zero()
    {
        var result = ShellHarness.Run("lesson", "3", "--set", "gamma=1e-15,states=26", "--quiet", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("changed: γ = 1E-15 (default 1)", result.Out);
        Assert.DoesNotContain("NaN", result.Out);
    }
}
