using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Testing;

/// <summary>Every invariant of the kit can fail: fed a function with a typical mistake, its property fails and says where,
/// with the equation, the numbers compared and the tolerance.</summary>
public class InvariantsCatchBrokenTests
{
    /// <summary>Checks <paramref name="property"/> and returns FsCheck's failure message; fails the test if it held.</summary>
    private static string FailureOf(Property property, int maxTest = 200)
    {
        var failure = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(maxTest), property));
        return failure.Message;
    }

    [Fact]
    public void A_backup_that_sums_the_actions_instead_of_taking_the_max_is_no_contraction()
    {
        static ImmutableArray<double> SumOfActions(IKnownModel model, ImmutableArray<double> values, double gamma)
        {
            var next = new double[model.StateCount];
            for (var s = 0; s < next.Length; s++)
                if (!model.IsTerminal(s))
                    for (var a = 0; a < model.ActionCount; a++) next[s] += Bellman.ActionValue(model, values, s, a, gamma);
            return next.Freeze();
        }
        var message = FailureOf(Invariants.BellmanContraction(SumOfActions));
        Assert.Contains("‖T V − T U‖∞ ≤ γ ‖V − U‖∞ fails at state", message);
        Assert.Contains("tolerance 1E-12", message);
    }

    [Fact]
    public void A_solver_that_stops_at_a_thousand_times_theta_misses_the_optimality_equation()
    {
        var message = FailureOf(Invariants.ValueIterationSatisfiesOptimality((model, config) =>
            Bellman.ValueIteration(model, config with { Theta = 1000 * config.Theta })));
        Assert.Contains("|(T* V)(s) − V(s)| ≤ γθ fails at state", message);
        Assert.Contains("(T* V)(", message);
    }

    [Fact]
    public void An_offline_TD_lambda_that_never_decays_its_trace_is_not_Monte_Carlo()
    {
        static VTable NoDecay(VTable v, Trajectory<int, int> episode, double alpha, double gamma, double lambda, TraceKind kind)
        {
            var increments = new double[v.StateCount];
            var trace = new double[v.StateCount];
            foreach (var t in episode.Steps)
            {
                var tdError = t.Reward + gamma * t.Discount * v[t.Next] - v[t.State];
                trace[t.State] += 1.0; // forgot e ← γλ·e
                for (var s = 0; s < trace.Length; s++) increments[s] += alpha * tdError * trace[s];
            }
            return v.Add(increments);
        }
        var message = FailureOf(Invariants.OfflineTdOneEqualsMonteCarlo(NoDecay));
        Assert.Contains("TD(1) offline = every-visit Monte Carlo fails at state", message);
        Assert.Contains("MC = ", message);
    }

    [Fact]
    public void A_TD0_that_forgets_gamma_has_another_fixed_point()
    {
        var message = FailureOf(Invariants.TdZeroFixedPointIsCertaintyEquivalence((v, t, alpha, _) => TemporalDifference.TdZero(v, t, alpha, 1.0)));
        Assert.Contains("Σ_t [TD0(V_CE, t) − V_CE](s) = 0 fails at state", message);
        Assert.Contains("V_CE(", message);
    }

    [Fact]
    public void A_GAE_with_gamma_and_lambda_swapped_is_neither_TD_error_nor_Monte_Carlo()
    {
        var message = FailureOf(Invariants.GaeReducesToTdErrorAndMonteCarlo((r, v, c, gamma, lambda) => Gae.Advantages(r, v, c, lambda, gamma)));
        Assert.Contains("GAE(λ = ", message);
        Assert.Contains("fails at step", message);
    }

    [Fact]
    public void A_run_that_draws_from_a_hidden_counter_gives_another_result_for_the_same_key()
    {
        var calls = 0;
        var message = FailureOf(Invariants.SameKeySameResult(key => key.NextDouble().Value + calls++));
        Assert.Contains("run(k) = run(k) fails for key", message);
    }

    [Fact]
    public void A_fold_that_ignores_its_key_for_a_shared_one_gives_another_model_for_the_same_key()
    {
        var shared = Key.FromSeed(1);
        Draw<QTable> Step(QTable q, Transition<int, int> t, Key key)
        {
            (var next, shared) = shared.NextInt(q.ActionCount); // the hidden generator, not the key handed in
            return new Draw<QTable>(TdControl.SarsaUpdate(q, t, next, 0.5, 0.9), key);
        }
        var mdp = RandomMdp.Create(4, 3, 7);
        var message = FailureOf(Invariants.SameKeySameResult(Step, QTable.Filled(4, 3, 0.0), Generators.Transitions(mdp, 20),
            same: (a, b) => a.Equals(b)));
        Assert.Contains("run(k) = run(k) fails for key", message);
        Assert.Contains("first Q[s0: ", message); // the tables' numbers, readable
    }
}
