using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 03 teaches while it runs: its sections, a TD(λ) step from the run itself, --brief.</summary>
public class Narration03Tests
{
    private static readonly string[] Sections = ["The idea", "The world", "The update", "A worked example from this run", "What the results mean", "Try next"];

    private static string Lesson3(params string[] extra)
    {
        var result = ShellHarness.Run(["lesson", "3", "--no-pictures", .. extra]);
        Assert.Equal(0, result.ExitCode);
        return result.Out;
    }

    /// <summary>The worked example's lines: from its section's title to the next section.</summary>
    private static string Example(string output)
    {
        var start = output.IndexOf("A worked example from this run", StringComparison.Ordinal);
        var end = output.IndexOf("What the results mean", start, StringComparison.Ordinal);
        return output[start..end];
    }

    [Fact]
    public void Lesson_3_prints_its_sections_in_order_with_the_code_of_its_updates()
    {
        var output = Lesson3();
        var positions = Sections.Select(s => output.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("src/Policywerk.Pure/Agents/TemporalDifference.cs: TemporalDifference.TdLambda", output);
        Assert.Contains("src/Policywerk.Pure/Agents/TemporalDifference.cs: TemporalDifference.TdZero", output);
        Assert.Contains("A 1/6 = 0.167", output); // the true values, computed
        var results = output[output.IndexOf("What the results mean", StringComparison.Ordinal)..];
        Assert.Contains("RMS error, mean per 20 walks", results); // the tables are in "What the results mean"
        Assert.Contains("has the lowest final RMS error", results);
    }

    [Fact]
    public void The_worked_example_is_this_runs_and_another_seed_gives_another()
    {
        var a = Example(Lesson3());
        var b = Example(Lesson3("--seed", "7"));
        Assert.Contains("δ = r + γ·c·V(s′) − V(s) = ", a);
        Assert.Contains("with λ = 0.7", a);
        Assert.Contains("ΔV = 0.1·", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Brief_prints_the_tables_without_the_narrative()
    {
        var brief = Lesson3("--brief");
        Assert.Contains("RMS error, mean per 20 walks", brief);
        Assert.Contains("Online TD(λ), accumulating traces, same walks", brief);
        Assert.DoesNotContain("The idea", brief);
        Assert.DoesNotContain("A worked example", brief);
    }
}
