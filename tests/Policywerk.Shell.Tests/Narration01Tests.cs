using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 01 teaches while it runs: its sections in order, the code of its backup, a worked backup from the run, --brief.</summary>
public class Narration01Tests
{
    private static readonly string[] Sections = ["The idea", "The world", "The update", "A worked example from this run", "What the results mean", "Try next"];

    private static string Lesson1(params string[] extra)
    {
        var result = ShellHarness.Run(["lesson", "1", "--no-pictures", .. extra]);
        Assert.Equal(0, result.ExitCode);
        return result.Out;
    }

    private static string Example(string output)
    {
        var start = output.IndexOf("A worked example from this run", StringComparison.Ordinal);
        var end = output.IndexOf("What the results mean", start, StringComparison.Ordinal);
        return output[start..end];
    }

    [Fact]
    public void Lesson_1_prints_its_sections_in_order_with_the_code_of_its_backup()
    {
        var output = Lesson1();
        var positions = Sections.Select(s => output.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("V(s) ← max_a Σ_s′ P(s′|s,a)[R(s,a,s′) + γ·V(s′)]", output);
        Assert.Contains("src/Policywerk.Pure/Agents/Bellman.cs: Bellman.OptimalityBackup", output);
        Assert.Contains("Value iteration: max change per sweep", output[positions[4]..]); // the tables are in "What the results mean"
    }

    [Fact]
    public void The_worked_example_is_the_start_cells_backup_when_the_goals_reward_reaches_it()
    {
        var example = Example(Lesson1());
        // value iteration takes 9 sweeps (BellmanTests); the start, 8 moves from the goal, turns positive in sweep 8
        Assert.Contains("start cell (4,0) in sweep 8", example);
        Assert.Contains("after sweep 7", example);
        Assert.Contains("N → (3,0):  1·(−0.04 + 0.9·0.344) = 0.27", example);
        Assert.Contains("W → (4,0):  1·(−0.04 + 0.9·(−0.209)) = −0.228  (stays)", example);
        Assert.Contains("V(4,0) ← max(0.27, 0.27, −0.228, −0.228) = 0.27", example);
        Assert.Contains("exactly the value sweep 8 stored", example);
    }

    [Fact]
    public void Brief_prints_the_tables_without_the_narrative()
    {
        var brief = Lesson1("--brief");
        Assert.Contains("Value iteration: max change per sweep", brief);
        Assert.Contains("Policy iteration: evaluate, then improve", brief);
        Assert.DoesNotContain("The idea", brief);
        Assert.DoesNotContain("A worked example", brief);
    }
}
