using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

/// <summary>Dynamic programming settings: discount γ, stopping threshold θ and a safety cap on sweeps.</summary>
/// <param name="Gamma">Discount factor γ ∈ [0, 1).</param>
/// <param name="Theta">Stop when max_s |V_{k+1}(s) − V_k(s)| &lt; θ.</param>
/// <param name="MaxSweeps">Give up (unconverged) after this many sweeps; also caps policy-iteration cycles.</param>
public sealed record BellmanConfig(double Gamma = 0.9, double Theta = 0.001, int MaxSweeps = 10_000)
{
    /// <summary>Every field a learner may set, by its short name.</summary>
    public static readonly IReadOnlyList<Knob<BellmanConfig>> Knobs =
    [
        new("gamma", "γ", "discount: what a reward one step later is worth now (below 1, so that the sweeps converge)", 0.0, 0.9999, false,
            nameof(Gamma), c => c.Gamma, (c, v) => c with { Gamma = v }),
        new("theta", "θ", "stop sweeping when the largest change is below this", 1e-12, 1.0, false, nameof(Theta), c => c.Theta, (c, v) => c with { Theta = v }),
        new("max_sweeps", "max sweeps", "a cap on the sweeps", 1, 1_000_000, true, nameof(MaxSweeps), c => c.MaxSweeps, (c, v) => c with { MaxSweeps = (int)v }),
    ];
}

/// <summary>One synchronous sweep: the values it produced and the largest change it made.</summary>
public sealed record Sweep(int Number, ImmutableArray<double> Values, double MaxChange);

/// <summary>Value iteration's whole history, sweep by sweep.</summary>
public sealed record ValueIterationResult(ImmutableArray<Sweep> Sweeps, ImmutableArray<double> Values,
                                          ImmutableArray<int> Policy, bool Converged);

/// <summary>Iterative policy evaluation's history for one policy.</summary>
public sealed record Evaluation(ImmutableArray<Sweep> Sweeps, ImmutableArray<double> Values, bool Converged);

/// <summary>One evaluate-then-improve cycle of policy iteration: the policy evaluated, its values,
/// how many evaluation sweeps it took, and the improved policy with the number of states it changed.</summary>
public sealed record PolicyCycle(int Number, ImmutableArray<int> Policy, Evaluation Evaluation,
                                 ImmutableArray<int> Improved, int Changes);

/// <summary>Policy iteration's whole history, cycle by cycle.</summary>
public sealed record PolicyIterationResult(ImmutableArray<PolicyCycle> Cycles, ImmutableArray<double> Values,
                                           ImmutableArray<int> Policy, bool Converged);

/// <summary>
/// Bellman 1957: value iteration and policy iteration on a known finite MDP. Terminal states are
/// absorbing with value 0 and are never backed up.
/// </summary>
public static class Bellman
{
    /// <summary>Two action values closer than this count as tied; ties go to the lowest action index
    /// (N before E before S before W), so the printed policy is stable under rounding.</summary>
    public const double TieTolerance = 1e-9;

    /// <summary>Q(s,a) = Σ_{s'} P(s'|s,a) [R(s,a,s') + γ V(s')]</summary>
    public static double ActionValue(IKnownModel model, ImmutableArray<double> values, int state, int action, double gamma) =>
        ActionValue(model, values.AsSpan(), state, action, gamma);

    /// <summary>Q(s,a) = Σ_{s'} P(s'|s,a) [R(s,a,s') + γ V(s')] over values held in a span.</summary>
    public static double ActionValue(IKnownModel model, ReadOnlySpan<double> values, int state, int action, double gamma)
    {
        var q = 0.0;
        foreach (var (next, probability, reward) in model.Outcomes(state, action))
            q += probability * (reward + gamma * values[next]);
        return q;
    }

    /// <summary>(T*V)(s) = max_a Σ_{s'} P(s'|s,a) [R(s,a,s') + γ V(s')], and 0 at terminal states.
    /// The Bellman optimality operator, applied synchronously: every state reads the old V.</summary>
    public static ImmutableArray<double> OptimalityBackup(IKnownModel model, ImmutableArray<double> values, double gamma)
    {
        var next = new double[model.StateCount];
        for (var s = 0; s < next.Length; s++)
        {
            if (model.IsTerminal(s)) continue;
            var best = double.NegativeInfinity;
            for (var a = 0; a < model.ActionCount; a++)
                best = Math.Max(best, ActionValue(model, values, s, a, gamma));
            next[s] = best;
        }
        return next.Freeze();
    }

