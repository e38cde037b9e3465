using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Mdp;

public class EpisodeTests
{
    [Fact]
    public void Run_stops_at_the_cap_without_done_and_is_deterministic_in_the_key()
    {
        var world = new CliffWorld();
        var a = Episodes.Run(world, (s, k) => k.NextInt(4), CliffWorld.Start, Key.FromSeed(5), 7);
        var b = Episodes.Run(world, (s, k) => k.NextInt(4), CliffWorld.Start, Key.FromSeed(5), 7);
        Assert.Equal(7, a.Length);
        Assert.False(a.Steps[^1].Last);
        Assert.Equal(a.Steps.ToArray(), b.Steps.ToArray());
    }

    [Fact]
    public void Learn_threads_the_model_through_every_transition()
    {
        var walk = new RandomWalk();
        var learned = Episodes.Learn(walk, 0, (m, s, k) => RandomWalk.UniformPolicy(s, k), (m, t) => m + 1, walk.Start, Key.FromSeed(2), 1000);
        Assert.Equal(learned.Trajectory.Length, learned.Model);
        Assert.True(learned.Trajectory.Steps[^1].Last);
    }
}
