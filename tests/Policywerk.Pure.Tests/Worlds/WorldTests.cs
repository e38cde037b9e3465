using FsCheck.Xunit;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

public class BalanceTests
{
    private static readonly Balance World = new();

    [Fact]
    public void One_step_of_semi_implicit_Euler_by_hand()
    {
        var s = new BalanceState(0.1, 0.2, 7);
        var r = World.Step(s, 1.0, Key.FromSeed(1));
        var acceleration = 9.8 * Math.Sin(0.1) + 5.0;
        var velocity = 0.2 + acceleration * 0.02;
        Assert.Equal(velocity, r.Next.AngularVelocity, 15);
        Assert.Equal(0.1 + velocity * 0.02, r.Next.Angle, 15);
        Assert.Equal(8, r.Next.Steps);
        Assert.Equal(1.0, r.Reward);
        Assert.False(r.Last);
        Assert.Equal(Key.FromSeed(1), r.Key);
    }

    [Fact]
    public void Torque_is_clamped_to_plus_minus_one_and_the_discrete_push_is_plus_minus_one()
    {
        var s = new BalanceState(0.0, 0.0, 0);
        Assert.Equal(World.Step(s, 1.0, default), World.Step(s, 3.0, default));
        Assert.Equal(World.Step(s, -1.0, default), World.Step(s, -7.0, default));
        Assert.Equal(World.Step(s, -1.0, default), World.Discrete().Step(s, 0, default));
        Assert.Equal(World.Step(s, 1.0, default), World.Discrete().Step(s, 1, default));
        Assert.Equal(0.5 * 5.0 * 0.02, World.Step(s, 0.5, default).Next.AngularVelocity, 15);
    }

    [Fact]
    public void Falling_past_0_3_rad_ends_with_reward_0_and_surviving_500_steps_ends_with_reward_1()
    {
        var falling = World.Step(new BalanceState(0.299, 0.5, 3), 1.0, default);
        Assert.True(falling.Last);
        Assert.Equal(0.0, falling.Reward);
        Assert.True(World.IsFailure(falling.Next));

        var last = World.Step(new BalanceState(0.0, 0.0, 499), 1.0, default);
        Assert.True(last.Last);
        Assert.Equal(1.0, last.Reward);
    }

    [Fact]
    public void An_unpushed_pole_falls_and_pushing_against_the_tilt_holds_it()
    {
        var trajectory = Episodes.Run(World, (s, k) => new Draw<double>(0.0, k), new BalanceState(0.01, 0, 0), Key.FromSeed(1), 1000);
        Assert.InRange(trajectory.Length, 20, 200);
        Assert.Equal(0.0, trajectory.Steps[^1].Reward);

        var held = Episodes.Run(World, (s, k) => new Draw<double>(s.Angle + 0.1 * s.AngularVelocity > 0 ? -1.0 : 1.0, k),
            new BalanceState(0.05, 0, 0), Key.FromSeed(1), 1000);
        Assert.Equal(500, held.Length);
        Assert.Equal(1.0, held.Steps[^1].Reward);
    }

    [Property(MaxTest = 200)]
    public bool Each_start_is_slightly_tilted_and_decided_by_the_key(ulong seed)
    {
        var a = World.Reset(Key.FromSeed(seed));
        var b = World.Reset(Key.FromSeed(seed));
        return a == b && Math.Abs(a.Value.Angle) <= 0.05 && a.Value.AngularVelocity == 0 && a.Value.Steps == 0;
    }
}

public class RandomWalkTests
{
    private static readonly RandomWalk Walk = new();

    [Fact]
    public void Five_states_start_at_C_and_pay_one_only_on_the_right()
    {
        Assert.Equal(7, Walk.StateCount);
        Assert.Equal(3, Walk.Reset(default).Value);
        Assert.Equal("C", Walk.Label(Walk.Start));
        Assert.Equal(["A", "B", "C", "D", "E"], Walk.WalkStates.Select(Walk.Label));
        Assert.Equal(new StepResult<int>(4, 0.0, 1.0, false, default), Walk.Step(3, RandomWalk.Right, default));
        Assert.Equal(new StepResult<int>(6, 1.0, 0.0, true, default), Walk.Step(5, RandomWalk.Right, default));
        Assert.Equal(new StepResult<int>(0, 0.0, 0.0, true, default), Walk.Step(1, RandomWalk.Left, default));
        Assert.Equal([0.0, 1 / 6.0, 2 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 0.0], Walk.TrueValues.ToArray());
    }

    [Fact]
    public void The_19_state_walk_with_minus_one_on_the_left_pays_it_and_is_worth_i_over_10_minus_1()
    {
        var walk = new RandomWalk(19, LeftReward: -1.0);
        Assert.Equal(new StepResult<int>(0, -1.0, 0.0, true, default), walk.Step(1, RandomWalk.Left, default));
        Assert.Equal(new StepResult<int>(20, 1.0, 0.0, true, default), walk.Step(19, RandomWalk.Right, default));
        // v(i) = i/20 − (1 − i/20) = (i − 10)/10: −0.9 … 0.9 (Sutton & Barto, Example 7.1)
        var expected = Enumerable.Range(0, 21).Select(i => i is 0 or 20 ? 0.0 : (i - 10) / 10.0);
        Assert.Equal(expected, walk.TrueValues.Select(v => Math.Round(v, 12)));
    }

