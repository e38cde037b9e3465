using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

/// <summary>
/// How every world says an episode ended: discount 0 only at a true terminal state; last at a terminal state or at the
/// world's time limit, where the discount stays 1 (the episode is cut off, the task is not over).
/// </summary>
public class EndingTests
{
    private static readonly Key AnyKey = Key.FromSeed(3);

    private static void AssertEnding<TState>(StepResult<TState> step, double discount, bool last)
    {
        Assert.Equal(discount, step.Discount);
        Assert.Equal(last, step.Last);
        Assert.Equal(discount == 0.0, step.Terminal);
    }

    [Fact]
    public void Gridworld_goal_and_pit_are_terminal_and_an_ordinary_move_is_not()
    {
        var g = Gridworld.Classic;
        AssertEnding(g.Step(1 * g.Cols + 4, Move.North, AnyKey), 0.0, true);   // (1,4) → goal (0,4)
        AssertEnding(g.Step(2 * g.Cols + 3, Move.North, AnyKey), 0.0, true);   // (2,3) → pit (1,3)
        AssertEnding(g.Step(4 * g.Cols + 0, Move.North, AnyKey), 1.0, false);  // start → (3,0)
    }

    [Fact]
    public void Balance_a_fall_is_terminal_and_the_500_step_limit_is_a_cut_off()
    {
        var world = new Balance();
        AssertEnding(world.Step(new BalanceState(0.0, 0.0, 3), 0.0, AnyKey), 1.0, false);
        AssertEnding(world.Step(new BalanceState(0.299, 0.5, 3), 1.0, AnyKey), 0.0, true);
        AssertEnding(world.Step(new BalanceState(0.0, 0.0, 499), 0.0, AnyKey), 1.0, true);
        AssertEnding(world.Step(new BalanceState(0.299, 0.5, 499), 1.0, AnyKey), 0.0, true); // a fall on the last step is a fall
        AssertEnding(new Balance(new BalanceConstants(MaxSteps: 20)).Step(new BalanceState(0.0, 0.0, 19), 0.0, AnyKey), 1.0, true);
        AssertEnding(world.Discrete().Step(new BalanceState(0.0, 0.0, 499), 1, AnyKey), 1.0, true);
    }

    [Fact]
    public void Random_walk_both_ends_are_terminal()
    {
        var walk = new RandomWalk();
        AssertEnding(walk.Step(5, RandomWalk.Right, AnyKey), 0.0, true);
        AssertEnding(walk.Step(1, RandomWalk.Left, AnyKey), 0.0, true);
        AssertEnding(walk.Step(3, RandomWalk.Right, AnyKey), 1.0, false);
    }

    [Fact]
    public void Cliff_world_the_goal_is_terminal_and_the_cliff_does_not_end_the_episode()
    {
        var world = new CliffWorld();
        AssertEnding(world.Step(CliffWorld.StateOf(2, 11), CliffWorld.South, AnyKey), 0.0, true);
        AssertEnding(world.Step(CliffWorld.Start, CliffWorld.East, AnyKey), 1.0, false);
        AssertEnding(world.Step(CliffWorld.Start, CliffWorld.North, AnyKey), 1.0, false);
    }

