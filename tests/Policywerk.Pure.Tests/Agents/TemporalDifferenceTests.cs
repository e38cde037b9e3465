using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Pure.Tests.Tabular;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

public class TemporalDifferenceHandWorked
{
    private static readonly VTable Half = TestWalks.Walk.InitialValues(0.5);

    [Fact]
    public void TD0_on_C_D_E_plus1_moves_only_E_to_0_55()
    {
        var v = TemporalDifference.TdZeroEpisode(Half, TestWalks.CToRight, 0.1, 1.0);
        Assert.Equal([0.0, 0.5, 0.5, 0.5, 0.5, 0.55, 0.0], v.Values.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Two_step_TD_on_C_D_E_plus1_moves_D_and_E_at_once()
    {
        // α 0.5: C's target r + r + V(E) = 0.5 leaves it; D's target 0 + 1 (the walk ends) moves it to 0.75; so does E's
        var v = TemporalDifference.NStepEpisode(Half, TestWalks.CToRight, 0.5, 1.0, 2);
        Assert.Equal([0.0, 0.5, 0.5, 0.5, 0.75, 0.75, 0.0], v.Values.ToArray());
    }

    [Fact]
    public void TD0_second_episode_ripples_one_step_back_to_D()
    {
        var v = TemporalDifference.TdZeroEpisode(Half, TestWalks.CToRight, 0.1, 1.0);
        v = TemporalDifference.TdZeroEpisode(v, TestWalks.CToRight, 0.1, 1.0);
        Assert.Equal(0.505, v[4], 12);
    }

    [Fact]
    public void TD_lambda_half_spreads_0_05_0_025_0_0125()
    {
        foreach (var kind in new[] { TraceKind.Accumulating, TraceKind.Replacing })
        {
            var v = TemporalDifference.TdLambdaEpisode(Half, TestWalks.CToRight, 0.1, 1.0, 0.5, kind);
            Assert.Equal(0.5125, v[3], 12);
            Assert.Equal(0.525, v[4], 12);
            Assert.Equal(0.55, v[5], 12);
            Assert.Equal(0.5, v[1]);
            Assert.Equal(0.5, v[2]);
        }
    }

    [Fact]
    public void Monte_Carlo_moves_C_D_and_E_to_0_55()
    {
        foreach (var visits in new[] { MonteCarloVisits.First, MonteCarloVisits.Every })
        {
            var v = TemporalDifference.MonteCarlo(Half, TestWalks.CToRight, 0.1, 1.0, visits);
            Assert.Equal([0.0, 0.5, 0.5, 0.55, 0.55, 0.55, 0.0], v.Values.Select(x => Math.Round(x, 12)));
        }
    }

    [Fact]
    public void First_and_every_visit_differ_on_a_revisit()
    {
        // C → D → C → D → E → +1: C and D are visited twice.
        var walk = new Trajectory<int, int>(ImmutableArray.Create(
            new Transition<int, int>(3, 1, 0, 1.0, 4, false), new Transition<int, int>(4, 0, 0, 1.0, 3, false),
            new Transition<int, int>(3, 1, 0, 1.0, 4, false), new Transition<int, int>(4, 1, 0, 1.0, 5, false),
            new Transition<int, int>(5, 1, 1, 0.0, 6, true)));
        Assert.Equal(0.55, TemporalDifference.MonteCarlo(Half, walk, 0.1, 1.0, MonteCarloVisits.First)[3], 12);
        Assert.Equal(0.6, TemporalDifference.MonteCarlo(Half, walk, 0.1, 1.0, MonteCarloVisits.Every)[3], 12);
    }

    [Fact]
    public void Rms_error_of_the_initial_values_is_known()
    {
        // (1/5)·Σ (0.5 − i/6)² = (1/5)·(4/36 + 1/36 + 0 + 1/36 + 4/36) = 1/18
        Assert.Equal(Math.Sqrt(1.0 / 18.0), TemporalDifference.RmsError(Half, TestWalks.Walk.TrueValues, TestWalks.Walk.WalkStates), 12);
    }
}

public class TemporalDifferenceProperties
{
    private static readonly RandomWalk Walk = TestWalks.Walk;

    [Property(MaxTest = 200)]
    public Property Offline_TD1_with_accumulating_traces_equals_every_visit_Monte_Carlo() =>
        Invariants.OfflineTdOneEqualsMonteCarlo(TemporalDifference.TdLambdaOffline);

    /// <summary>Values to start from, five walks, α and γ, each in [0, 1].</summary>
    private static Arbitrary<(VTable v0, ImmutableArray<Trajectory<int, int>> walks, double alpha, double gamma)> FiveWalks { get; } =
        (from v0 in Generators.WalkValues(Walk)
         from walks in Generators.Walks(Walk, 5)
         from alpha in Generators.Between(0, 1)
         from gamma in Generators.Between(0, 1)
         select (v0, walks, alpha, gamma)).ToArbitrary();

    [Property(MaxTest = 200)]
    public Property TD_lambda_zero_equals_TD0() =>
        Prop.ForAll(FiveWalks, c =>
        {
            VTable td0 = c.v0, tdLambdaAcc = c.v0, tdLambdaRep = c.v0;
            foreach (var walk in c.walks)
            {
                td0 = TemporalDifference.TdZeroEpisode(td0, walk, c.alpha, c.gamma);
                tdLambdaAcc = TemporalDifference.TdLambdaEpisode(tdLambdaAcc, walk, c.alpha, c.gamma, 0.0, TraceKind.Accumulating);
                tdLambdaRep = TemporalDifference.TdLambdaEpisode(tdLambdaRep, walk, c.alpha, c.gamma, 0.0, TraceKind.Replacing);
            }
            return td0.Equals(tdLambdaAcc) && td0.Equals(tdLambdaRep);
        });

    [Property(MaxTest = 200)]
    public Property One_step_TD_is_TD0_bit_for_bit() =>
        Prop.ForAll(FiveWalks, c =>
            c.walks.Aggregate(c.v0, (v, w) => TemporalDifference.NStepEpisode(v, w, c.alpha, c.gamma, 1))
             .Equals(c.walks.Aggregate(c.v0, (v, w) => TemporalDifference.TdZeroEpisode(v, w, c.alpha, c.gamma))));

    /// <summary>With n at least the episode's length every target is the Monte Carlo return G_t, whatever V is: from the
    /// true values of the walk (γ = 1), each update moves V(s_t) by α (G_t − V(s_t)).</summary>
    [Property(MaxTest = 200)]
    public Property An_n_step_TD_as_long_as_the_episode_updates_towards_the_Monte_Carlo_return() =>
        Prop.ForAll((from v0 in Generators.WalkValues(Walk)
                     from walk in Generators.Walk(Walk)
                     from alpha in Generators.Between(0, 1)
                     select (v0, walk, alpha)).ToArbitrary(), c =>
        {
            var steps = c.walk.Steps;
            var returns = Returns.DiscountedFromEachStep(steps.Select(s => s.Reward).ToArray(), 1.0);
            var expected = c.v0;
            for (var t = 0; t < steps.Length; t++)
                expected = expected.With(steps[t].State, expected[steps[t].State] + c.alpha * (returns[t] - expected[steps[t].State]));
            return TemporalDifference.NStepEpisode(c.v0, c.walk, c.alpha, 1.0, steps.Length).Equals(expected);
        });

    [Property(MaxTest = 100)]
    public Property With_alpha_zero_nothing_changes() =>
        Prop.ForAll((from v in Generators.WalkValues(Walk)
                     from walks in Generators.Walks(Walk, 3)
                     from lambda in Generators.Between(0, 1)
                     select (v, walks, lambda)).ToArbitrary(), c =>
        {
            var (v, walks, lambda) = c;
            var walk = walks[0];
            return TemporalDifference.TdZeroEpisode(v, walk, 0.0, 1.0).Equals(v)
                && TemporalDifference.TdLambdaEpisode(v, walk, 0.0, 1.0, lambda, TraceKind.Accumulating).Equals(v)
                && TemporalDifference.TdLambdaEpisode(v, walk, 0.0, 1.0, lambda, TraceKind.Replacing).Equals(v)
                && TemporalDifference.TdLambdaOffline(v, walk, 0.0, 1.0, lambda, TraceKind.Accumulating).Equals(v)
                && TemporalDifference.Batch(v, walks, 0.0, 1.0, lambda, TraceKind.Accumulating).Equals(v)
                && TemporalDifference.MonteCarlo(v, walk, 0.0, 1.0, MonteCarloVisits.First).Equals(v)
                && TemporalDifference.MonteCarlo(v, walk, 0.0, 1.0, MonteCarloVisits.Every).Equals(v);
        });

    [Property(MaxTest = 200)]
    public Property TD0s_fixed_point_is_the_certainty_equivalence_values() =>
        Invariants.TdZeroFixedPointIsCertaintyEquivalence(TemporalDifference.TdZero);

    /// <summary>A batch of one transition is one TD(0) step with V held fixed; so batch TD(0) shares the fixed point.</summary>
    [Property(MaxTest = 100)]
    public Property Batch_TD0s_fixed_point_is_the_certainty_equivalence_values() =>
        Invariants.TdZeroFixedPointIsCertaintyEquivalence((v, t, alpha, gamma) =>
            TemporalDifference.Batch(v, [new Trajectory<int, int>([t])], alpha, gamma, 0.0, TraceKind.Accumulating));

    [Fact]
    public void Certainty_equivalence_of_one_walk_by_hand()
    {
        // One walk C→D→E→+1: every observed exit goes right, so each visited state predicts 1.
        var v = TemporalDifference.CertaintyEquivalence([TestWalks.CToRight], TestWalks.Walk.StateCount, 1.0);
        Assert.Equal([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0], v.Values.Select(x => Math.Round(x, 12)));
    }

    [Property(MaxTest = 100)]
    public Property Online_TD_lambda_matches_a_naive_loop() =>
        Prop.ForAll(Generators.Walk(Walk).ToArbitrary(), Generators.Between(0, 1).ToArbitrary(), (walk, lambda) =>
    {
        var v = new double[7];
        for (var s = 1; s <= 5; s++) v[s] = 0.5;
        var e = new double[7];
        foreach (var t in walk.Steps)
        {
            var delta = t.Reward + (t.Last ? 0.0 : v[t.Next]) - v[t.State];
            for (var s = 0; s < 7; s++) e[s] *= lambda;
            e[t.State] += 1;
            for (var s = 0; s < 7; s++) v[s] += 0.1 * delta * e[s];
        }
        var fold = TemporalDifference.TdLambdaEpisode(TestWalks.Walk.InitialValues(0.5), walk, 0.1, 1.0, lambda, TraceKind.Accumulating);
        return fold.ApproximatelyEquals(new VTable(ImmutableArray.Create(v)), 1e-12);
    });
}

public class TdLambdaExplained
{
    private static readonly RandomWalk Walk = TestWalks.Walk;

    [Property(MaxTest = 200)]
    public Property Explained_new_values_are_bit_for_bit_the_updates() =>
        Prop.ForAll((from values in Generators.WalkValues(Walk)
                     from trace in Generators.WalkValues(Walk, 0, 3)
                     from walk in Generators.Walk(Walk)
                     from alpha in Generators.Between(0, 1)
                     from gamma in Generators.Between(0, 1)
                     from lambda in Generators.Between(0, 1)
                     from kind in Gen.Elements(TraceKind.Accumulating, TraceKind.Replacing)
                     select (values, trace, walk, alpha, gamma, lambda, kind)).ToArbitrary(), c =>
        {
            var (alpha, gamma, lambda, kind) = (c.alpha, c.gamma, c.lambda, c.kind);
            var m = new TdLambdaState(c.values, new EligibilityTrace(c.trace.Values));
            foreach (var t in c.walk.Steps)
            {
                var terms = TemporalDifference.ExplainLambda(m, t, alpha, gamma, lambda, kind);
                var next = TemporalDifference.TdLambda(m, t, alpha, gamma, lambda, kind);
                if (!terms.ValuesAfter.SequenceEqual(next.Values.Values) || !terms.TraceAfter.SequenceEqual(next.Trace.Values)) return false;
                if (!terms.TraceBefore.SequenceEqual(m.Trace.Values) || !terms.ValuesBefore.SequenceEqual(m.Values.Values)) return false;
                if (terms.TdError != terms.Reward + terms.Gamma * terms.Discount * terms.NextValue - terms.Value) return false;
                for (var s = 0; s < terms.Changes.Length; s++)
                    if (terms.Changes[s] != terms.Alpha * terms.TdError * terms.TraceAfter[s]
                        || terms.ValuesAfter[s] != terms.ValuesBefore[s] + terms.Changes[s]) return false;
                m = next;
            }
            return true;
        });

    [Property(MaxTest = 100)]
    public Property An_explained_episode_ends_where_the_fold_ends() =>
        Prop.ForAll((from v in Generators.WalkValues(Walk)
                     from walk in Generators.Walk(Walk)
                     from lambda in Generators.Between(0, 1)
                     select (v, walk, lambda)).ToArbitrary(), c =>
        {
            var (v, walk, lambda) = c;
            var terms = TemporalDifference.ExplainLambdaEpisode(v, walk, 0.1, 1.0, lambda, TraceKind.Accumulating);
            var fold = TemporalDifference.TdLambdaEpisode(v, walk, 0.1, 1.0, lambda, TraceKind.Accumulating);
            return terms.Length == walk.Length && terms[^1].ValuesAfter.SequenceEqual(fold.Values)
                && terms.Skip(1).Zip(terms).All(p => p.First.ValuesBefore.SequenceEqual(p.Second.ValuesAfter));
        });

    [Fact]
    public void The_last_step_of_C_D_E_plus1_with_lambda_half_by_hand()
    {
        // After C → D (δ = 0) and D → E (δ = 0) the traces are e(C) = 0.5, e(D) = 1, e(E) = 0 before the last step.
        // E → +1: δ = 1 + 1·0·0 − 0.5 = 0.5; e ← 0.5·e, then e(E) + 1: C 0.25, D 0.5, E 1; ΔV = 0.1·0.5·e.
        var terms = TemporalDifference.ExplainLambdaEpisode(TestWalks.Walk.InitialValues(0.5), TestWalks.CToRight,
            0.1, 1.0, 0.5, TraceKind.Accumulating)[^1];
        Assert.Equal((5, 6, 1.0, 0.0, 0.5, 0.0, 0.5), (terms.State, terms.Next, terms.Reward, terms.Discount, terms.Value, terms.NextValue, terms.TdError));
        Assert.Equal([0.0, 0.0, 0.0, 0.5, 1.0, 0.0, 0.0], terms.TraceBefore.ToArray());
        Assert.Equal([0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 0.0], terms.TraceAfter.ToArray());
        Assert.Equal([0.0, 0.0, 0.0, 0.0125, 0.025, 0.05, 0.0], terms.Changes.ToArray());
        Assert.Equal([0.0, 0.5, 0.5, 0.5125, 0.525, 0.55, 0.0], terms.ValuesAfter.ToArray());
        Assert.Equal([3, 4, 5], terms.Changed.ToArray());
    }
}

public class Lesson03Regime
{
    [Fact]
    public void Seed_42_lands_where_the_spec_says()
    {
        var key = Key.FromSeed(42);
        var td = RandomWalkPrediction.Train(PredictionMethod.TdZero, new PredictionConfig(), key);
        var mc = RandomWalkPrediction.Train(PredictionMethod.MonteCarloFirstVisit, new PredictionConfig(), key);
        Assert.Equal(td.Walks.SelectMany(w => w.Steps), mc.Walks.SelectMany(w => w.Steps)); // same key, same experience
        Assert.InRange(td.RmsAfterEpisode[^1], 0.02, 0.15); // one seed is noisy; the averaged test below pins the level
        Assert.InRange(mc.RmsAfterEpisode[^1], 0.02, 0.3);
    }

    [Fact]
    public void Averaged_over_seeds_TD0_beats_MC_early_and_late()
    {
        var keys = Key.FromSeed(2024).Split(200);
        double td = 0, mc = 0, tdEarly = 0, mcEarly = 0;
        foreach (var key in keys)
        {
            var a = RandomWalkPrediction.Train(PredictionMethod.TdZero, new PredictionConfig(), key);
            var b = RandomWalkPrediction.Train(PredictionMethod.MonteCarloFirstVisit, new PredictionConfig(), key);
            td += a.RmsAfterEpisode[^1] / keys.Length;
            mc += b.RmsAfterEpisode[^1] / keys.Length;
            tdEarly += a.RmsAfterEpisode[9] / keys.Length;
            mcEarly += b.RmsAfterEpisode[9] / keys.Length;
        }
        // The spec's 0.1 / 0.15 are one seed of the Python original; averaged over seeds the final errors are
        // lower (Sutton & Barto 2018, Example 6.2: TD(0) with α = 0.1 levels off near 0.06).
        Assert.InRange(td, 0.04, 0.08);
        Assert.InRange(mc, 0.07, 0.12);
        Assert.True(td < mc);
        Assert.True(tdEarly < mcEarly, $"TD(0) should learn faster early: {tdEarly} vs {mcEarly}");
    }
}
