using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Numerics;

/// <summary>The paired comparison of <c>--vs</c>: exact on known differences, zero on identical arms, antisymmetric.</summary>
public class PairedTests
{
    private static Arbitrary<double[]> Runs() =>
        Gen.Choose(-1000, 1000).Select(i => i / 8.0).ArrayOf().Where(a => a.Length >= 2).ToArbitrary();

    [Fact]
    public void Known_differences_give_their_mean_interval_and_counts()
    {
        var p = Statistics.Pair([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 5.0, 3.0], higherIsBetter: true);
        // d = 1, 0, 2, −1: mean ½, s² = 5/3, SE = √(5/12), t(3) = 3.182
        Assert.Equal(0.5, p.Difference.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 12.0), p.Difference.StandardError, 12);
        Assert.Equal(0.5 - 3.182 * Math.Sqrt(5.0 / 12.0), p.Difference.Lower, 12);
        Assert.Equal((2, 1, 1), (p.Better, p.Same, p.Worse));
        Assert.Equal((1, 1, 2), (Statistics.Pair([1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 5.0, 3.0], higherIsBetter: false) is var q ? (q.Better, q.Same, q.Worse) : default));
    }

    [Property]
    public Property Identical_arms_differ_by_exactly_zero() =>
        Prop.ForAll(Runs(), a =>
        {
            var p = Statistics.Pair(a, a, higherIsBetter: true);
            return p.Difference == new Summary(0.0, 0.0, 0.0, 0.0, a.Length) && p.Same == a.Length;
        });

    [Property]
    public Property Swapping_the_arms_negates_the_difference_and_swaps_the_counts() =>
        Prop.ForAll(Runs(), Runs(), (a, b) =>
        {
            var n = Math.Min(a.Length, b.Length);
            var ab = Statistics.Pair(a.AsSpan(0, n), b.AsSpan(0, n), higherIsBetter: true);
            var ba = Statistics.Pair(b.AsSpan(0, n), a.AsSpan(0, n), higherIsBetter: true);
            return ab.Difference.Mean == -ba.Difference.Mean && ab.Difference.StandardError == ba.Difference.StandardError
                   && (ab.Better, ab.Same, ab.Worse) == (ba.Worse, ba.Same, ba.Better);
        });
}