    /// <summary>(T^π V)(s) = Σ_{s'} P(s'|s,π(s)) [R(s,π(s),s') + γ V(s')], and 0 at terminal states.</summary>
    public static ImmutableArray<double> PolicyBackup(IKnownModel model, ImmutableArray<int> policy,
                                                      ImmutableArray<double> values, double gamma)
    {
        var next = new double[model.StateCount];
        for (var s = 0; s < next.Length; s++)
            if (!model.IsTerminal(s)) next[s] = ActionValue(model, values, s, policy[s], gamma);
        return next.Freeze();
    }

    /// <summary>V′(s) = Σ_{s'} P(s'|s,π(s)) [R(s,π(s),s') + γ Ṽ(s')] for s = 0, 1, … in turn, where Ṽ(s') is V′(s')
    /// for the states s' &lt; s already updated in this sweep and V(s') for the rest (Gauss–Seidel; Sutton &amp; Barto
    /// §4.1's in-place evaluation). The sweep works on its own copy of V and freezes it once, at the end.</summary>
    public static ImmutableArray<double> PolicyBackupGaussSeidel(IKnownModel model, ImmutableArray<int> policy,
                                                                 ImmutableArray<double> values, double gamma)
    {
        var sweep = values.ToArray(); // Ṽ: V′ below s, V from s on
        for (var s = 0; s < sweep.Length; s++)
            if (!model.IsTerminal(s)) sweep[s] = ActionValue(model, sweep, s, policy[s], gamma);
        return sweep.Freeze();
    }

    /// <summary>‖V − U‖_∞ = max_s |V(s) − U(s)|</summary>
    public static double MaxNormDistance(ImmutableArray<double> v, ImmutableArray<double> u)
    {
        var max = 0.0;
        for (var s = 0; s < v.Length; s++) max = Math.Max(max, Math.Abs(v[s] - u[s]));
        return max;
    }

    /// <summary>V_{k+1} = T* V_k from V_0 = 0, until max_s |V_{k+1}(s) − V_k(s)| &lt; θ; then π(s) = argmax_a Q(s,a).
    /// Returns every sweep.</summary>
    public static ValueIterationResult ValueIteration(IKnownModel model, BellmanConfig config)
    {
        var values = Immutable.Filled(model.StateCount, 0.0);
        var sweeps = ImmutableArray.CreateBuilder<Sweep>();
        var converged = false;
        while (!converged && sweeps.Count < config.MaxSweeps)
        {
            var next = OptimalityBackup(model, values, config.Gamma);
            var change = MaxNormDistance(next, values);
            sweeps.Add(new Sweep(sweeps.Count + 1, next, change));
            values = next;
            converged = change < config.Theta;
        }
        return new ValueIterationResult(sweeps.ToImmutable(), values, GreedyPolicy(model, values, config.Gamma), converged);
    }

    /// <summary>π(s) = argmax_a Σ_{s'} P(s'|s,a) [R(s,a,s') + γ V(s')]; ties (within <see cref="TieTolerance"/>)
    /// go to the lowest action index; terminal states get action 0.</summary>
    public static ImmutableArray<int> GreedyPolicy(IKnownModel model, ImmutableArray<double> values, double gamma)
    {
        var policy = new int[model.StateCount];
        for (var s = 0; s < policy.Length; s++)
            if (!model.IsTerminal(s)) policy[s] = GreedyAction(model, values, s, gamma);
        return policy.Freeze();
    }

    /// <summary>argmax_a Q(s,a), the lowest index among near-ties.</summary>
    public static int GreedyAction(IKnownModel model, ImmutableArray<double> values, int state, double gamma)
    {
        Span<double> q = stackalloc double[model.ActionCount];
        for (var a = 0; a < q.Length; a++) q[a] = ActionValue(model, values, state, a, gamma);
        return Arg.Max(q, TieTolerance);
    }

    /// <summary>V_{k+1} = T^π V_k from <paramref name="start"/>, until max_s |V_{k+1}(s) − V_k(s)| &lt; θ.</summary>
    public static Evaluation EvaluatePolicy(IKnownModel model, ImmutableArray<int> policy,
                                            ImmutableArray<double> start, BellmanConfig config)
    {
        var values = start;
        var sweeps = ImmutableArray.CreateBuilder<Sweep>();
        var converged = false;
        while (!converged && sweeps.Count < config.MaxSweeps)
        {
            var next = PolicyBackupGaussSeidel(model, policy, values, config.Gamma);
            var change = MaxNormDistance(next, values);
            sweeps.Add(new Sweep(sweeps.Count + 1, next, change));
            values = next;
            converged = change < config.Theta;
        }
        return new Evaluation(sweeps.ToImmutable(), values, converged);
    }

