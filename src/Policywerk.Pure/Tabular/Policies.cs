using System.Collections.Immutable;

namespace Policywerk.Pure.Tabular;

using Policywerk.Pure.Numerics;

/// <summary>
/// Choosing an action from a row of action values. Ties among the best actions are broken uniformly
/// at random with the key, never by index order (index order would bias early exploration towards action 0).
/// </summary>
public static class Policies
{
    /// <summary>a = argmax_a Q(s, a), ties broken uniformly by the key. A unique maximum leaves the key untouched.</summary>
    public static Draw<int> Greedy(ReadOnlySpan<double> values, Key key)
    {
        var first = Arg.Max(values);
        var best = values[first];
        var ties = 0;
        foreach (var v in values) if (v == best) ties++;
        if (ties == 1) return new Draw<int>(first, key);
        var (pick, next) = key.NextInt(ties);
        for (var a = 0; a < values.Length; a++)
        {
            if (values[a] != best) continue;
            if (pick == 0) return new Draw<int>(a, next);
            pick--;
        }
        throw new InvalidOperationException("unreachable: a tied maximum was counted but not found");
    }

    /// <summary>
    /// ε-greedy: with probability ε a uniformly random action (which may be the greedy one), otherwise greedy.
    /// π(a|s) = (1 − ε)·[a ∈ argmax]/|argmax| + ε/|A|.
    /// </summary>
    public static Draw<int> EpsilonGreedy(ReadOnlySpan<double> values, double epsilon, Key key)
    {
        var (u, key1) = key.NextDouble();
        return u < epsilon ? key1.NextInt(values.Length) : Greedy(values, key1);
    }

    /// <summary>
    /// π(a|s) of ε-greedy: (1 − ε)/k + ε/|A| for each of the k tied best actions, ε/|A| for the others.
    /// With a unique best action it gets 1 − ε + ε/|A|. The probabilities sum to 1.
    /// </summary>
    public static ImmutableArray<double> EpsilonGreedyProbabilities(ReadOnlySpan<double> values, double epsilon)
    {
        var probabilities = new double[values.Length];
        FillEpsilonGreedyProbabilities(values, epsilon, probabilities);
        return probabilities.Freeze();
    }

    /// <summary>Σ_a π(a|s)·Q(s, a) under ε-greedy: the expectation Expected SARSA bootstraps from.</summary>
    public static double EpsilonGreedyExpectation(ReadOnlySpan<double> values, double epsilon)
    {
        Span<double> probabilities = stackalloc double[values.Length];
        FillEpsilonGreedyProbabilities(values, epsilon, probabilities);
        var sum = 0.0;
        for (var a = 0; a < values.Length; a++) sum += probabilities[a] * values[a];
        return sum;
    }

    private static void FillEpsilonGreedyProbabilities(ReadOnlySpan<double> values, double epsilon, Span<double> probabilities)
    {
        var best = values[0];
        for (var a = 1; a < values.Length; a++) if (values[a] > best) best = values[a];
        var ties = 0;
        for (var a = 0; a < values.Length; a++) if (values[a] == best) ties++;
        var explore = epsilon / values.Length;
        var exploit = (1.0 - epsilon) / ties;
        for (var a = 0; a < values.Length; a++) probabilities[a] = explore + (values[a] == best ? exploit : 0.0);
    }
}
