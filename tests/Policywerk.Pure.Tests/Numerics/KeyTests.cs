using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Numerics;

public class KeyTests
{
    private static double[] Stream(Key key, int n)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++) (values[i], key) = key.NextDouble();
        return values;
    }

    [Fact]
    public void Same_key_gives_the_same_stream()
    {
        Assert.Equal(Stream(Key.FromSeed(42), 1000), Stream(Key.FromSeed(42), 1000));
    }

    [Fact]
    public void Different_seeds_give_different_streams()
    {
        Assert.NotEqual(Stream(Key.FromSeed(42), 10), Stream(Key.FromSeed(43), 10));
    }

    [Fact]
    public void Drawing_does_not_change_the_key_it_was_called_on()
    {
        var key = Key.FromSeed(7);
        var first = key.NextDouble().Value;
        _ = key.NextDouble();
        Assert.Equal(first, key.NextDouble().Value);
    }

    [Fact]
    public void Split_children_differ_from_each_other_and_from_the_parent()
    {
        var parent = Key.FromSeed(42);
        var (left, right) = parent.Split();
        var streams = new[] { Stream(parent, 100), Stream(left, 100), Stream(right, 100) };
        for (var i = 0; i < streams.Length; i++)
            for (var j = i + 1; j < streams.Length; j++)
            {
                Assert.NotEqual(streams[i], streams[j]);
                // not merely shifted copies of each other
                Assert.Empty(streams[i].Intersect(streams[j]));
            }
    }

    [Fact]
    public void Split_many_gives_distinct_keys_deterministically()
    {
        var keys = Key.FromSeed(1).Split(64);
        Assert.Equal(64, keys.Distinct().Count());
        Assert.Equal(keys.ToArray(), Key.FromSeed(1).Split(64).ToArray());
    }

    [Fact]
    public void NextDouble_stays_in_the_unit_interval()
    {
        Assert.All(Stream(Key.FromSeed(3), 10_000), u => Assert.InRange(u, 0.0, 1.0 - double.Epsilon));
    }

    [Fact]
    public void NextInt_is_uniform_by_a_chi_square_test()
    {
        const int bins = 10, draws = 100_000;
        var counts = new int[bins];
        var key = Key.FromSeed(2024);
        for (var i = 0; i < draws; i++)
        {
            int value;
            (value, key) = key.NextInt(bins);
            counts[value]++;
        }
        const double expected = (double)draws / bins;
        var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        // 9 degrees of freedom: P(χ² > 27.88) = 0.001
        Assert.True(chiSquare < 27.88, $"χ² = {chiSquare:F2} with counts {string.Join(",", counts)}");
    }

    [Fact]
    public void NextInt_covers_exactly_its_range()
    {
        var key = Key.FromSeed(5);
        var seen = new HashSet<int>();
        for (var i = 0; i < 1000; i++)
        {
            int value;
            (value, key) = key.NextInt(7);
            seen.Add(value);
        }
        Assert.Equal(Enumerable.Range(0, 7), seen.Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => key.NextInt(0));
    }

    [Fact]
    public void NextGaussian_has_mean_zero_and_variance_one()
    {
        const int n = 200_000;
        var key = Key.FromSeed(99);
        double sum = 0, sumSquares = 0;
        for (var i = 0; i < n; i++)
        {
            double z;
            (z, key) = key.NextGaussian();
            sum += z;
            sumSquares += z * z;
        }
        var mean = sum / n;
        var variance = sumSquares / n - mean * mean;
        // standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032; allow ~4 of them
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.985, 1.015);
    }

    [Fact]
    public void NextGaussians_pairs_are_standard_normal_and_uncorrelated()
    {
        // the cosine and sine halves of each Box–Muller draw: each N(0, 1), and independent of each other
        const int pairs = 100_000;
        var (z, next) = Key.FromSeed(5).NextGaussians(2 * pairs);
        double[] sum = new double[2], squares = new double[2];
        var cross = 0.0;
        for (var i = 0; i < pairs; i++)
        {
            for (var h = 0; h < 2; h++)
            {
                sum[h] += z[2 * i + h];
                squares[h] += z[2 * i + h] * z[2 * i + h];
            }
            cross += z[2 * i] * z[2 * i + 1];
        }
        for (var h = 0; h < 2; h++)
        {
            Assert.InRange(sum[h] / pairs, -0.015, 0.015);           // standard error 1/√n ≈ 0.0032
            Assert.InRange(squares[h] / pairs, 0.98, 1.02);          // standard error √(2/n) ≈ 0.0045
        }
        Assert.InRange(cross / pairs, -0.015, 0.015);                // E[cos·sin] = 0
        Assert.NotEqual(Key.FromSeed(5), next);
    }

    [Property]
    public bool NextGaussians_is_deterministic_and_an_odd_count_drops_only_the_last_sine(ulong seed, byte count)
    {
        var key = Key.FromSeed(seed);
        var (all, _) = key.NextGaussians(count + 1);
        var (fewer, _) = key.NextGaussians(count);
        return fewer.SequenceEqual(all.Take(count)) && key.NextGaussians(count).Value.SequenceEqual(fewer);
    }

    [Fact]
    public void NextPermutation_is_a_permutation()
    {
        var (perm, _) = Key.FromSeed(11).NextPermutation(50);
        Assert.Equal(Enumerable.Range(0, 50), perm.Order());
        Assert.NotEqual(Enumerable.Range(0, 50), perm);
    }
}
