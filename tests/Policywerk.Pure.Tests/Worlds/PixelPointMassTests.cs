using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

public class PixelPointMassTests
{
    private static readonly PixelPointMass World = new();

    [Theory]
    [InlineData(-2.0, 0)]
    [InlineData(2.0, 15)]
    [InlineData(0.0, 7)]    // ⌊0.5·15⌋
    [InlineData(0.8, 10)]   // ⌊0.7·15⌋ = ⌊10.5⌋
    [InlineData(-1.5, 1)]   // ⌊0.125·15⌋ = ⌊1.875⌋
    [InlineData(1.5, 13)]   // ⌊0.875·15⌋ = ⌊13.125⌋
    [InlineData(-9.0, 0)]   // outside the bounds: clamped
    [InlineData(9.0, 15)]
    public void ToGrid_maps_the_square_onto_16_pixels(double value, int expected) =>
        Assert.Equal(expected, PixelPointMass.ToGrid(value, 2.0));

    [Fact]
    public void The_python_start_renders_agent_at_7_7_and_target_at_10_10()
    {
        var o = World.Observe(PointMass.PythonStart);
        Assert.Equal(256, o.Length);
        Assert.Equal(1.0, o[7 * 16 + 7]);
        Assert.Equal(0.7, o[10 * 16 + 10]);
        Assert.Equal(1.7, o.Sum(), 12);
    }

    [Fact]
    public void Rows_follow_y_and_columns_follow_x()
    {
        // 1.9 → ⌊(3.9/4)·15⌋ = ⌊14.625⌋ = 14: as in the Python, column 15 is reached only at x = +2 exactly.
        var s = PointMass.StartAt(1.9, -1.9, -2.0, 2.0);
        Assert.Equal(new Pixel(0, 14), World.AgentAt(s));
        Assert.Equal(new Pixel(15, 0), World.TargetAt(s));
    }

    [Fact]
    public void The_agent_is_drawn_over_the_target()
    {
        var o = World.Observe(PointMass.StartAt(0.8, 0.8, 0.8, 0.8));
        Assert.Equal(1.0, o[10 * 16 + 10]);
        Assert.Equal(1.0, o.Sum(), 12);
    }

    [Property(MaxTest = 500)]
    public void The_frame_holds_exactly_the_agent_and_target_pixels(ulong seed)
    {
        // A random state: a reset layout, pushed around for a random number of random steps.
        var (s, key) = World.Reset(Key.FromSeed(seed));
        var (steps, k0) = key.NextInt(60);
        key = k0;
        for (var t = 0; t < steps; t++)
        {
            var (force, k1) = PointMassControllers.RandomForce(key);
            key = k1;
            s = World.Step(s, force, key).Next;
        }
        var agent = World.AgentAt(s);
        var target = World.TargetAt(s);
        Assert.Equal(agent, new Pixel(PixelPointMass.ToGrid(s.Y, 2.0), PixelPointMass.ToGrid(s.X, 2.0)));
        Assert.Equal(target, new Pixel(PixelPointMass.ToGrid(s.TargetY, 2.0), PixelPointMass.ToGrid(s.TargetX, 2.0)));

        var frame = new double[256];
        Array.Fill(frame, 0.3); // stale values must be cleared
        World.WriteObservation(s, frame);
        Assert.Equal(frame, World.Observe(s).ToArray());
        for (var r = 0; r < 16; r++)
            for (var c = 0; c < 16; c++)
            {
                var expected = (r, c) == (agent.Row, agent.Col) ? 1.0
                    : (r, c) == (target.Row, target.Col) ? 0.7
                    : 0.0;
                Assert.Equal(expected, frame[r * 16 + c]);
            }
    }

    [Fact]
    public void The_dynamics_are_the_point_mass_dynamics()
    {
        var start = World.Reset(Key.FromSeed(11)).Value;
        var force = new Force(0.3, -0.9);
        Assert.Equal(new PointMass().Step(start, force, Key.FromSeed(1)), World.Step(start, force, Key.FromSeed(1)));
        Assert.Equal(new PointMass().Reset(Key.FromSeed(11)), World.Reset(Key.FromSeed(11)));
    }

    [Property(MaxTest = 300)]
    public void An_action_repeat_of_r_is_r_physics_steps_under_one_force_with_the_rewards_summed(ulong seed, byte repeat)
    {
        var r = 1 + repeat % 6;
        var dynamics = new PointMass();
        var world = new PixelPointMass(dynamics, r);
        var (s, key) = world.Reset(Key.FromSeed(seed));
        var (steps, k0) = key.NextInt(40);
        key = k0;
        for (var t = 0; t < steps; t++)
        {
            var (force, k1) = PointMassControllers.RandomForce(key);
            key = k1;
            var expected = dynamics.Step(s, force, key);
            var reward = expected.Reward;
            var taken = 1;
            while (taken < r && !expected.Last)
            {
                expected = dynamics.Step(expected.Next, force, key);
                reward += expected.Reward;
                taken++;
            }
            var result = world.Step(s, force, key);
            Assert.Equal(expected.Next, result.Next);
            Assert.Equal(reward, result.Reward, 12);
            Assert.Equal(expected.Last, result.Last);
            Assert.Equal(s.Steps + taken, result.Next.Steps);
            if (result.Last) break;
            Assert.Equal(s.Steps + r, result.Next.Steps); // a decision cut short only by the episode's end
            s = result.Next;
        }
    }

    [Fact]
    public void An_action_repeat_stops_at_the_step_that_reaches_the_target_and_episodes_keep_their_physics_length()
    {
        // At rest 0.15 from the target, pushed toward it: the reach (distance < 0.1) comes within a few physics steps.
        var start = PointMass.StartAt(0.0, 0.0, 0.15, 0.0);
        var push = new Force(1.0, 0.0);
        var world = new PixelPointMass(new PointMass(), 50);
        var result = world.Step(start, push, Key.FromSeed(1));
        Assert.True(result.Last);
        Assert.True(result.Next.Distance < 0.1);
        var s = start;
        var reward = 0.0;
        for (var k = 0; k < result.Next.Steps; k++)
        {
            var step = new PointMass().Step(s, push, Key.FromSeed(1));
            Assert.Equal(k == result.Next.Steps - 1, step.Last); // the first done, not later
            reward += step.Reward;
            s = step.Next;
        }
        Assert.Equal(s, result.Next);
        Assert.Equal(reward, result.Reward, 12);

        // 100 physics steps are 34 decisions at R = 3, the last one a single physics step.
        var three = new PixelPointMass(new PointMass(), 3);
        var far = PointMass.StartAt(-1.5, -1.5, 1.5, 1.5);
        var decisions = 0;
        StepResult<PointMassState> last;
        do { last = three.Step(far, Force.Zero, Key.FromSeed(1)); far = last.Next; decisions++; } while (!last.Last);
        Assert.Equal((34, 100), (decisions, far.Steps));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void An_action_repeat_below_one_is_refused(int repeat)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PixelPointMass(new PointMass(), repeat));
        Assert.Contains("at least 1", e.Message);
    }
}