    [Fact]
    public void Breakout_a_miss_and_the_last_brick_are_terminal_and_the_step_cap_is_a_cut_off()
    {
        var world = new Breakout();
        var miss = Breakout.Start with { BallRow = 8, BallCol = 4, BallDr = 1, BallDc = 1, PaddleCol = 2 };
        AssertEnding(world.Step(miss, Breakout.Stay, AnyKey), 0.0, true);
        var lastBrick = Breakout.Start with { BallRow = 1, BallCol = 3, BallDr = -1, BallDc = 1, Bricks = BreakoutState.BrickBit(0, 4) };
        AssertEnding(world.Step(lastBrick, Breakout.Stay, AnyKey), 0.0, true);
        AssertEnding(world.Step(Breakout.Start, Breakout.Stay, AnyKey), 1.0, false);
        AssertEnding(world.Step(Breakout.Start with { Steps = 199 }, Breakout.Stay, AnyKey), 1.0, true);
        AssertEnding(new Breakout(MaxSteps: 10).Step(Breakout.Start with { Steps = 9 }, Breakout.Stay, AnyKey), 1.0, true);
        AssertEnding(world.Step(Breakout.Start with { Steps = 198 }, Breakout.Stay, AnyKey), 1.0, false);
        // a miss on the capped step is still a miss
        AssertEnding(world.Step(miss with { Steps = 199 }, Breakout.Stay, AnyKey), 0.0, true);
    }

    [Fact]
    public void Point_mass_reaching_the_target_is_terminal_and_the_step_cap_is_a_cut_off()
    {
        var world = new PointMass();
        var near = PointMass.StartAt(0.75, 0.8, 0.8, 0.8);
        var far = PointMass.StartAt(-1.0, -1.0, 1.0, 1.0);
        AssertEnding(world.Step(near, Force.Zero, AnyKey), 0.0, true);
        AssertEnding(world.Step(near with { Steps = 99 }, Force.Zero, AnyKey), 0.0, true); // reached on the last step: terminal
        AssertEnding(world.Step(far with { Steps = 98 }, Force.Zero, AnyKey), 1.0, false);
        AssertEnding(world.Step(far with { Steps = 99 }, Force.Zero, AnyKey), 1.0, true);
    }

    [Fact]
    public void Pixel_point_mass_with_action_repeat_ends_as_the_physics_step_that_ended_it()
    {
        var world = new PixelPointMass(new PointMass(), ActionRepeat: 3);
        var far = PointMass.StartAt(-1.0, -1.0, 1.0, 1.0);
        var cut = world.Step(far with { Steps = 98 }, Force.Zero, AnyKey); // the cap comes after 2 of 3 physics steps
        AssertEnding(cut, 1.0, true);
        Assert.Equal(100, cut.Next.Steps);
        AssertEnding(world.Step(PointMass.StartAt(0.75, 0.8, 0.8, 0.8), Force.Zero, AnyKey), 0.0, true);
        AssertEnding(world.Step(far, Force.Zero, AnyKey), 1.0, false);
    }

    [Fact]
    public void A_transition_is_terminal_at_discount_0_and_cut_off_when_last_with_discount_1()
    {
        var terminal = new Transition<int, int>(5, 1, 1.0, 0.0, 6, true);
        var cutOff = new Transition<int, int>(3, 1, 0.0, 1.0, 4, true);
        var going = new Transition<int, int>(3, 1, 0.0, 1.0, 4, false);
        Assert.Equal((true, false), (terminal.Terminal, terminal.CutOff));
        Assert.Equal((false, true), (cutOff.Terminal, cutOff.CutOff));
        Assert.Equal((false, false), (going.Terminal, going.CutOff));
    }

    [Fact]
    public void An_unroll_copies_the_worlds_ending_and_a_step_budget_is_not_a_time_limit()
    {
        var world = new Balance(new BalanceConstants(MaxSteps: 5, InitialTilt: 0.0));
        var start = world.Reset(AnyKey).Value;
        Draw<double> hold(BalanceState s, Key k) => new(-Math.Sign(s.Angle + 0.1 * s.AngularVelocity), k);
        var capped = Episodes.Run(world, hold, start, AnyKey, 100);
        Assert.Equal(5, capped.Length);
        Assert.True(capped.Steps[^1].CutOff);
        Assert.All(capped.Steps.Take(4), t => Assert.Equal((1.0, false), (t.Discount, t.Last)));
        var budget = Episodes.Run(world, hold, start, AnyKey, 3);
        Assert.Equal(3, budget.Length);
        Assert.False(budget.Steps[^1].Last);
    }
}
