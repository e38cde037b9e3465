using Policywerk.Pure.Neural;

namespace Policywerk.Pure.Agents;

/// <summary>Writes the network input o = φ(s) of a world state into a span (no allocation per step):
/// <c>Breakout.WriteObservation</c> is one.</summary>
public delegate void ObservationWriter<in TState>(TState state, Span<double> observation);

/// <summary>Training stopped because a loss or a parameter became NaN or ±∞: what, and when.</summary>
/// <param name="Message">One line for the user, e.g. "DQN diverged: the TD loss became NaN in episode 12".</param>
public sealed record Divergence(string Message);

/// <summary>Finite-value checks for the deep agents' divergence reports.</summary>
public static class Finite
{
    /// <summary>True if every θ_i is a finite number.</summary>
    public static bool All(Params theta) => All(theta.Span);

    /// <summary>True if every x_i is a finite number.</summary>
    public static bool All(ReadOnlySpan<double> x)
    {
        // x − x is 0 for finite x and NaN for NaN or ±∞, so one sum tells (order does not matter for this test).
        var probe = 0.0;
        foreach (var v in x) probe += v - v;
        return probe == 0.0;
    }
}
