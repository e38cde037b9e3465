using System.Diagnostics;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary><c>--vs</c>: the same protocol on the same run keys, compared run by run.</summary>
public class ComparisonTests
{
    [Fact]
    public void The_default_value_as_the_variant_differs_by_exactly_zero()
    {
        var result = ShellHarness.Run("experiment", "cliff", "--runs", "4", "--vs", "epsilon=0.1", "--quiet", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        var text = Flat(result.Out);
        Assert.Equal(3, Count(text, ": reward, last 50 ↑"));
        Assert.Equal(3, Count(text, ": 0 [0, 0], better in 0/4, identical"));
    }

    [Fact]
    public void A_smaller_epsilon_prints_both_tables_the_paired_differences_and_one_figure()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("experiment", "cliff", "--runs", "6", "--vs", "epsilon=0.01", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Defaults", result.Out);
        Assert.Contains("Variant: ε = 0.01", result.Out);
        Assert.Contains("ε = 0.1;", result.Out);   // the defaults' own table
        Assert.Contains("ε = 0.01;", result.Out);  // the variant's own table
        Assert.Contains("experiment cliff: defaults vs ε = 0.01, 6 paired runs", result.Out);
        Assert.Matches(@"│ Q-learning:[^│]*│\s+−\d+\.\d │\s+−\d+\.\d │\s+\+\d+\.\d │", result.Out);
        Assert.Equal(["figure.png"], Directory.GetFiles(Path.Combine(dir, "experiment_cliff_vs")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("nope=1"), InlineData("epsilon=2"), InlineData("epsilon="), InlineData("episodes=10")]
    public void A_bad_variant_is_one_error_line_and_exit_2(string vs)
    {
        var result = ShellHarness.Run("experiment", "cliff", "--runs", "2", "--vs", vs, "--no-pictures");
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrLines);
        Assert.StartsWith("error:", result.Err.Trim());
        Assert.Matches("--vs|experiment cliff has no setting", result.Err);
    }

    [Fact]
    public void Every_experiment_lists_the_settings_vs_can_change()
    {
        foreach (var name in new[] { "sutton88-fig3", "sutton88-fig5", "cliff", "exploration", "dqn", "ppo", "dreamer" })
        {
            var result = ShellHarness.Run("experiment", name, "--params");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("settings for --vs", result.Out);
        }
    }

    [Fact]
    public void A_lesson_over_runs_compares_its_headline_against_a_variant()
    {
        var changed = ShellHarness.Run("lesson", "1", "--runs", "3", "--vs", "gamma=0.5", "--quiet", "--no-pictures");
        Assert.Equal(0, changed.ExitCode);
        var text = Flat(changed.Out);
        Assert.Contains("lesson 1: defaults vs γ = 0.5, 3 paired runs", text);
        // the gridworld is deterministic, so every run is the same; V(start) is the 8-step path's return,
        // −0.04·(1 − γ⁷)/(1 − γ) + γ⁷·1: 0.270 at γ = 0.9, −0.072 at γ = 0.5
        Assert.Contains("V(start) ↑ 0.270 → −0.072: −0.342 [−0.342, −0.342], better in 0/3, defaults better", text);
        var same = ShellHarness.Run("lesson", "3", "--runs", "5", "--vs", "alpha=0.1", "--quiet", "--no-pictures");
        Assert.Equal(0, same.ExitCode);
        Assert.Equal(3, Count(Flat(same.Out), ": 0 [0, 0], better in 0/5, identical"));
    }

    private static string Flat(string text) => ShellHarness.Flat(text);

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;

    [Fact]
    public void A_lesson_over_runs_repeats_seed_S_plus_i()
    {
        var runs = ShellHarness.Run("lesson", "4", "--runs", "2", "--seed", "7", "--no-pictures");
        Assert.Equal(0, runs.ExitCode);
        var one = ShellHarness.Run("lesson", "4", "--seed", "8", "--quiet", "--no-pictures");
        var lastFifty = System.Text.RegularExpressions.Regex.Match(one.Out, @"Q-learning (-?\d+\.\d)").Groups[1].Value.Replace('-', '−');
        Assert.Matches($@"│\s+8 │\s+{System.Text.RegularExpressions.Regex.Escape(lastFifty)}\d* │", runs.Out);
    }

    [Fact]
    public void The_comparison_does_not_depend_on_the_number_of_cores()
    {
        string Run(int cores)
        {
            using var child = ShellHarness.Start(null, new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = $"{cores}" },
                "experiment", "cliff", "--runs", "6", "--vs", "epsilon=0.05", "--quiet", "--no-pictures");
            var result = child.WaitForExit(TimeSpan.FromMinutes(3));
            Assert.Equal((0, ""), (result.ExitCode, result.Err));
            return result.Out;
        }
        var one = Run(1);
        Assert.Contains("better in", one);
        Assert.Equal(one, Run(4));
    }

    [Fact]
    public void A_difference_too_small_to_show_at_three_decimals_is_shown_and_not_called_identical()
    {
        var result = ShellHarness.Run("experiment", "sutton88-fig3", "--runs", "5", "--vs", "alpha=0.02", "--quiet", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        var text = Flat(result.Out);
        Assert.DoesNotContain("0 [0, 0]", text);
        Assert.DoesNotContain("identical", text);
        Assert.Contains("E−", text);
    }

    [Fact]
    public void A_variant_whose_runs_give_no_number_stops_as_a_divergence()
    {
        var result = ShellHarness.Run("experiment", "sutton88-fig3", "--runs", "2", "--vs", "alpha=0.5", "--quiet", "--no-pictures");
        Assert.Equal(3, result.ExitCode);
        Assert.Single(result.ErrLines);
        Assert.StartsWith("error: experiment sutton88-fig3 diverged: run 0 with α = 0.5 gave", result.Err);
    }

    [Fact]
    public void A_divergence_in_one_of_several_runs_is_one_line_and_exit_3()
    {
        var result = ShellHarness.Run("lesson", "5", "--runs", "2", "--vs", "lr=5", "--quiet", "--no-pictures");
        Assert.Equal(3, result.ExitCode);
        Assert.Single(result.ErrLines);
        Assert.StartsWith("error: DQN diverged", result.Err);
    }
}
