using System.Diagnostics;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;
using Xunit.Abstractions;

namespace Policywerk.Pure.Tests.Worlds;

/// <summary>The worlds run ~100k steps per lesson: a step plus its observation must cost well under a microsecond.</summary>
public class WorldSpeedTests(ITestOutputHelper output)
{
    private static double BestOf(int runs, Func<double> work, out double checksum)
    {
        var best = double.MaxValue;
        checksum = 0;
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            checksum = work();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return best;
    }

    [Fact]
    public void Breakout_takes_100k_steps_with_observations_quickly()
    {
        var world = new Breakout();
        var key = Key.FromSeed(1);
        var observation = new double[Breakout.ObservationSize];
        double Work()
        {
            var s = Breakout.Start;
            var k = key;
            var total = 0.0;
            for (var i = 0; i < 100_000; i++)
            {
                if (s.Done) s = Breakout.Start;
                var (a, next) = k.NextInt(3);
                k = next;
                var result = world.Step(s, a, k);
                Breakout.WriteObservation(result.Next, observation);
                total += result.Reward + observation[81];
                s = result.Next;
            }
            return total;
        }
        var ms = BestOf(10, Work, out var checksum);
        output.WriteLine($"Breakout: 100k steps + observations in {ms:F1} ms (checksum {checksum})");
        Assert.True(ms < 500, $"{ms} ms");
    }

    [Fact]
    public void PixelPointMass_takes_100k_steps_with_frames_quickly()
    {
        var world = new PixelPointMass();
        var frame = new double[PixelPointMass.ObservationSize];
        double Work()
        {
            var (s, k) = world.Reset(Key.FromSeed(2));
            var total = 0.0;
            for (var i = 0; i < 100_000; i++)
            {
                var result = world.Step(s, PointMassControllers.Scripted(s), k);
                world.WriteObservation(result.Next, frame);
                total += result.Reward + frame[0];
                (s, k) = result.Done ? world.Reset(k) : new Draw<PointMassState>(result.Next, k);
            }
            return total;
        }
        var ms = BestOf(10, Work, out var checksum);
        output.WriteLine($"PixelPointMass: 100k steps + frames in {ms:F1} ms (checksum {checksum})");
        Assert.True(ms < 500, $"{ms} ms");
    }
}
