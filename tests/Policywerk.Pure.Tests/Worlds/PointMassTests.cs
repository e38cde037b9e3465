using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

public class PointMassTests
{
    private static readonly PointMass World = new();
    private static readonly Key AnyKey = Key.FromSeed(3);

    [Fact]
    public void One_step_from_rest_follows_the_equations()
    {
        // f = (1, −0.5)·0.5 = (0.5, −0.25); v' = (0 + f·0.1)·0.95 = (0.0475, −0.02375); p' = v'·0.1.
        var result = World.Step(PointMass.PythonStart, new Force(1.0, -0.5), AnyKey);
        var n = result.Next;
        Assert.Equal(0.0475, n.Vx, 15);
        Assert.Equal(-0.02375, n.Vy, 15);
        Assert.Equal(0.00475, n.X, 15);
        Assert.Equal(-0.002375, n.Y, 15);
        Assert.Equal(1, n.Steps);
        // r = −‖(0.00475 − 0.8, −0.002375 − 0.8)‖ = −√(0.79525² + 0.802375²)
        Assert.Equal(-Math.Sqrt(0.79525 * 0.79525 + 0.802375 * 0.802375), result.Reward, 12);
        Assert.False(result.Last);
        Assert.Equal(AnyKey, result.Key);
    }

    [Fact]
    public void Two_steps_accumulate_velocity_with_damping()
    {
        // v1 = 0.05·0.95 = 0.0475, x1 = 0.00475; v2 = (0.0475 + 0.05)·0.95 = 0.092625, x2 = 0.00475 + 0.0092625.
        var s1 = World.Step(PointMass.PythonStart, new Force(1.0, 0.0), AnyKey).Next;
        var s2 = World.Step(s1, new Force(1.0, 0.0), AnyKey).Next;
        Assert.Equal(0.092625, s2.Vx, 15);
        Assert.Equal(0.0140125, s2.X, 15);
        Assert.Equal(0.0, s2.Y);
    }

    [Fact]
    public void The_action_is_clamped_to_the_unit_square()
    {
        var big = World.Step(PointMass.PythonStart, new Force(5.0, -7.0), AnyKey).Next;
        var unit = World.Step(PointMass.PythonStart, new Force(1.0, -1.0), AnyKey).Next;
        Assert.Equal(unit, big);
    }

    [Fact]
    public void The_position_is_clamped_at_the_bounds_and_the_velocity_kept()
    {
        // v' = (0.9 + 0.05)·0.95 = 0.9025; x' = 1.99 + 0.09025 → 2 (clamped), v' kept as the Python.
        var s = PointMass.StartAt(1.99, -1.99, 0.0, 0.0) with { Vx = 0.9, Vy = -0.9 };
        var n = World.Step(s, new Force(1.0, -1.0), AnyKey).Next;
        Assert.Equal(2.0, n.X);
        Assert.Equal(-2.0, n.Y);
        Assert.Equal(0.9025, n.Vx, 15);
        Assert.Equal(-0.9025, n.Vy, 15);
    }

    [Fact]
    public void Reaching_within_the_threshold_ends_the_episode()
    {
        var near = PointMass.StartAt(0.75, 0.8, 0.8, 0.8);
        var result = World.Step(near, Force.Zero, AnyKey);
        Assert.True(result.Last);
        Assert.Equal(-0.05, result.Reward, 12);
    }

    [Fact]
    public void The_episode_ends_after_MaxSteps()
    {
        var far = PointMass.StartAt(-1.0, -1.0, 1.0, 1.0) with { Steps = 98 };
        Assert.False(World.Step(far, Force.Zero, AnyKey).Last);
        Assert.True(World.Step(far with { Steps = 99 }, Force.Zero, AnyKey).Last);
        Assert.True(new PointMass(MaxSteps: 200).Step(far with { Steps = 199 }, Force.Zero, AnyKey).Last);
    }

    [Property(MaxTest = 300)]
    public void The_reward_is_minus_the_distance_and_positions_stay_in_bounds(ulong seed)
    {
        var (s, key) = World.Reset(Key.FromSeed(seed));
        for (var t = 0; t < 30; t++)
        {
            var (u, k1) = key.NextUniform(-3.0, 3.0);
            var (v, k2) = k1.NextUniform(-3.0, 3.0);
            key = k2;
            var result = World.Step(s, new Force(u, v), key);
            var n = result.Next;
            var dx = n.X - n.TargetX;
            var dy = n.Y - n.TargetY;
            Assert.Equal(-Math.Sqrt(dx * dx + dy * dy), result.Reward);
            Assert.InRange(n.X, -2.0, 2.0);
            Assert.InRange(n.Y, -2.0, 2.0);
            Assert.Equal((s.TargetX, s.TargetY), (n.TargetX, n.TargetY));
            s = n;
        }
    }

    [Property(MaxTest = 300)]
    public void Reset_draws_start_and_target_in_the_spawn_square_apart_and_at_rest(ulong seed)
    {
        var (s, next) = World.Reset(Key.FromSeed(seed));
        Assert.InRange(s.X, -1.5, 1.5);
        Assert.InRange(s.Y, -1.5, 1.5);
        Assert.InRange(s.TargetX, -1.5, 1.5);
        Assert.InRange(s.TargetY, -1.5, 1.5);
        Assert.True(s.Distance >= 0.5);
        Assert.Equal((0.0, 0.0, 0), (s.Vx, s.Vy, s.Steps));
        Assert.NotEqual(Key.FromSeed(seed), next);
        Assert.Equal(s, World.Reset(Key.FromSeed(seed)).Value); // same key, same start
    }

    [Fact]
    public void Different_keys_give_different_layouts()
    {
        var a = World.Reset(Key.FromSeed(1)).Value;
        var b = World.Reset(Key.FromSeed(2)).Value;
        Assert.NotEqual(a, b);
    }
}
