using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;

namespace Policywerk.Pure.Agents;

using Policywerk.Pure.Numerics;

/// <summary>Which visits of a state a Monte Carlo update counts.</summary>
public enum MonteCarloVisits
{
    /// <summary>Only the first visit of each state in an episode (the Python original's choice).</summary>
    First,

    /// <summary>Every visit: the offline TD(1) with accumulating traces equals this one (γ = 1).</summary>
    Every,
}

/// <summary>Online TD(λ)'s model: the values and the eligibility traces of the episode under way.</summary>
public sealed record TdLambdaState(VTable Values, EligibilityTrace Trace)
{
    /// <summary>The values with all traces cleared, ready for a new episode.</summary>
    public static TdLambdaState Start(VTable values) => new(values, EligibilityTrace.Zeros(values.StateCount));
}

/// <summary>
/// Learning to predict, Sutton (1988): V(s) of a fixed policy from experience. TD(0) and TD(λ) learn
/// online, after every step; Monte Carlo and the offline TD(λ) hold V fixed through an episode and apply the
/// summed increments at its end (the paper's equation 1); <see cref="Batch"/> holds V fixed through a whole
/// training set. Terminal transitions carry a continuation c = 0, so no update branches on "done".
/// </summary>
public static class TemporalDifference
{
    /// <summary>
    /// V(s) ← V(s) + α [r + γ·c·V(s') − V(s)]   (TD(0); c = 0 at the end of an episode)
    /// </summary>
    public static VTable TdZero(VTable v, Transition<int, int> t, double alpha, double gamma)
    {
        var tdError = t.Reward + gamma * t.Discount * v[t.Next] - v[t.State];
        return v.With(t.State, v[t.State] + alpha * tdError);
    }

    /// <summary>
    /// δ = r + γ·c·V(s') − V(s);  e ← γλ·e, then e(s) ← e(s) + 1 (accumulating) or 1 (replacing);  V ← V + α·δ·e
    /// </summary>
    public static TdLambdaState TdLambda(TdLambdaState m, Transition<int, int> t,
        double alpha, double gamma, double lambda, TraceKind kind)
    {
        var v = m.Values;
        var tdError = t.Reward + gamma * t.Discount * v[t.Next] - v[t.State];
        var trace = m.Trace.DecayThenVisit(gamma * lambda, kind, t.State);
        return new TdLambdaState(v.Add(trace.Values.AsSpan(), alpha * tdError), trace);
    }

    /// <summary>
    /// <see cref="TdLambda"/> with its terms named (<see cref="LambdaTerms"/>): δ = r + γ·c·V(s′) − V(s), the trace step
    /// e ← γλ·e then visit s, and V(s) + (α·δ)·e(s) for every state — the same operations in the same order, so the same bits.
    /// </summary>
    public static LambdaTerms ExplainLambda(TdLambdaState m, Transition<int, int> t,
        double alpha, double gamma, double lambda, TraceKind kind)
    {
        var v = m.Values;
        var tdError = t.Reward + gamma * t.Discount * v[t.Next] - v[t.State];
        var trace = m.Trace.DecayThenVisit(gamma * lambda, kind, t.State);
        var step = alpha * tdError;
        var changes = new double[v.StateCount];
        var after = new double[v.StateCount];
        for (var s = 0; s < changes.Length; s++)
        {
            changes[s] = step * trace.Values[s];
            after[s] = v[s] + changes[s];
        }
        return new LambdaTerms(t.State, t.Reward, t.Discount, t.Next, alpha, gamma, lambda, kind, v[t.State], v[t.Next],
            tdError, m.Trace.Values, trace.Values, changes.Freeze(), v.Values, after.Freeze());
    }

    /// <summary>
    /// Every step of <see cref="TdLambdaEpisode"/> explained (<see cref="ExplainLambda"/>), traces starting at 0: the
    /// last step's <see cref="LambdaTerms.ValuesAfter"/> are the episode's result.
    /// </summary>
    public static ImmutableArray<LambdaTerms> ExplainLambdaEpisode(VTable v, Trajectory<int, int> episode,
        double alpha, double gamma, double lambda, TraceKind kind)
    {
        var m = TdLambdaState.Start(v);
        var terms = ImmutableArray.CreateBuilder<LambdaTerms>(episode.Steps.Length);
        foreach (var t in episode.Steps)
        {
            terms.Add(ExplainLambda(m, t, alpha, gamma, lambda, kind));
            m = TdLambda(m, t, alpha, gamma, lambda, kind);
        }
        return terms.MoveToImmutable();
    }

    /// <summary>TD(0) folded over one episode, step by step.</summary>
    public static VTable TdZeroEpisode(VTable v, Trajectory<int, int> episode, double alpha, double gamma)
    {
        foreach (var t in episode.Steps) v = TdZero(v, t, alpha, gamma);
        return v;
    }

