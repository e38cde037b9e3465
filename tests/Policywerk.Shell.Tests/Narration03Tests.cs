using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 03 teaches while it runs: its sections, a TD(λ) step from the run itself, --brief.</summary>
public class Narration03Tests
{
    [Fact]
    public void Lesson_3_prints_its_sections_in_order_with_the_code_of_its_updates()
    {
        var output = Narrated.Lesson(3);
        var positions = Narrated.SectionsInOrder(output);
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
        var a = Narrated.Example(Narrated.Lesson(3));
        var b = Narrated.Example(Narrated.Lesson(3, "--seed", "7"));
        Assert.Contains("δ = r + γ·c·V(s′) − V(s) = ", a);
        Assert.Contains("with λ = 0.7", a);
        Assert.Contains("ΔV = 0.1·", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Brief_prints_the_tables_without_the_narrative()
    {
        var brief = Narrated.Lesson(3, "--brief");
        Assert.Contains("RMS error, mean per 20 walks", brief);
        Assert.Contains("Online TD(λ), accumulating traces, same walks", brief);
        Assert.DoesNotContain("The idea", brief);
        Assert.DoesNotContain("A worked example", brief);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0.9")]
    public void The_true_values_in_the_story_are_the_tables_true_values(string gamma)
    {
        var output = Narrated.Lesson(3, "--set", $"gamma={gamma}");
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var told = System.Text.RegularExpressions.Regex.Matches(output, @"(?<=\s)([A-E]) (?:\d/\d = )?(0\.\d+|1|0)(?=\s)")
            .GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => double.Parse(g.First().Groups[2].Value, culture));
        var table = System.Text.RegularExpressions.Regex.Matches(output, @"│ ([A-E])\s+│\s+(\d\.\d{3}) │")
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, culture));
        Assert.Equal(["A", "B", "C", "D", "E"], table.Keys.Order());
        foreach (var (state, value) in table) Assert.Equal(value, told[state]);
    }
}
