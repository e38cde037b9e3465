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
        var c = new DqnConfig();
        foreach (var knob in DqnConfig.Knobs) Assert.Equal(knob.Get(c), knob.Get(knob.Set(c, knob.Get(c))));
    }

    [Fact]
    public void Every_field_of_the_ppo_configuration_has_a_knob_and_the_defaults_go_together()
    {
        Assert.Equal(Fields(typeof(PpoConfig)).Order().ToArray(), PpoConfig.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Null(new PpoConfig().Conflict());
        Assert.Contains("minibatch", new PpoConfig(MiniBatchSize: 600).Conflict());
        var c = new PpoConfig(BootstrapTimeLimits: false);
        foreach (var knob in PpoConfig.Knobs) Assert.Equal(knob.Get(c), knob.Get(knob.Set(c, knob.Get(c))));
    }

    [Fact]
    public void Every_field_of_the_dreamer_configuration_has_a_knob_and_the_defaults_go_together()
    {
        Assert.Equal(Fields(typeof(DreamerConfig)).Order().ToArray(), DreamerConfig.Knobs.Select(k => k.Field).Order().ToArray());
        Assert.Equal(DreamerConfig.Knobs.Count, DreamerConfig.Knobs.Select(k => k.Name).Distinct().Count());
        Assert.Null(new DreamerConfig().Conflict());
        var c = new DreamerConfig();
        foreach (var knob in DreamerConfig.Knobs) Assert.Equal(knob.Get(c), knob.Get(knob.Set(c, knob.Get(c))));
    }

    [Fact]
    public void Every_field_of_the_bellman_configuration_has_a_knob()
    {
        Assert.Equal(Fields(typeof(BellmanConfig)).Order().ToArray(), BellmanConfig.Knobs.Select(k => k.Field).Order().ToArray());
        var c = new BellmanConfig();
        foreach (var knob in BellmanConfig.Knobs) Assert.Equal(knob.Get(c), knob.Get(knob.Set(c, knob.Get(c))));
    }

    [Fact]
    public void Every_field_of_the_barto_sutton_configuration_has_a_knob()
    {
        Assert.Equal(Fields(typeof(BartoSuttonConfig)).Order().ToArray(), BartoSuttonConfig.Knobs.Select(k => k.Field).Order().ToArray());
        var c = new BartoSuttonConfig();
        foreach (var knob in BartoSuttonConfig.Knobs) Assert.Equal(knob.Get(c), knob.Get(knob.Set(c, knob.Get(c))));
    }

    [Fact]
    public void Every_field_of_the_prediction_configuration_has_a_knob()
    {
        Assert.Equal(Fields(typeof(PredictionConfig)).Order().ToArray(), PredictionConfig.Knobs.Select(k => k.Field).Order().ToArray());
        var c = new PredictionConfig();
        foreach (var knob in PredictionConfig.Knobs) Assert.Equal(knob.Get(c), knob.Get(knob.Set(c, knob.Get(c))));
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
        var c3 = Figure3Config.Paper;
        foreach (var knob in Figure3Config.Knobs) Assert.Equal(knob.Get(c3), knob.Get(knob.Set(c3, knob.Get(c3))));
        var c5 = Figure45Config.Paper;
        foreach (var knob in Figure45Config.Knobs) Assert.Equal(knob.Get(c5), knob.Get(knob.Set(c5, knob.Get(c5))));
        Assert.Equal(25, Figure45Config.Knobs.Single(k => k.Name == "sequences").Set(c5, 25).Sequences);
    }
}
