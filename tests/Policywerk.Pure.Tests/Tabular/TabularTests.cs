using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
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
    [Property(MaxTest = 200)]
    public bool A_trace_decays_by_exactly_gamma_lambda_per_step(ulong seed, byte gammaPct, byte lambdaPct)
    {
        var gamma = gammaPct / 255.0;
        var lambda = lambdaPct / 255.0;
        var e = TestWalks.RandomValues(Key.FromSeed(seed));
        var trace = new EligibilityTrace(e.Values).Decay(gamma * lambda);
        for (var s = 0; s < e.StateCount; s++) if (trace[s] != gamma * lambda * e[s]) return false;
        return true;
    }

    [Property(MaxTest = 200)]
    public bool A_visit_jumps_by_one_or_to_one(ulong seed, byte stateByte, byte gammaLambdaPct)
    {
        var gammaLambda = gammaLambdaPct / 255.0;
        var e = new EligibilityTrace(TestWalks.RandomValues(Key.FromSeed(seed)).Values);
        var s = 1 + stateByte % 5;
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
    }

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
}
