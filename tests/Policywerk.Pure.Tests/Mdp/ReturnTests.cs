using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Mdp;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Mdp;

public class ReturnTests
{
    [Fact]
    public void Discounted_return_by_hand()
    {
        ReadOnlySpan<double> rewards = [1.0, 0.0, 2.0];
        Assert.Equal(1.0 + 0.9 * 0.9 * 2.0, Returns.Discounted(rewards, 0.9), 12);
        Assert.Equal([1.0 + 0.81 * 2.0, 1.8, 2.0], Returns.DiscountedFromEachStep(rewards, 0.9).Select(x => Math.Round(x, 12)));
    }

    private static readonly Arbitrary<Rollout> Episodes = Generators.Rollouts(0.0, endsAtLast: true, maxLength: 30).ToArbitrary();

    [Property(MaxTest = 200)]
    public Property Lambda_return_with_lambda_one_is_the_Monte_Carlo_return() => Prop.ForAll(Episodes, x =>
    {
        var lambdaReturns = Returns.Lambda(x.Rewards.AsSpan(), x.NextValues.AsSpan(), x.Continuations.AsSpan(), x.Gamma, 1.0);
        var monteCarlo = Returns.DiscountedFromEachStep(x.Rewards.AsSpan(), x.Gamma);
        for (var t = 0; t < x.Length; t++) if (Math.Abs(lambdaReturns[t] - monteCarlo[t]) > 1e-12 * Math.Max(1.0, Math.Abs(monteCarlo[t]))) return false;
        return true;
    });

    [Property(MaxTest = 200)]
    public Property Lambda_return_with_lambda_zero_is_the_one_step_target() => Prop.ForAll(Episodes, x =>
    {
        var (r, v, c) = (x.Rewards, x.NextValues, x.Continuations);
        var lambdaReturns = Returns.Lambda(r.AsSpan(), v.AsSpan(), c.AsSpan(), x.Gamma, 0.0);
        for (var t = 0; t < x.Length; t++) if (lambdaReturns[t] != r[t] + x.Gamma * c[t] * v[t]) return false;
        return true;
    });
}