    /// <summary>
    /// V(s_t) ← V(s_t) + α [G^(n)_t − V(s_t)] for t = 0, 1, …, T−1 in turn   (n-step TD, Sutton &amp; Barto §7.1; G^(n)_t is
    /// <see cref="Returns.NStepFrom"/> with V as it stands when step t's update is made, so an update can bootstrap
    /// from a value an earlier update of the same episode changed, as the online algorithm does once s_{t+n} is seen).
    /// n = 1 is <see cref="TdZeroEpisode"/>.
    /// </summary>
    public static VTable NStepEpisode(VTable v, Trajectory<int, int> episode, double alpha, double gamma, int n)
    {
        var steps = episode.Steps;
        var rewards = new double[steps.Length];
        var continuations = new double[steps.Length];
        for (var t = 0; t < steps.Length; t++) (rewards[t], continuations[t]) = (steps[t].Reward, steps[t].Discount);
        var nextValues = new double[steps.Length];
        for (var t = 0; t < steps.Length; t++)
        {
            var last = Math.Min(steps.Length, t + n);
            nextValues[last - 1] = v[steps[last - 1].Next]; // V(s_{t+n}) as it stands: the only value G^(n)_t reads
            var target = Returns.NStepFrom(rewards, nextValues, continuations, gamma, n, t);
            var s = steps[t].State;
            v = v.With(s, v[s] + alpha * (target - v[s]));
        }
        return v;
    }

    /// <summary>Online TD(λ) folded over one episode, traces starting at 0.</summary>
    public static VTable TdLambdaEpisode(VTable v, Trajectory<int, int> episode,
        double alpha, double gamma, double lambda, TraceKind kind)
    {
        var m = TdLambdaState.Start(v);
        foreach (var t in episode.Steps) m = TdLambda(m, t, alpha, gamma, lambda, kind);
        return m.Values;
    }

    /// <summary>
    /// V(s) ← V(s) + α Σ_{t: s_t = s} [G_t − V(s)],  G_t = r_{t+1} + γ G_{t+1}   (constant-α Monte Carlo,
    /// applied at the end of the episode with V held fixed; first-visit counts only the first t for each s)
    /// </summary>
    public static VTable MonteCarlo(VTable v, Trajectory<int, int> episode, double alpha, double gamma, MonteCarloVisits visits)
    {
        var steps = episode.Steps;
        var returns = new double[steps.Length];
        var g = 0.0;
        for (var t = steps.Length - 1; t >= 0; t--) returns[t] = g = steps[t].Reward + gamma * g;

        var increments = new double[v.StateCount];
        var seen = new bool[v.StateCount];
        for (var t = 0; t < steps.Length; t++)
        {
            var s = steps[t].State;
            if (visits == MonteCarloVisits.First && seen[s]) continue;
            seen[s] = true;
            increments[s] += returns[t] - v[s];
        }
        return v.Add(increments, alpha);
    }

    /// <summary>
    /// Δw = α Σ_t δ_t e_t,  δ_t = r_{t+1} + γ c V(s_{t+1}) − V(s_t),  e_t = γλ e_{t−1} + ∇V(s_t)   with V held fixed
    /// over the episode: Sutton (1988) equation 4 summed as in equation 1 (one-hot features, so ∇V(s_t) is the
    /// unit vector of s_t; a replacing trace sets e_t(s_t) = 1 instead of adding 1).
    /// </summary>
    public static ImmutableArray<double> OfflineIncrements(VTable v, Trajectory<int, int> episode,
        double alpha, double gamma, double lambda, TraceKind kind)
    {
        var increments = new double[v.StateCount];
        var trace = new double[v.StateCount];
        AccumulateOffline(v.Values.AsSpan(), episode, gamma, lambda, kind, increments, trace);
        for (var s = 0; s < increments.Length; s++) increments[s] *= alpha;
        return increments.Freeze();
    }

    /// <summary>V ← V + Δw of <see cref="OfflineIncrements"/>: offline TD(λ), weights updated after the episode.</summary>
    public static VTable TdLambdaOffline(VTable v, Trajectory<int, int> episode,
        double alpha, double gamma, double lambda, TraceKind kind) =>
        v.Add(OfflineIncrements(v, episode, alpha, gamma, lambda, kind).AsSpan());

