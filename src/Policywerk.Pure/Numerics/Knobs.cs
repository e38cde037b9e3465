namespace Policywerk.Pure.Numerics;

/// <summary>
/// One hyperparameter a learner may turn: its short name (as typed on the command line), its symbol and meaning, the
/// range it may take, whether it is a whole number, the configuration field it sets (dotted for nested records), and
/// how to read it from and write it into a configuration record (<c>with</c>).
/// </summary>
public sealed record Knob<TConfig>(string Name, string Symbol, string Meaning, double Min, double Max, bool Integer, string Field,
    Func<TConfig, double> Get, Func<TConfig, double, TConfig> Set)
{
    /// <summary>The value is a number within [Min, Max] (and whole, for a whole-number knob).</summary>
    public bool Allows(double value) => double.IsFinite(value) && value >= Min && value <= Max && (!Integer || value == Math.Floor(value));
}

/// <summary>Applying knobs to a configuration.</summary>
public static class KnobSet
{
    /// <summary><paramref name="config"/> with each named value set by its knob, in order.</summary>
    public static TConfig Apply<TConfig>(IReadOnlyList<Knob<TConfig>> knobs, TConfig config, IEnumerable<(string Name, double Value)> values) =>
        values.Aggregate(config, (c, v) => knobs.Single(k => k.Name == v.Name).Set(c, v.Value));
}
