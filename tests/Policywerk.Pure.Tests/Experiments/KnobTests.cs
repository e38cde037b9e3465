using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Xunit;

namespace Policywerk.Pure.Tests.Experiments;

/// <summary>The knobs a learner may turn cover every field of the configuration records, and set what they read.</summary>
public class KnobTests
{
    /// <summary>Every field of a configuration record, dotted through nested configuration records (types named *Config).</summary>
    private static IEnumerable<string> Fields(Type record, string prefix = "")
    {
        var parameters = record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters();
        foreach (var p in parameters)
        {
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            if (type.Name.EndsWith("Config", StringComparison.Ordinal) && type != record)
                foreach (var inner in Fields(type, prefix + p.Name + ".")) yield return inner;
            else yield return prefix + p.Name;
        }
    }

    /// <summary>Each knob, set to an allowed value other than its default, reads back that value and leaves every other
    /// knob's value as it was: it writes its own field and no other.</summary>
    private static void EachKnobSetsItsOwnField<T>(IReadOnlyList<Knob<T>> knobs, T defaults)
    {
        foreach (var knob in knobs)
        {
            var value = new[] { knob.Min, Math.Min(knob.Max, knob.Min + 1), (knob.Min + Math.Min(knob.Max, knob.Min + 1000)) / 2 }
                .Select(v => knob.Integer ? Math.Floor(v) : v).First(v => knob.Allows(v) && v != knob.Get(defaults));
            var changed = knob.Set(defaults, value);
            Assert.True(knob.Get(changed) == value, $"{knob.Name} set to {value} reads {knob.Get(changed)}");
            foreach (var other in knobs.Where(k => k != knob))
                Assert.True(other.Get(changed) == other.Get(defaults), $"setting {knob.Name} changed {other.Name}");
        }
    }

    [Fact]
    public void Every_field_of_the_cliff_configuration_has_a_knob_and_every_knob_a_field()
    {
        var fields = Fields(typeof(CliffConfig)).Order().ToArray();
        Assert.Equal(fields, CliffConfig.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Equal(CliffConfig.Knobs.Count, CliffConfig.Knobs.Select(k => k.Name).Distinct().Count());
        Assert.All(CliffConfig.Knobs, k => Assert.Matches("^[a-z][a-z0-9_]*$", k.Name));
    }

    [Property(MaxTest = 200)]
    public bool A_knob_sets_what_it_reads_and_leaves_the_others(byte knobByte, byte fraction)
    {
        var defaults = new CliffConfig(Control: new ControlConfig());
        var knob = CliffConfig.Knobs[knobByte % CliffConfig.Knobs.Count];
        var span = Math.Min(knob.Max - knob.Min, 1000.0);
        var value = knob.Min + span * fraction / 255.0;
        if (knob.Integer) value = Math.Floor(value);
        if (!knob.Allows(value)) return true;
        var changed = knob.Set(defaults, value);
        return knob.Get(changed) == value
               && CliffConfig.Knobs.Where(k => k != knob).All(k => k.Get(changed) == k.Get(defaults));
    }

    [Fact]
    public void A_knob_allows_only_numbers_in_its_range()
    {
        var epsilon = CliffConfig.Knobs.Single(k => k.Name == "epsilon");
        Assert.True(epsilon.Allows(0.01));
        Assert.False(epsilon.Allows(2.0));
        Assert.False(epsilon.Allows(double.NaN));
        var episodes = CliffConfig.Knobs.Single(k => k.Name == "episodes");
        Assert.False(episodes.Allows(10.5));
        Assert.True(episodes.Allows(10));
    }

    [Fact]
    public void Every_field_of_the_dqn_configuration_has_a_knob_and_the_defaults_go_together()
    {
        Assert.Equal(Fields(typeof(DqnConfig)).Order().ToArray(), DqnConfig.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Null(new DqnConfig().Conflict());
        Assert.Contains("batch", new DqnConfig(ReplayCapacity: 10).Conflict());
        Assert.Contains("min_replay", new DqnConfig(MinReplay: 5000).Conflict());
        EachKnobSetsItsOwnField(DqnConfig.Knobs, new DqnConfig());
    }

    [Fact]
    public void Every_field_of_the_ppo_configuration_has_a_knob_and_the_defaults_go_together()
    {
        Assert.Equal(Fields(typeof(PpoConfig)).Order().ToArray(), PpoConfig.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Null(new PpoConfig().Conflict());
        Assert.Contains("minibatch", new PpoConfig(MiniBatchSize: 600).Conflict());
        EachKnobSetsItsOwnField(PpoConfig.Knobs, new PpoConfig(BootstrapTimeLimits: false));
    }

    [Fact]
    public void Every_field_of_the_dreamer_configuration_has_a_knob_and_the_defaults_go_together()
    {
        Assert.Equal(Fields(typeof(DreamerConfig)).Order().ToArray(), DreamerConfig.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Equal(DreamerConfig.Knobs.Count, DreamerConfig.Knobs.Select(k => k.Name).Distinct().Count());
        Assert.Null(new DreamerConfig().Conflict());
        EachKnobSetsItsOwnField(DreamerConfig.Knobs, new DreamerConfig());
    }

    [Fact]
    public void Every_field_of_the_bellman_configuration_has_a_knob()
    {
        Assert.Equal(Fields(typeof(BellmanConfig)).Order().ToArray(), BellmanConfig.Knobs.Select(k => k.Field).Order().ToArray());
        EachKnobSetsItsOwnField(BellmanConfig.Knobs, new BellmanConfig());
    }

    [Fact]
    public void Every_field_of_the_barto_sutton_configuration_has_a_knob()
    {
        Assert.Equal(Fields(typeof(BartoSuttonConfig)).Order().ToArray(), BartoSuttonConfig.Knobs.Select(k => k.Field).Order().ToArray());
        EachKnobSetsItsOwnField(BartoSuttonConfig.Knobs, new BartoSuttonConfig());
    }

    [Fact]
    public void Every_field_of_the_prediction_configuration_has_a_knob()
    {
        Assert.Equal(Fields(typeof(PredictionConfig)).Order().ToArray(), PredictionConfig.Knobs.Select(k => k.Field).Order().ToArray());
        var c = new PredictionConfig();
        EachKnobSetsItsOwnField(PredictionConfig.Knobs, c);
        var trace = PredictionConfig.Knobs.Single(k => k.Name == "trace");
        Assert.Equal(TraceKind.Replacing, trace.Set(c, 1).Trace);
    }

    [Fact]
    public void Every_field_of_sutton_s_protocols_but_their_axes_has_a_knob()
    {
        static string[] Scalars(Type record) => record.GetProperties().Where(p => p.CanWrite && !p.PropertyType.Name.StartsWith("ImmutableArray"))
            .Select(p => p.Name).Order().ToArray();
        Assert.Equal(Scalars(typeof(Figure3Config)), Figure3Config.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Equal(Scalars(typeof(Figure45Config)), Figure45Config.Knobs.Select(k => k.Field).Order().ToArray());
        EachKnobSetsItsOwnField(Figure3Config.Knobs, Figure3Config.Paper);
        EachKnobSetsItsOwnField(Figure45Config.Knobs, Figure45Config.Paper);
        Assert.Equal(25, Figure45Config.Knobs.Single(k => k.Name == "sequences").Set(Figure45Config.Paper, 25).Sequences);
    }
}
