using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 01 teaches while it runs: its sections in order, the code of its backup, a worked backup from the run, --brief.</summary>
public class Narration01Tests
{
    [Fact]
    public void Lesson_1_prints_its_sections_in_order_with_the_code_of_its_backup()
    {
        var output = Narrated.Lesson(1);
        var positions = Narrated.SectionsInOrder(output);
        Assert.Contains("V(s) ← max_a Σ_s′ P(s′|s,a)[R(s,a,s′) + γ·V(s′)]", output);
        Assert.Contains("src/Policywerk.Pure/Agents/Bellman.cs: Bellman.OptimalityBackup", output);
        Assert.Contains("Value iteration: max change per sweep", output[positions[4]..]); // the tables are in "What the results mean"
    }

    [Fact]
    public void The_worked_example_is_the_start_cells_backup_when_the_goals_reward_reaches_it()
    {
        var example = Narrated.Example(Narrated.Lesson(1));
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
        var brief = Narrated.Lesson(1, "--brief");
        Assert.Contains("Value iteration: max change per sweep", brief);
        Assert.Contains("Policy iteration: evaluate, then improve", brief);
        Assert.DoesNotContain("The idea", brief);
        Assert.DoesNotContain("A worked example", brief);
    }

    [Fact]
    public void The_classic_map_shrinks_by_gamma_and_says_so()
    {
        var output = Narrated.Lesson(1);
        Assert.Contains("so the change shrinks by γ.", ShellHarness.Flat(output));
        Assert.Contains("carries the goal's reward one cell further", ShellHarness.Flat(output));
    }

    [Fact]
    public void A_slippery_map_does_not_claim_the_change_shrinks_by_gamma()
    {
        var output = ShellHarness.Flat(Narrated.Lesson(1, "--map", "ice"));
        Assert.Contains("Converged in", output);
        Assert.DoesNotContain("shrinks by γ", output);
        Assert.DoesNotContain("the goal's reward one cell further", output);
        Assert.Contains("not exactly γ = 0.9", output);
    }

    [Fact]
    public void A_run_the_sweep_cap_stopped_says_it_was_capped_not_converged()
    {
        var output = ShellHarness.Flat(Narrated.Lesson(1, "--set", "max_sweeps=3"));
        Assert.DoesNotContain("Converged in", output);
        Assert.DoesNotContain("so value iteration stops", output);
        Assert.Contains("Stopped by the cap after 3 sweeps (max_sweeps = 3), not converged", output);
        Assert.Contains("Stopped by the cap after 3 cycles (max_sweeps = 3), not converged", output);
        Assert.Contains("stopped value iteration before the values converged", output);
        Assert.Contains("values differ (max |V_VI − V_PI| = ", output);
        Assert.DoesNotContain("< θ) · ", output);

        var brief = Narrated.Lesson(1, "--map", "field", "--set", "max_sweeps=5", "--brief");
        Assert.Contains("Stopped by the cap after 5 sweeps", brief);
        Assert.DoesNotContain("Converged in", brief);

        var headline = Narrated.Lesson(1, "--set", "max_sweeps=3", "--quiet");
        Assert.Contains("value iteration: 3 sweeps (stopped by the max_sweeps cap, not converged)", headline);
        Assert.Contains("policy iteration: 3 cycles (stopped by the max_sweeps cap, not converged)", headline);
    }
}
