using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

/// <summary>Catcher's dynamics: placement, moves, items, hazards, the step cap and the pixels the agent sees.</summary>
public class CatcherTests
{
    private static readonly Catcher World = new(Size: 5, ItemCount: 2, HazardCount: 1, MaxSteps: 10);

    /// <summary>The agent at (2, 2) of a 5×5 grid, items at (2, 3) and (0, 0), a hazard at (3, 2).</summary>
    private static readonly CatcherState Layout = new(2, 2, [2 * 5 + 3, 0], [3 * 5 + 2], 0, 0);

    [Property(MaxTest = 200)]
    public Property Reset_puts_the_agent_in_the_centre_and_everything_else_on_distinct_free_cells() =>
        Prop.ForAll(Generators.Keys.ToArbitrary(), key =>
        {
            var s = new Catcher().Reset(key).Value;
            var cells = s.Items.Concat(s.Hazards).Append(s.Row * 16 + s.Col).ToArray();
            return (s.Row, s.Col, s.Items.Length, s.Hazards.Length, s.Steps) == (8, 8, 3, 2, 0)
                && cells.Distinct().Count() == cells.Length && cells.All(c => c is >= 0 and < 256);
        });

    [Fact]
    public void Collecting_an_item_pays_one_and_the_last_item_ends_the_episode()
    {
        var east = World.Step(Layout, Catcher.East, default);
        Assert.Equal((1.0, 1.0, false), (east.Reward, east.Discount, east.Last));
        Assert.Equal([0], east.Next.Items.ToArray());
        Assert.Equal((1, 2, 3), (east.Next.Collected, east.Next.Row, east.Next.Col));
        var last = World.Step(Layout with { Items = [2 * 5 + 3] }, Catcher.East, default);
        Assert.Equal((1.0, 0.0, true), (last.Reward, last.Discount, last.Last));
    }

    [Fact]
    public void A_hazard_costs_one_and_ends_the_episode_a_plain_step_costs_a_hundredth_and_edges_hold()
    {
        var south = World.Step(Layout, Catcher.South, default);
        Assert.Equal((-1.0, 0.0, true), (south.Reward, south.Discount, south.Last));
        var north = World.Step(Layout, Catcher.North, default);
        Assert.Equal((-0.01, 1.0, false, 1, 2), (north.Reward, north.Discount, north.Last, north.Next.Row, north.Next.Col));
        var corner = World.Step(Layout with { Row = 0, Col = 4 }, Catcher.North, default).Next;
        Assert.Equal((0, 4), (corner.Row, corner.Col));
    }

    [Fact]
    public void The_step_cap_cuts_the_episode_off_with_nothing_paid()
    {
        var capped = World.Step(Layout with { Steps = 9 }, Catcher.West, default);
        Assert.Equal((0.0, 1.0, true, 10), (capped.Reward, capped.Discount, capped.Last, capped.Next.Steps));
    }

    [Fact]
    public void The_agent_sees_pixels_of_distinct_brightness_for_each_kind()
    {
        var pixels = new double[25];
        World.WriteObservation(Layout, pixels);
        Assert.Equal(Catcher.AgentPixel, pixels[2 * 5 + 2]);
        Assert.Equal(Catcher.ItemPixel, pixels[2 * 5 + 3]);
        Assert.Equal(Catcher.ItemPixel, pixels[0]);
        Assert.Equal(Catcher.HazardPixel, pixels[3 * 5 + 2]);
        Assert.Equal(21, pixels.Count(p => p == Catcher.EmptyPixel));
        Assert.Equal(4, new[] { Catcher.EmptyPixel, Catcher.HazardPixel, Catcher.ItemPixel, Catcher.AgentPixel }.Distinct().Count());
    }

    [Fact]
    public void A_grid_too_small_for_its_objects_and_an_unknown_action_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Catcher(Size: 2, ItemCount: 3, HazardCount: 1).Reset(Key.FromSeed(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => World.Step(Layout, 4, default));
    }

    [Property(MaxTest = 100)]
    public Property A_random_policys_episode_ends_by_its_rewards_rules() =>
        Prop.ForAll(Generators.Episode(new Catcher(Size: 6, MaxSteps: 60), (s, k) => k.NextInt(Catcher.ActionCount),
                                       new Catcher(Size: 6).Reset(Key.FromSeed(3)).Value, 60).ToArbitrary(), episode =>
        {
            var steps = episode.Steps;
            var last = steps[^1];
            var ended = last.Reward == Catcher.HazardReward || (last.Reward == Catcher.ItemReward && last.Next.Items.IsEmpty) || last.Next.Steps == 60;
            return ended && steps.Take(steps.Length - 1).All(t => t.Reward is Catcher.StepReward or Catcher.ItemReward && !t.Last)
                && steps.Sum(t => t.Reward == Catcher.ItemReward ? 1 : 0) == last.Next.Collected;
        });
}
