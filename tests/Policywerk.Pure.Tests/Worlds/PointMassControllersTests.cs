using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;
using Xunit.Abstractions;

namespace Policywerk.Pure.Tests.Worlds;

public class PointMassControllersTests(ITestOutputHelper output)
{
    private static readonly PointMass World = new();

    private sealed record EpisodeSummary(double Return, double StartDistance, double FinalDistance, int Steps);

    private static EpisodeSummary Run(Key key, bool scripted)
    {
        var split = key.Split();
        var (s, k) = World.Reset(split.Left);
        var policyKey = split.Right;
        var start = s.Distance;
        var total = 0.0;
        var done = false;
        while (!done)
        {
            Force force;
            if (scripted) force = PointMassControllers.Scripted(s);
            else (force, policyKey) = PointMassControllers.RandomForce(policyKey);
            var result = World.Step(s, force, k);
            total += result.Reward;
            (s, done, k) = (result.Next, result.Last, result.Key);
        }
        return new EpisodeSummary(total, start, s.Distance, s.Steps);
    }

    [Fact]
    public void The_scripted_controller_closes_the_distance_far_better_than_random()
    {
        const int episodes = 40;
        var keys = Key.FromSeed(2024).Split(episodes);
        double scriptedReturn = 0, randomReturn = 0, scriptedReduction = 0, randomReduction = 0;
        var reached = 0;
        foreach (var key in keys)
        {
            var a = Run(key, scripted: true);
            var b = Run(key, scripted: false);
            Assert.Equal(a.StartDistance, b.StartDistance); // same layouts for both
            scriptedReturn += a.Return / episodes;
            randomReturn += b.Return / episodes;
            scriptedReduction += (a.StartDistance - a.FinalDistance) / episodes;
            randomReduction += (b.StartDistance - b.FinalDistance) / episodes;
            if (a.FinalDistance < World.ReachThreshold) reached++;
        }
        output.WriteLine($"scripted: return {scriptedReturn:F1}, distance reduced {scriptedReduction:F2}, reached {reached}/{episodes}");
        output.WriteLine($"random:   return {randomReturn:F1}, distance reduced {randomReduction:F2}");
        Assert.Equal(episodes, reached);
        Assert.True(scriptedReduction > randomReduction + 0.8);
        Assert.True(scriptedReturn - randomReturn > 80.0); // ≈ −35 against ≈ −165
    }

    [Fact]
    public void The_scripted_action_pushes_toward_the_target_and_brakes()
    {
        var s = PointMass.StartAt(0.0, 0.0, 0.1, -0.2);
        var a = PointMassControllers.Scripted(s);
        Assert.Equal(0.3, a.X, 12);   // 3·0.1
        Assert.Equal(-0.6, a.Y, 12);  // 3·(−0.2)
        var moving = s with { Vx = 0.5 };
        Assert.Equal(-1.0, PointMassControllers.Scripted(moving).X, 12); // 0.3 − 1.5, clamped
        Assert.Equal(1.0, PointMassControllers.Scripted(PointMass.StartAt(-2, 0, 2, 0)).X); // clamped
    }

    [Fact]
    public void The_random_force_is_uniform_in_the_unit_square_and_keyed()
    {
        var key = Key.FromSeed(5);
        double sumX = 0, sumY = 0;
        const int n = 4000;
        for (var i = 0; i < n; i++)
        {
            var (f, next) = PointMassControllers.RandomForce(key);
            Assert.InRange(f.X, -1.0, 1.0);
            Assert.InRange(f.Y, -1.0, 1.0);
            Assert.Equal(f, PointMassControllers.RandomForce(key).Value);
            sumX += f.X;
            sumY += f.Y;
            key = next;
        }
        Assert.InRange(sumX / n, -0.05, 0.05);
        Assert.InRange(sumY / n, -0.05, 0.05);
    }
}