    /// <summary>π'(s) = argmax_a Q^π(s,a), keeping π(s) where it is already among the best (so a policy
    /// that is greedy for its own values is a fixed point and iteration stops).</summary>
    public static ImmutableArray<int> ImprovePolicy(IKnownModel model, ImmutableArray<int> policy,
                                                    ImmutableArray<double> values, double gamma)
    {
        var improved = new int[model.StateCount];
        for (var s = 0; s < improved.Length; s++)
        {
            if (model.IsTerminal(s)) continue;
            improved[s] = GreedyAction(model, values, s, gamma);
        }
        return improved.Freeze();
    }

    /// <summary>π_0 → evaluate V^{π_k} → π_{k+1} = greedy(V^{π_k}) → … until π_{k+1} = π_k.
    /// Each evaluation starts from the previous cycle's values. Returns every cycle.</summary>
    public static PolicyIterationResult PolicyIteration(IKnownModel model, BellmanConfig config,
                                                        ImmutableArray<int>? initialPolicy = null)
    {
        var policy = initialPolicy ?? Immutable.Filled(model.StateCount, 0);
        var values = Immutable.Filled(model.StateCount, 0.0);
        var cycles = ImmutableArray.CreateBuilder<PolicyCycle>();
        var stable = false;
        while (!stable && cycles.Count < config.MaxSweeps)
        {
            var evaluation = EvaluatePolicy(model, policy, values, config);
            var improved = ImprovePolicy(model, policy, evaluation.Values, config.Gamma);
            var changes = 0;
            for (var s = 0; s < improved.Length; s++) if (improved[s] != policy[s]) changes++;
            cycles.Add(new PolicyCycle(cycles.Count + 1, policy, evaluation, improved, changes));
            values = evaluation.Values;
            stable = changes == 0;
            policy = improved;
        }
        return new PolicyIterationResult(cycles.ToImmutable(), values, policy, stable);
    }

    /// <summary>
    /// <see cref="OptimalityBackup"/> of one state with its terms named (<see cref="BackupTerms"/>): each term is
    /// P·(R + γ·V(s′)), summed in the model's order as <see cref="ActionValue(IKnownModel, ReadOnlySpan{double}, int, int, double)"/>
    /// does, and the new value is the same running Math.Max over the actions — the same operations in the same order, so the same bits.
    /// </summary>
    public static BackupTerms ExplainBackup(IKnownModel model, ImmutableArray<double> values, int state, double gamma)
    {
        if (model.IsTerminal(state)) return new BackupTerms(state, gamma, values[state], [], 0, 0.0);
        var actions = ImmutableArray.CreateBuilder<ActionTerms>(model.ActionCount);
        var best = double.NegativeInfinity;
        for (var a = 0; a < model.ActionCount; a++)
        {
            var outcomes = ImmutableArray.CreateBuilder<OutcomeTerm>();
            var q = 0.0;
            foreach (var (next, probability, reward) in model.Outcomes(state, a))
            {
                var term = probability * (reward + gamma * values[next]);
                outcomes.Add(new OutcomeTerm(next, probability, reward, values[next], term));
                q += term;
            }
            actions.Add(new ActionTerms(a, outcomes.ToImmutable(), q));
            best = Math.Max(best, q);
        }
        return new BackupTerms(state, gamma, values[state], actions.MoveToImmutable(),
                               GreedyAction(model, values, state, gamma), best);
    }
}

/// <summary>One outcome s′ of taking an action: P(s′|s,a), R(s,a,s′), V(s′) and its term P·(R + γ·V(s′)).</summary>
public sealed record OutcomeTerm(int Next, double Probability, double Reward, double NextValue, double Term);

/// <summary>Q(s,a) = Σ_{s′} P(s′|s,a)[R + γ·V(s′)] with its outcome terms, summed in the model's order.</summary>
public sealed record ActionTerms(int Action, ImmutableArray<OutcomeTerm> Outcomes, double Value);

/// <summary>One Bellman optimality backup of one state with its terms named: every action's expected value,
/// the best action (ties to the lowest index, as <see cref="Bellman.GreedyAction"/>) and the new value max_a Q(s,a).
/// Terminal states have no actions and the new value 0.</summary>
public sealed record BackupTerms(int State, double Gamma, double OldValue, ImmutableArray<ActionTerms> Actions,
                                 int BestAction, double NewValue);
