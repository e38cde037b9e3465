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
    /// The n-step return from every step (Sutton &amp; Barto §7.1):
    /// G^(n)_t = r_{t+1} + γ r_{t+2} + … + γ^{m−1} r_{t+m} + γ^m V(s_{t+m}),  m = min(n, steps left),
    /// with nothing bootstrapped when the episode ends within those m steps. <paramref name="nextValues"/>[t] = V(s_{t+1});
    /// <paramref name="continuations"/>[t] = 0 where step t ended the episode (a rollout that stops without ending
    /// bootstraps from its last next value). n = 1 is TD(0)'s target r_{t+1} + γ c V(s_{t+1}); n at least the steps
    /// left is the Monte Carlo return.
    /// </summary>
    public static ImmutableArray<double> NStep(ReadOnlySpan<double> rewards, ReadOnlySpan<double> nextValues,
        ReadOnlySpan<double> continuations, double gamma, int n)
    {
        var g = new double[rewards.Length];
        for (var t = 0; t < g.Length; t++) g[t] = NStepFrom(rewards, nextValues, continuations, gamma, n, t);
        return g.Freeze();
    }

    /// <summary>G^(n)_t of <see cref="NStep"/> for one step t: the rewards summed forward from t, then the bootstrap.</summary>
    public static double NStepFrom(ReadOnlySpan<double> rewards, ReadOnlySpan<double> nextValues,
        ReadOnlySpan<double> continuations, double gamma, int n, int t)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
        if (nextValues.Length != rewards.Length || continuations.Length != rewards.Length)
            throw new ArgumentException("rewards, nextValues and continuations must have the same length");
        var g = 0.0;
        var discount = 1.0;
        for (var k = t; ; k++)
        {
            g += discount * rewards[k];
            discount *= gamma;
            if (continuations[k] == 0.0) return g;                 // the episode ended at step k: nothing follows
            if (k - t + 1 == n || k == rewards.Length - 1) return g + discount * nextValues[k];
        }
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
