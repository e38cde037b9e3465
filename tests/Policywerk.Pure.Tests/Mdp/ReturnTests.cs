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

    /// <summary>Rollouts whose episodes end anywhere, or that stop without ending (then the last next value is bootstrapped).</summary>
    private static readonly Arbitrary<Rollout> Anywhere = Generators.Rollouts(0.2, maxLength: 30).ToArbitrary();

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(1.0, Math.Abs(b));

    [Fact]
    public void N_step_returns_by_hand()
    {
        // r = 1, 0, 2, 3 with V(s_1..s_4) = 10, 20, 30, 40; the episode ends at step 2 (c = 0); γ = 0.5, n = 2
        ReadOnlySpan<double> r = [1.0, 0.0, 2.0, 3.0], v = [10.0, 20.0, 30.0, 40.0], c = [1.0, 1.0, 0.0, 1.0];
        var g = Returns.NStep(r, v, c, 0.5, 2);
        Assert.Equal(1.0 + 0.5 * 0.0 + 0.25 * 20.0, g[0]);   // two rewards, then γ² V(s_2)
        Assert.Equal(0.0 + 0.5 * 2.0, g[1]);                  // the episode ends after r_3: nothing bootstrapped
        Assert.Equal(2.0, g[2]);
        Assert.Equal(3.0 + 0.5 * 40.0, g[3]);                 // the rollout stops without ending: one step, then V(s_4)
    }

    [Property(MaxTest = 200)]
    public Property The_one_step_return_is_TD0s_target() => Prop.ForAll(Anywhere, x =>
    {
        var g = Returns.NStep(x.Rewards.AsSpan(), x.NextValues.AsSpan(), x.Continuations.AsSpan(), x.Gamma, 1);
        return Enumerable.Range(0, x.Length).All(t => g[t] == x.Rewards[t] + x.Gamma * x.Continuations[t] * x.NextValues[t]);
    });

    [Property(MaxTest = 200)]
    public Property An_n_step_return_as_long_as_the_rollout_is_the_lambda_one_return() => Prop.ForAll(Anywhere, x =>
    {
        var g = Returns.NStep(x.Rewards.AsSpan(), x.NextValues.AsSpan(), x.Continuations.AsSpan(), x.Gamma, Math.Max(1, x.Length));
        var one = Returns.Lambda(x.Rewards.AsSpan(), x.NextValues.AsSpan(), x.Continuations.AsSpan(), x.Gamma, 1.0);
        return Enumerable.Range(0, x.Length).All(t => Close(g[t], one[t]));
    });

    /// <summary>G^λ_t = (1 − λ) Σ_{n=1}^{N−1} λ^{n−1} G^(n)_t + λ^{N−1} G^(N)_t, N the steps left in the rollout (an
    /// n-step return past an episode's end is the return to that end).</summary>
    [Property(MaxTest = 200)]
    public Property The_lambda_return_is_the_lambda_weighted_mix_of_n_step_returns() =>
        Prop.ForAll(Anywhere, Generators.Between(0, 1).ToArbitrary(), (x, lambda) =>
        {
            var expected = Returns.Lambda(x.Rewards.AsSpan(), x.NextValues.AsSpan(), x.Continuations.AsSpan(), x.Gamma, lambda);
            var byN = Enumerable.Range(1, Math.Max(1, x.Length)).Select(n => Returns.NStep(x.Rewards.AsSpan(), x.NextValues.AsSpan(),
                                                                                            x.Continuations.AsSpan(), x.Gamma, n)).ToArray();
            for (var t = 0; t < x.Length; t++)
            {
                var left = x.Length - t;
                var mix = Math.Pow(lambda, left - 1) * byN[left - 1][t];
                for (var n = 1; n < left; n++) mix += (1 - lambda) * Math.Pow(lambda, n - 1) * byN[n - 1][t];
                if (Math.Abs(mix - expected[t]) > 1e-9 * Math.Max(1.0, Math.Abs(expected[t]))) return false;
            }
            return true;
        });

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
