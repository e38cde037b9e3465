using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 04 teaches while it runs: its sections, a worked example from the run itself, --brief and --quiet.</summary>
public class NarrationTests
{
    [Fact]
    public void Lesson_4_prints_its_sections_in_order_with_the_code_of_its_update()
    {
        var output = Narrated.Lesson(4);
        var positions = Narrated.SectionsInOrder(output);
        Assert.Contains("src/Policywerk.Pure/Agents/TdControl.cs: TdControl.Update", output);
        Assert.Contains("Mean reward per 50 episodes", output); // the tables are in "What the results mean"
    }

    [Fact]
    public void The_worked_example_is_this_runs_and_another_seed_gives_another()
    {
        var a = Narrated.Example(Narrated.Lesson(4));
        var b = Narrated.Example(Narrated.Lesson(4, "--seed", "7"));
        Assert.Contains("Q + α·[r + γ·d·max Q(s′,·) − Q]", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Brief_prints_the_tables_without_the_narrative_and_quiet_the_headline()
    {
        var brief = Narrated.Lesson(4, "--brief");
        Assert.Contains("Mean reward per 50 episodes", brief);
        Assert.DoesNotContain("The idea", brief);
        Assert.DoesNotContain("A worked example", brief);
        var quiet = Narrated.Lesson(4, "--quiet");
        Assert.Contains("greedy: Q-learning", quiet);
        Assert.DoesNotContain("Mean reward per 50 episodes", quiet);
    }

    [Fact]
    public void Lesson_2_narrates_one_TD_error_and_the_weight_changes_it_causes()
    {
        var result = ShellHarness.Run("lesson", "2", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Narrated.SectionsInOrder(result.Out);
        Assert.Contains("src/Policywerk.Pure/Agents/BartoSutton.cs: BartoSutton.Learn", result.Out);
        Assert.Contains("r̂ = r + γ·d·p(t) − p(t−1) = ", result.Out);
        Assert.Contains("Δw = α·r̂·e = ", result.Out);
        var other = ShellHarness.Run("lesson", "2", "--no-pictures", "--seed", "7");
        Assert.NotEqual(Narrated.Example(result.Out), Narrated.Example(other.Out));
    }

    [Fact]
    public void Lesson_5_narrates_one_DQN_target_with_the_target_network_and_the_Huber_gradient()
    {
        var result = ShellHarness.Run("lesson", "5", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Narrated.SectionsInOrder(result.Out);
        Assert.Contains("src/Policywerk.Pure/Agents/Dqn.cs: Dqn.Loss", result.Out);
        Assert.Contains("y = r + γ·d·max Q(s′,·;θ⁻) = ", Narrated.Example(result.Out));
        Assert.Contains("∂L/∂Q = clip(δ)/|A| = ", Narrated.Example(result.Out));
    }

    [Fact]
    public void Lesson_6_narrates_one_PPO_ratio_clip_and_advantage_with_its_GAE_terms()
    {
        var result = ShellHarness.Run("lesson", "6", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Narrated.SectionsInOrder(result.Out);
        Assert.Contains("src/Policywerk.Pure/Agents/Ppo.cs: Ppo.Loss", result.Out);
        var example = Narrated.Example(result.Out);
        Assert.Contains("δ = r + γ·d·V(s′) − V(s) = ", example);
        Assert.Contains("ρ = exp(log π_new − log π_old) = ", example);
    }

    [Fact]
    public void Lesson_7_narrates_one_KL_term_and_one_imagined_lambda_return()
    {
        var result = ShellHarness.Run("lesson", "7", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        Narrated.SectionsInOrder(result.Out);
        var example = Narrated.Example(result.Out);
        Assert.Contains("KL(q ‖ p) = ", example);
        Assert.Contains("R_0 = r_1 + γ·c_1·[(1 − λ)·v_1 + λ·R_1]", example);
    }
}