    [Property(MaxTest = 200)]
    public bool The_walks_true_values_satisfy_the_Bellman_expectation_equation_for_any_discount(byte gammaByte, byte sizeByte, bool leftPays)
    {
        var gamma = gammaByte / 255.0;
        var walk = new RandomWalk(3 + sizeByte % 24, LeftReward: leftPays ? -1.0 : 0.0);
        var v = walk.TrueValuesFor(gamma);
        var key = Key.FromSeed(0); // the walk's steps do not use the key
        double Backup(int s, int a)
        {
            var step = walk.Step(s, a, key);
            return step.Reward + gamma * step.Discount * v[step.Next];
        }
        return walk.WalkStates.All(s => Math.Abs(v[s] - 0.5 * (Backup(s, RandomWalk.Left) + Backup(s, RandomWalk.Right))) < 1e-12)
               && v[walk.LeftEnd] == 0.0 && v[walk.RightEnd] == 0.0;
    }

    [Property(MaxTest = 200)]
    public bool A_sampled_walk_is_connected_and_ends_at_a_terminal(ulong seed)
    {
        var walk = Walk.Sample(Key.FromSeed(seed));
        var state = Walk.Start;
        for (var t = 0; t < walk.Length; t++)
        {
            var step = walk.Steps[t];
            if (step.State != state || Math.Abs(step.Next - state) != 1 || step.Last != (t == walk.Length - 1)) return false;
            state = step.Next;
        }
        return Walk.IsTerminal(state) && walk.TotalReward == (state == Walk.RightEnd ? 1.0 : 0.0)
            && Walk.Sample(Key.FromSeed(seed)).Steps.SequenceEqual(walk.Steps);
    }

    [Fact]
    public void Right_end_frequency_from_C_is_one_half()
    {
        var right = Walk.SampleMany(4000, Key.FromSeed(5)).Count(w => w.TotalReward == 1.0);
        Assert.InRange(right / 4000.0, 0.47, 0.53);
    }
}

public class CliffWorldTests
{
    private static readonly CliffWorld World = new();

    [Fact]
    public void The_cliff_costs_100_and_sends_the_agent_back_to_start_without_ending()
    {
        var r = World.Step(CliffWorld.Start, CliffWorld.East, default);
        Assert.Equal(new StepResult<int>(CliffWorld.Start, -100.0, 1.0, false, default), r);
        var fromAbove = World.Step(CliffWorld.StateOf(2, 5), CliffWorld.South, default);
        Assert.Equal(new StepResult<int>(CliffWorld.Start, -100.0, 1.0, false, default), fromAbove);
    }

    [Fact]
    public void The_goal_pays_zero_and_ends_and_ordinary_steps_cost_one()
    {
        Assert.Equal(new StepResult<int>(CliffWorld.Goal, 0.0, 0.0, true, default), World.Step(CliffWorld.StateOf(2, 11), CliffWorld.South, default));
        Assert.Equal(new StepResult<int>(CliffWorld.StateOf(2, 0), -1.0, 1.0, false, default), World.Step(CliffWorld.Start, CliffWorld.North, default));
    }

    [Fact]
    public void The_border_leaves_the_agent_in_place()
    {
        Assert.Equal(CliffWorld.StateOf(0, 0), World.Step(CliffWorld.StateOf(0, 0), CliffWorld.North, default).Next);
        Assert.Equal(CliffWorld.StateOf(0, 0), World.Step(CliffWorld.StateOf(0, 0), CliffWorld.West, default).Next);
        Assert.Equal(CliffWorld.StateOf(1, 11), World.Step(CliffWorld.StateOf(1, 11), CliffWorld.East, default).Next);
        Assert.Equal(CliffWorld.Start, World.Step(CliffWorld.Start, CliffWorld.South, default).Next);
    }

    [Fact]
    public void The_edge_path_is_13_steps_with_reward_minus_12()
    {
        var plan = new[] { CliffWorld.North }.Concat(Enumerable.Repeat(CliffWorld.East, 11)).Append(CliffWorld.South).ToArray();
        var trajectory = Episodes.Run(World, (s, k) => new Draw<int>(plan[0], k), CliffWorld.Start, default, 0); // empty
        Assert.Equal(0, trajectory.Length);
        var step = 0;
        var run = Episodes.Run(World, (s, k) => new Draw<int>(plan[step++], k), CliffWorld.Start, Key.FromSeed(1), 100);
        Assert.Equal(13, run.Length);
        Assert.Equal(-12.0, run.TotalReward);
        Assert.True(run.Steps[^1].Last);
    }
}
