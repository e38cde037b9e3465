using System.Text.RegularExpressions;
using Spectre.Console;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary><c>experiment cliff</c>'s closing lines follow its table: who earns the most in the last block, and the
/// book's explanation only where the run bears it out; each sentence is one line (no hard break inside).</summary>
public class CliffExperimentTextTests
{
    /// <summary>The program on a console so wide that nothing wraps: every line break is one the program wrote.</summary>
    private static string Wide(params string[] args)
    {
        var result = ShellHarness.RunAt(1000, args);
        Assert.Equal(0, result.ExitCode);
        return result.Out.ReplaceLineEndings("\n");
    }

    /// <summary>The method the closing line names as earning the most, and the means it gives, method by method.</summary>
    private static (string Best, Dictionary<string, double> Means) Claim(string section)
    {
        var line = Regex.Match(section, @"In episodes \d+–\d+, (?<best>[A-Za-z -]+?) earns the most per episode while learning: (?<rest>[^\n]*)\.\n");
        Assert.True(line.Success, "the closing line names who earns the most");
        var means = Regex.Matches(line.Value, @"(Q-learning|Expected SARSA|SARSA) (-?\d+\.\d)")
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        means[line.Groups["best"].Value] = double.Parse(Regex.Match(line.Groups["rest"].Value, @"^-?\d+\.\d").Value, System.Globalization.CultureInfo.InvariantCulture);
        return (line.Groups["best"].Value, means);
    }

    [Fact]
    public void The_closing_lines_name_who_earns_most_in_each_arm_and_break_no_sentence()
    {
        var output = Wide("experiment", "cliff", "--runs", "20", "--vs", "epsilon=0.01", "--no-pictures");
        var variantAt = output.IndexOf("── Variant", StringComparison.Ordinal);
        var (defaults, variant) = (output[..variantAt], output[variantAt..]);

        var (best, means) = Claim(defaults);
        Assert.Equal(means.Values.Max(), means[best]);
        Assert.Equal(3, means.Count);
        Assert.Contains("Q-learning values the greedy policy, walks the edge and pays for its exploratory steps.", defaults);

        (best, means) = Claim(variant);
        Assert.Equal("Q-learning", best);
        Assert.Equal(means.Values.Max(), means["Q-learning"]);
        Assert.DoesNotContain("pays for its exploratory steps", variant);
        Assert.DoesNotContain("keep off the edge", variant);

        Assert.DoesNotMatch(@"greedy policy,\n", output);
    }
}
