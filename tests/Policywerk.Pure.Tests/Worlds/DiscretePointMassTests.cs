using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

/// <summary>The point mass with 9 discrete actions: the continuous world pushed by one of 9 forces.</summary>
public class DiscretePointMassTests
{
    private static readonly DiscretePointMass World = new();

    [Fact]
    public void Nine_actions_are_the_eight_directions_and_no_push()
    {
        Assert.Equal(DiscretePointMass.ActionCount, DiscretePointMass.Forces.Length);
        Assert.Equal(DiscretePointMass.ActionCount, DiscretePointMass.Forces.Distinct().Count());
        Assert.Equal(Force.Zero, DiscretePointMass.Forces[8]);
        Assert.All(DiscretePointMass.Forces.Take(8), f => Assert.True(Math.Max(Math.Abs(f.X), Math.Abs(f.Y)) == 1.0));
        Assert.Equal(new Force(0.0, -1.0), DiscretePointMass.Forces[DiscretePointMass.Names.IndexOf("N")]); // the Python's compass
        Assert.Equal(new Force(1.0, 0.0), DiscretePointMass.Forces[DiscretePointMass.Names.IndexOf("E")]);
    }

    [Fact]
    public void Pushing_east_from_rest_moves_right_by_force_times_dt_squared_times_damping()
    {
        // v' = (0 + 1·0.5·0.1)·0.95 = 0.0475; x' = 0 + 0.0475·0.1 = 0.00475; y unchanged; one step taken
        var next = World.Step(PointMass.StartAt(0, 0, 1, 1), 2, default).Next;
        Assert.Equal((0.00475, 0.0, 0.0475, 0.0, 1), (Math.Round(next.X, 15), next.Y, Math.Round(next.Vx, 15), next.Vy, next.Steps));
        Assert.Equal((0.0, 0.0), (World.Step(PointMass.StartAt(0, 0, 1, 1), 8, default).Next.X, World.Step(PointMass.StartAt(0, 0, 1, 1), 8, default).Next.Y));
    }

    /// <summary>From rest, opposite directions (a and a + 4) move the mass by opposite steps, and "stay" not at all.</summary>
    [Property(MaxTest = 200)]
    public Property Opposite_actions_from_rest_move_the_mass_by_opposite_steps() =>
        Prop.ForAll((from key in Generators.Keys
                     from action in Gen.Choose(0, 7)
                     select (key, action)).ToArbitrary(), c =>
        {
            var start = World.Reset(c.key).Value;
            var one = World.Step(start, c.action, default).Next;
            var other = World.Step(start, (c.action + 4) % 8, default).Next;
            var stay = World.Step(start, 8, default).Next;
            return Math.Abs(one.X - start.X + (other.X - start.X)) < 1e-12 && Math.Abs(one.Y - start.Y + (other.Y - start.Y)) < 1e-12
                && (one.X, one.Y) != (start.X, start.Y) && (stay.X, stay.Y) == (start.X, start.Y);
        });

    [Fact]
    public void An_action_outside_0_to_8_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => World.Step(PointMass.StartAt(0, 0, 1, 1), 9, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => World.Step(PointMass.StartAt(0, 0, 1, 1), -1, default));
    }
}
