using System.Collections.Immutable;

namespace Policywerk.Pure.Mdp;

using Policywerk.Pure.Numerics;

/// <summary>
/// Returns of a reward sequence r_1 … r_T (index t holds the reward that followed step t).
/// Each is a backward recursion, computed once from the end.
/// </summary>
public static class Returns
{
    /// <summary>G_0 = r_1 + γ r_2 + γ² r_3 + … + γ^{T−1} r_T (Monte Carlo return from the start).</summary>
    public static double Discounted(ReadOnlySpan<double> rewards, double gamma)
    {
        var g = 0.0;
        for (var t = rewards.Length - 1; t >= 0; t--) g = rewards[t] + gamma * g;
        return g;
    }

    /// <summary>G_t = r_{t+1} + γ G_{t+1}, G_T = 0: the Monte Carlo return from every step.</summary>
    public static ImmutableArray<double> DiscountedFromEachStep(ReadOnlySpan<double> rewards, double gamma)
    {
        var g = new double[rewards.Length];
        var next = 0.0;
        for (var t = rewards.Length - 1; t >= 0; t--) next = g[t] = rewards[t] + gamma * next;
        return g.Freeze();
    }

    /// <summary>
    /// The λ-return from every step (rlax's recursion, Sutton &amp; Barto §12.1):
    /// G^λ_t = r_{t+1} + γ c_{t+1} [(1 − λ) V(s_{t+1}) + λ G^λ_{t+1}],  with G^λ_T = V(s_T).
    /// <paramref name="nextValues"/>[t] = V(s_{t+1}); <paramref name="continuations"/>[t] = 0 where step t ended
    /// the episode. λ = 1 gives the Monte Carlo return (bootstrapped from V(s_T) only if the episode was cut
    /// short), λ = 0 the one-step target r_{t+1} + γ c V(s_{t+1}).
    /// </summary>
    public static ImmutableArray<double> Lambda(ReadOnlySpan<double> rewards, ReadOnlySpan<double> nextValues,
        ReadOnlySpan<double> continuations, double gamma, double lambda)
    {
        var n = rewards.Length;
        if (nextValues.Length != n || continuations.Length != n)
            throw new ArgumentException("rewards, nextValues and continuations must have the same length");
        var g = new double[n];
        var tail = n == 0 ? 0.0 : nextValues[n - 1];
        for (var t = n - 1; t >= 0; t--)
        {
            tail = g[t] = rewards[t] + gamma * continuations[t] * ((1.0 - lambda) * nextValues[t] + lambda * tail);
        }
        return g.Freeze();
    }
}
