using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Tabular;

public class TableTests
{
    [Fact]
    public void With_returns_a_new_table_and_leaves_the_old_one_untouched()
    {
        var v = VTable.Filled(3, 0.5);
        var w = v.With(1, 2.0);
        Assert.Equal([0.5, 0.5, 0.5], v.Values.ToArray());
        Assert.Equal([0.5, 2.0, 0.5], w.Values.ToArray());

        var q = QTable.Filled(2, 3, 0.0);
        var q2 = q.With(1, 2, -1.0);
        Assert.Equal(0.0, q[1, 2]);
        Assert.Equal(-1.0, q2[1, 2]);
        Assert.Equal(-1.0, q2.Row(1)[2]);
        Assert.Equal(0.0, q2.Max(1));
    }

    [Fact]
    public void Tables_compare_by_value()
    {
        Assert.Equal(VTable.Filled(4, 0.25), VTable.Filled(4, 0.25));
        Assert.NotEqual(VTable.Filled(4, 0.25), VTable.Filled(4, 0.25).With(0, 0.0));
        Assert.Equal(QTable.Filled(2, 2, 1.0).With(0, 1, 3.0), QTable.Filled(2, 2, 1.0).With(0, 1, 3.0));
        Assert.True(VTable.Filled(2, 1.0).ApproximatelyEquals(VTable.Filled(2, 1.0 + 1e-12), 1e-9));
    }
}

public class TraceTests
{
    private static Arbitrary<EligibilityTrace> Traces { get; } =
        Generators.WalkValues(TestWalks.Walk).Select(v => new EligibilityTrace(v.Values)).ToArbitrary();

    private static Arbitrary<double> Fractions { get; } = Generators.Between(0, 1).ToArbitrary();

    [Property(MaxTest = 200)]
    public Property A_trace_decays_by_exactly_gamma_lambda_per_step() => Prop.ForAll(Traces, Fractions, Fractions, (e, gamma, lambda) =>
    {
        var trace = e.Decay(gamma * lambda);
        for (var s = 0; s < e.Values.Length; s++) if (trace[s] != gamma * lambda * e[s]) return false;
        return true;
    });

    [Property(MaxTest = 200)]
    public Property A_visit_jumps_by_one_or_to_one() => Prop.ForAll(Traces, Gen.Choose(1, 5).ToArbitrary(), Fractions, (e, s, gammaLambda) =>
    {
        var accumulating = e.DecayThenVisit(gammaLambda, TraceKind.Accumulating, s);
        var replacing = e.DecayThenVisit(gammaLambda, TraceKind.Replacing, s);
        for (var i = 0; i < e.StateCount; i++)
        {
            var decayed = gammaLambda * e[i];
            if (i == s ? accumulating[i] != decayed + 1.0 : accumulating[i] != decayed) return false;
            if (i == s ? replacing[i] != 1.0 : replacing[i] != decayed) return false;
        }
        return e.Decay(gammaLambda).Visit(TraceKind.Accumulating, s).Equals(accumulating)
            && e.Decay(gammaLambda).Visit(TraceKind.Replacing, s).Equals(replacing);
    });

    [Fact]
    public void Revisits_stack_for_accumulating_and_not_for_replacing_traces()
    {
        var e = EligibilityTrace.Zeros(3);
        var acc = e.DecayThenVisit(0.5, TraceKind.Accumulating, 1).DecayThenVisit(0.5, TraceKind.Accumulating, 1);
        var rep = e.DecayThenVisit(0.5, TraceKind.Replacing, 1).DecayThenVisit(0.5, TraceKind.Replacing, 1);
        Assert.Equal(1.5, acc[1]);
        Assert.Equal(1.0, rep[1]);
    }
}

public class PolicyTests
{
    private static double[] RandomRow(Key key, int actions)
    {
        var row = new double[actions];
        for (var a = 0; a < actions; a++) (row[a], key) = key.NextDouble();
        return row;
    }

    [Property(MaxTest = 300)]
    public bool Epsilon_greedy_probabilities_sum_to_one_and_favour_the_greedy_action(ulong seed, byte actionsByte, byte epsilonPct)
    {
        var actions = 1 + actionsByte % 8;
        var epsilon = epsilonPct / 255.0;
        var row = RandomRow(Key.FromSeed(seed), actions); // distinct with probability 1
        var p = Policies.EpsilonGreedyProbabilities(row, epsilon);
        var greedy = Array.IndexOf(row, row.Max());
        var sum = 0.0;
        foreach (var x in p) sum += x;
        return Math.Abs(sum - 1.0) < 1e-12
            && Math.Abs(p[greedy] - (1.0 - epsilon + epsilon / actions)) < 1e-12;
    }

    [Fact]
    public void Tied_best_actions_share_the_greedy_mass()
    {
        var p = Policies.EpsilonGreedyProbabilities([1.0, 3.0, 3.0, 0.0], 0.2);
        Assert.Equal([0.05, 0.45, 0.45, 0.05], p.Select(x => Math.Round(x, 12)));
        Assert.Equal(0.45 * 6 + 0.05, Policies.EpsilonGreedyExpectation([1.0, 3.0, 3.0, 0.0], 0.2), 12);
    }

