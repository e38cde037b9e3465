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

    /// <summary>
    /// Softmax (Boltzmann) exploration: a ~ π(·|s) with π(a|s) = exp(Q(s,a)/τ) / Σ_b exp(Q(s,b)/τ), temperature τ &gt; 0.
    /// Small τ is nearly greedy, large τ nearly uniform; unlike ε-greedy, a worse action is tried less often the worse it is.
    /// </summary>
    public static Draw<int> Softmax(ReadOnlySpan<double> values, double temperature, Key key)
    {
        Span<double> logits = stackalloc double[values.Length];
        ScaledByTemperature(values, temperature, logits);
        return Categorical.Sample(key, logits);
    }

    /// <summary>π(a|s) of softmax exploration for every action (computed as exp(Q/τ − max Q/τ), then normalised).</summary>
    public static ImmutableArray<double> SoftmaxProbabilities(ReadOnlySpan<double> values, double temperature)
    {
        var probabilities = new double[values.Length];
        Span<double> logits = stackalloc double[values.Length];
        ScaledByTemperature(values, temperature, logits);
        Activations.Softmax(logits, probabilities);
        return probabilities.Freeze();
    }

    /// <summary>Σ_a π(a|s)·Q(s, a) under softmax exploration.</summary>
    public static double SoftmaxExpectation(ReadOnlySpan<double> values, double temperature)
    {
        var probabilities = SoftmaxProbabilities(values, temperature);
        var sum = 0.0;
        for (var a = 0; a < values.Length; a++) sum += probabilities[a] * values[a];
        return sum;
    }

    private static void ScaledByTemperature(ReadOnlySpan<double> values, double temperature, Span<double> logits)
    {
        if (!(temperature > 0.0 && double.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be positive and finite");
        for (var a = 0; a < values.Length; a++) logits[a] = values[a] / temperature;
    }
}

/// <summary>
/// A behaviour policy over a row of action values: how an agent explores. <see cref="Choose"/> draws an action;
/// <see cref="Expectation"/> is Σ_a π(a|s) Q(s, a), what Expected SARSA bootstraps from.
/// </summary>
public abstract record Exploration
{
    /// <summary>a ~ π(·|s).</summary>
    public abstract Draw<int> Choose(ReadOnlySpan<double> values, Key key);

    /// <summary>π(a|s) for every action.</summary>
    public abstract ImmutableArray<double> Probabilities(ReadOnlySpan<double> values);

    /// <summary>Σ_a π(a|s) Q(s, a).</summary>
    public abstract double Expectation(ReadOnlySpan<double> values);
}

/// <summary>ε-greedy exploration (<see cref="Policies.EpsilonGreedy"/>).</summary>
public sealed record EpsilonGreedy(double Epsilon) : Exploration
{
    public override Draw<int> Choose(ReadOnlySpan<double> values, Key key) => Policies.EpsilonGreedy(values, Epsilon, key);
    public override ImmutableArray<double> Probabilities(ReadOnlySpan<double> values) => Policies.EpsilonGreedyProbabilities(values, Epsilon);
    public override double Expectation(ReadOnlySpan<double> values) => Policies.EpsilonGreedyExpectation(values, Epsilon);
    public override string ToString() => $"ε-greedy ε={Epsilon}";
}

/// <summary>Softmax (Boltzmann) exploration with temperature τ (<see cref="Policies.Softmax"/>).</summary>
public sealed record Boltzmann(double Temperature) : Exploration
{
    public override Draw<int> Choose(ReadOnlySpan<double> values, Key key) => Policies.Softmax(values, Temperature, key);
    public override ImmutableArray<double> Probabilities(ReadOnlySpan<double> values) => Policies.SoftmaxProbabilities(values, Temperature);
    public override double Expectation(ReadOnlySpan<double> values) => Policies.SoftmaxExpectation(values, Temperature);
    public override string ToString() => $"softmax τ={Temperature}";
}
