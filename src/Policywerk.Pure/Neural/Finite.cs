namespace Policywerk.Pure.Neural;

/// <summary>Finite-value checks, for the deep agents' divergence reports.</summary>
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