    [Fact]
    public void Greedy_breaks_ties_with_the_key_not_by_index_order()
    {
        double[] row = [0.0, 2.0, 2.0, 2.0];
        var counts = new int[4];
        foreach (var key in Key.FromSeed(7).Split(3000)) counts[Policies.Greedy(row, key).Value]++;
        Assert.Equal(0, counts[0]);
        Assert.All(counts[1..], c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public void A_unique_maximum_is_chosen_and_the_key_is_left_untouched()
    {
        var key = Key.FromSeed(3);
        var draw = Policies.Greedy([0.1, -4.0, 0.7], key);
        Assert.Equal(2, draw.Value);
        Assert.Equal(key, draw.Next);
    }

    [Fact]
    public void Epsilon_greedy_samples_follow_its_probabilities()
    {
        double[] row = [0.0, 1.0, 0.5];
        var counts = new int[3];
        foreach (var key in Key.FromSeed(11).Split(20000)) counts[Policies.EpsilonGreedy(row, 0.3, key).Value]++;
        var p = Policies.EpsilonGreedyProbabilities(row, 0.3);
        for (var a = 0; a < 3; a++) Assert.InRange(counts[a] / 20000.0, p[a] - 0.015, p[a] + 0.015);
    }

    /// <summary>A row of 1–8 action values in [−50, 50] and a temperature in [0.05, 20] (wide enough to overflow a naive exp).</summary>
    private static (double[] Row, double Temperature) SoftmaxCase(ulong seed, byte actionsByte, byte temperatureByte)
    {
        var actions = 1 + actionsByte % 8;
        var row = RandomRow(Key.FromSeed(seed), actions).Select(v => 100.0 * v - 50.0).ToArray();
        return (row, 0.05 * Math.Pow(400.0, temperatureByte / 255.0));
    }

    [Property(MaxTest = 300)]
    public bool Softmax_probabilities_are_positive_and_sum_to_one(ulong seed, byte actionsByte, byte temperatureByte)
    {
        var (row, tau) = SoftmaxCase(seed, actionsByte, temperatureByte);
        var p = Policies.SoftmaxProbabilities(row, tau);
        return p.All(x => x >= 0.0 && double.IsFinite(x)) && Math.Abs(p.Sum() - 1.0) < 1e-12;
    }

    [Property(MaxTest = 300)]
    public bool Softmax_keeps_the_order_of_the_action_values(ulong seed, byte actionsByte, byte temperatureByte)
    {
        var (row, tau) = SoftmaxCase(seed, actionsByte, temperatureByte);
        var p = Policies.SoftmaxProbabilities(row, tau);
        for (var a = 0; a < row.Length; a++)
            for (var b = 0; b < row.Length; b++)
                if (row[a] > row[b] && p[a] < p[b]) return false;
        return true;
    }

    [Property(MaxTest = 300)]
    public bool Softmax_does_not_change_when_every_value_is_shifted(ulong seed, byte actionsByte, byte temperatureByte, sbyte shift)
    {
        var (row, tau) = SoftmaxCase(seed, actionsByte, temperatureByte);
        var p = Policies.SoftmaxProbabilities(row, tau);
        var shifted = Policies.SoftmaxProbabilities(row.Select(v => v + shift).ToArray(), tau);
        return p.Zip(shifted).All(x => Math.Abs(x.First - x.Second) < 1e-9);
    }

    [Property(MaxTest = 200)]
    public bool Softmax_tends_to_greedy_as_the_temperature_falls_and_to_uniform_as_it_rises(ulong seed, byte actionsByte)
    {
        var actions = 2 + actionsByte % 7;
        var row = RandomRow(Key.FromSeed(seed), actions).Select(v => Math.Round(10.0 * v, 1)).ToArray();
        if (row.Distinct().Count() < actions) return true; // the greedy limit needs a unique best action
        var cold = Policies.SoftmaxProbabilities(row, 1e-3);
        var hot = Policies.SoftmaxProbabilities(row, 1e6);
        var greedy = Array.IndexOf(row, row.Max());
        return cold[greedy] > 1.0 - 1e-12 && hot.All(x => Math.Abs(x - 1.0 / actions) < 1e-4);
    }

    [Fact]
    public void Softmax_samples_follow_its_probabilities_and_refuses_a_temperature_that_is_not_positive()
    {
        double[] row = [0.0, 1.0, 0.5];
        var counts = new int[3];
        foreach (var key in Key.FromSeed(13).Split(20000)) counts[Policies.Softmax(row, 0.5, key).Value]++;
        var p = Policies.SoftmaxProbabilities(row, 0.5);
        for (var a = 0; a < 3; a++) Assert.InRange(counts[a] / 20000.0, p[a] - 0.015, p[a] + 0.015);
        // exact values: exp(q/τ) normalised, by hand for τ = 0.5
        double z = 1.0 + Math.Exp(2.0) + Math.Exp(1.0);
        Assert.Equal(Math.Exp(2.0) / z, p[1], 12);
        Assert.Equal(p[0] * 0.0 + p[1] * 1.0 + p[2] * 0.5, Policies.SoftmaxExpectation(row, 0.5), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Policies.SoftmaxProbabilities(row, 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policies.SoftmaxProbabilities(row, double.NaN));
    }

    [Fact]
    public void The_behaviour_records_are_the_policies_they_name()
    {
        double[] row = [0.3, -1.0, 0.9];
        var key = Key.FromSeed(5);
        Assert.Equal(Policies.EpsilonGreedy(row, 0.2, key), new EpsilonGreedy(0.2).Choose(row, key));
        Assert.Equal(Policies.Softmax(row, 0.7, key), new Boltzmann(0.7).Choose(row, key));
        Assert.Equal(Policies.SoftmaxExpectation(row, 0.7), new Boltzmann(0.7).Expectation(row));
        Assert.Equal(Policies.EpsilonGreedyExpectation(row, 0.2), new EpsilonGreedy(0.2).Expectation(row));
    }
}
