using System.Collections.Immutable;

namespace Policywerk.Pure.Mdp;

/// <summary>
/// Generalised advantage estimation (Schulman, Moritz, Levine, Jordan &amp; Abbeel 2016) over a rollout that
/// may hold several episodes: the carry is cut where an episode ends, so credit never leaks across episodes.
/// </summary>
public static class Gae
{
    /// <summary>
    /// δ_t = r_t + γ d_t V(s′_t) − V(s_t);   A_t = δ_t + γ λ (1 − last_t) A_{t+1},  A_T = 0,
    /// computed backwards from the end of the rollout.
    /// </summary>
    /// <remarks>
    /// s′_t is the state step t arrived in, so V(s′_t) is its own bootstrap: d_t = 0 only where s′_t is terminal, and a
    /// step cut off by a time limit (last_t, d_t = 1) still bootstraps from the state it was cut off in (Pardo et al.
    /// 2018), while the carry stops at every last step so credit never leaks into the next episode.
    /// λ = 1 gives the discounted return minus the baseline; λ = 0 the one-step TD error δ_t.
    /// </remarks>
    public static ImmutableArray<double> Advantages(ReadOnlySpan<double> rewards, ReadOnlySpan<double> values,
        ReadOnlySpan<double> nextValues, ReadOnlySpan<double> discounts, ReadOnlySpan<bool> lasts, double gamma, double lambda)
    {
        var n = rewards.Length;
        if (values.Length != n || nextValues.Length != n || discounts.Length != n || lasts.Length != n)
            throw new ArgumentException("one value, next value, discount and last flag per reward");
        var advantage = new double[n];
        var carry = 0.0;
        for (var t = n - 1; t >= 0; t--)
        {
            var tdError = rewards[t] + gamma * discounts[t] * nextValues[t] - values[t];
            carry = advantage[t] = tdError + gamma * lambda * (lasts[t] ? 0.0 : 1.0) * carry;
        }
        return advantage.Freeze();
    }

    /// <summary>
    /// The same for a rollout whose steps end only at terminal states: <paramref name="values"/> holds V(s_0) … V(s_T)
    /// (T + 1 values, the last the bootstrap after the final step), and c_t = <paramref name="continuations"/>[t] is both
    /// the discount and the carry (0 where step t ended its episode): δ_t = r_t + γ c_t V(s_{t+1}) − V(s_t),
    /// A_t = δ_t + γ λ c_t A_{t+1}.
    /// </summary>
    public static ImmutableArray<double> Advantages(ReadOnlySpan<double> rewards, ReadOnlySpan<double> values,
        ReadOnlySpan<double> continuations, double gamma, double lambda)
    {
        var n = rewards.Length;
        if (values.Length != n + 1) throw new ArgumentException("values needs V(s_0) … V(s_T): one more than the rewards");
        if (continuations.Length != n) throw new ArgumentException("one continuation per reward");
        var lasts = new bool[n];
        for (var t = 0; t < n; t++) lasts[t] = continuations[t] == 0.0;
        return Advantages(rewards, values[..n], values[1..], continuations, lasts, gamma, lambda);
    }

    /// <summary>Â_t = (A_t − mean A) / (std A + ε), with the population standard deviation (as the Python original).</summary>
    public static ImmutableArray<double> Normalize(ReadOnlySpan<double> advantages, double epsilon = 1e-8)
    {
        var n = advantages.Length;
        var sum = 0.0;
        foreach (var a in advantages) sum += a;
        var mean = sum / n;
        var squares = 0.0;
        foreach (var a in advantages) squares += (a - mean) * (a - mean);
        var std = Math.Sqrt(squares / n) + epsilon;
        var normalized = new double[n];
        for (var t = 0; t < n; t++) normalized[t] = (advantages[t] - mean) / std;
        return normalized.Freeze();
    }
}
