using System.Collections.Immutable;

namespace Policywerk.Pure.Tabular;

/// <summary>
/// Generalised advantage estimation (Schulman, Moritz, Levine, Jordan &amp; Abbeel 2016) over a rollout that
/// may hold several episodes: the carry is cut where an episode ends, so credit never leaks across episodes.
/// </summary>
public static class Gae
{
    /// <summary>
    /// δ_t = r_t + γ c_t V(s_{t+1}) − V(s_t);   A_t = δ_t + γ λ c_t A_{t+1},  A_T = 0,
    /// computed backwards from the end of the rollout.
    /// <paramref name="values"/> holds V(s_0) … V(s_T): T + 1 values, the last one the bootstrap after the final
    /// step. <paramref name="continuations"/>[t] = c_t = 0 where step t ended its episode (then V(s_{t+1}), the
    /// next episode's first state, is not used), 1 otherwise.
    /// λ = 1 gives the discounted return minus the baseline; λ = 0 the one-step TD error δ_t.
    /// </summary>
    public static ImmutableArray<double> Advantages(ReadOnlySpan<double> rewards, ReadOnlySpan<double> values,
        ReadOnlySpan<double> continuations, double gamma, double lambda)
    {
        var n = rewards.Length;
        if (values.Length != n + 1) throw new ArgumentException("values needs V(s_0) … V(s_T): one more than the rewards");
        if (continuations.Length != n) throw new ArgumentException("one continuation per reward");
        var advantage = new double[n];
        var carry = 0.0;
        for (var t = n - 1; t >= 0; t--)
        {
            var tdError = rewards[t] + gamma * continuations[t] * values[t + 1] - values[t];
            carry = advantage[t] = tdError + gamma * lambda * continuations[t] * carry;
        }
        return advantage.Freeze();
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