    /// <summary>
    /// V ← V + α Σ_{episodes} Σ_t δ_t e_t with V held fixed over the whole set: one presentation of a training
    /// set under Sutton (1988)'s repeated-presentations paradigm (Figure 3, Theorem 3).
    /// </summary>
    public static VTable Batch(VTable v, ImmutableArray<Trajectory<int, int>> episodes,
        double alpha, double gamma, double lambda, TraceKind kind)
    {
        var increments = new double[v.StateCount];
        var trace = new double[v.StateCount];
        var values = v.Values.AsSpan();
        foreach (var episode in episodes) AccumulateOffline(values, episode, gamma, lambda, kind, increments, trace);
        return v.Add(increments, alpha);
    }

    /// <summary>Σ_t δ_t e_t for one episode, added into <paramref name="increments"/> (V fixed; traces start at 0).</summary>
    private static void AccumulateOffline(ReadOnlySpan<double> v, Trajectory<int, int> episode,
        double gamma, double lambda, TraceKind kind, Span<double> increments, Span<double> trace)
    {
        trace.Clear();
        var gammaLambda = gamma * lambda;
        foreach (var t in episode.Steps)
        {
            var tdError = t.Reward + gamma * t.Discount * v[t.Next] - v[t.State];
            for (var s = 0; s < trace.Length; s++) trace[s] *= gammaLambda;
            trace[t.State] = kind == TraceKind.Accumulating ? trace[t.State] + 1.0 : 1.0;
            for (var s = 0; s < trace.Length; s++) increments[s] += tdError * trace[s];
        }
    }

    /// <summary>
    /// The certainty-equivalence (maximum-likelihood) values of a set of episodes, Sutton (1988) eq. 8:
    /// V = (I − γ P̂)⁻¹ R̂, where P̂(s'|s) is the observed fraction of exits from s into non-terminal s', and
    /// R̂(s) the observed mean reward on leaving s. States never left keep value 0. Batch TD(0) converges here.
    /// </summary>
    public static VTable CertaintyEquivalence(ImmutableArray<Trajectory<int, int>> episodes, int stateCount, double gamma)
    {
        var exits = new double[stateCount];
        var counts = new double[stateCount, stateCount];
        var rewards = new double[stateCount];
        foreach (var episode in episodes)
            foreach (var t in episode.Steps)
            {
                exits[t.State] += 1.0;
                rewards[t.State] += t.Reward;
                if (!t.Terminal) counts[t.State, t.Next] += 1.0;
            }

        // Solve (I − γ P̂) V = R̂ by Gaussian elimination with partial pivoting (n is tiny).
        var n = stateCount;
        var a = new double[n, n + 1];
        for (var i = 0; i < n; i++)
        {
            a[i, i] = 1.0;
            if (exits[i] == 0.0) continue;
            for (var j = 0; j < n; j++) a[i, j] -= gamma * counts[i, j] / exits[i];
            a[i, n] = rewards[i] / exits[i];
        }
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            for (var k = 0; k <= n; k++) (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
            for (var r = 0; r < n; r++)
            {
                if (r == col || a[r, col] == 0.0) continue;
                var factor = a[r, col] / a[col, col];
                for (var k = col; k <= n; k++) a[r, k] -= factor * a[col, k];
            }
        }
        var v = new double[n];
        for (var i = 0; i < n; i++) v[i] = a[i, n] / a[i, i];
        return new VTable(v.Freeze());
    }

    /// <summary>√( (1/|S|) Σ_{s ∈ S} (V(s) − v_π(s))² ) over the given states.</summary>
    public static double RmsError(VTable v, ImmutableArray<double> trueValues, ImmutableArray<int> states)
    {
        var sum = 0.0;
        foreach (var s in states)
        {
            var diff = v[s] - trueValues[s];
            sum += diff * diff;
        }
        return Math.Sqrt(sum / states.Length);
    }
}

/// <summary>
/// One online TD(λ) step (<see cref="TemporalDifference.TdLambda"/>) with its terms named: in state s the walk received r
/// and reached s′ with continuation c (0 at the end); the TD error δ = r + γ·c·V(s′) − V(s); the traces before the step
/// and after it (e ← γλ·e, then e(s) ← e(s) + 1 accumulating or 1 replacing); each state's change (α·δ)·e(s); and the
/// values before and after. Every array has one entry per state, terminals included.
/// </summary>
public sealed record LambdaTerms(int State, double Reward, double Discount, int Next, double Alpha, double Gamma,
    double Lambda, TraceKind Kind, double Value, double NextValue, double TdError,
    ImmutableArray<double> TraceBefore, ImmutableArray<double> TraceAfter, ImmutableArray<double> Changes,
    ImmutableArray<double> ValuesBefore, ImmutableArray<double> ValuesAfter)
{
    /// <summary>The states whose value the step moves (a nonzero trace after the step), in order.</summary>
    public ImmutableArray<int> Changed => [.. Enumerable.Range(0, TraceAfter.Length).Where(s => TraceAfter[s] != 0.0)];
}
