using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
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

    private static (double[] Rewards, double[] NextValues, double[] Continuations) RandomEpisode(ulong seed, int length)
    {
        var key = Key.FromSeed(seed);
        var rewards = new double[length];
        var values = new double[length];
        var continuations = new double[length];
        for (var t = 0; t < length; t++)
        {
            (rewards[t], key) = key.NextUniform(-1, 1);
            (values[t], key) = key.NextUniform(-1, 1);
            continuations[t] = t == length - 1 ? 0.0 : 1.0;
        }
        return (rewards, values, continuations);
    }

    [Property(MaxTest = 200)]
    public bool Lambda_return_with_lambda_one_is_the_Monte_Carlo_return(ulong seed, byte lengthByte, byte gammaPct)
    {
        var length = 1 + lengthByte % 30;
        var gamma = gammaPct / 255.0;
        var (r, v, c) = RandomEpisode(seed, length);
        var lambdaReturns = Returns.Lambda(r, v, c, gamma, 1.0);
        var monteCarlo = Returns.DiscountedFromEachStep(r, gamma);
        for (var t = 0; t < length; t++) if (Math.Abs(lambdaReturns[t] - monteCarlo[t]) > 1e-12) return false;
        return true;
    }

    [Property(MaxTest = 200)]
    public bool Lambda_return_with_lambda_zero_is_the_one_step_target(ulong seed, byte lengthByte, byte gammaPct)
    {
        var length = 1 + lengthByte % 30;
        var gamma = gammaPct / 255.0;
        var (r, v, c) = RandomEpisode(seed, length);
        var lambdaReturns = Returns.Lambda(r, v, c, gamma, 0.0);
        for (var t = 0; t < length; t++) if (lambdaReturns[t] != r[t] + gamma * c[t] * v[t]) return false;
        return true;
    }
}
