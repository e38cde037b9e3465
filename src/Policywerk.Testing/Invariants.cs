using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Policywerk.Pure;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Testing;

/// <summary>A Bellman backup of a whole value table, as <see cref="Bellman.OptimalityBackup"/>: (T V)(s) for every s.</summary>
public delegate ImmutableArray<double> Backup(IKnownModel model, ImmutableArray<double> values, double gamma);

/// <summary>A value-iteration solver, as <see cref="Bellman.ValueIteration"/>: sweeps until max_s |V_{k+1}(s) − V_k(s)| &lt; θ.</summary>
public delegate ValueIterationResult Solver(IKnownModel model, BellmanConfig config);

/// <summary>A TD(λ) update over one episode, as <see cref="TemporalDifference.TdLambdaOffline"/>.</summary>
public delegate VTable EpisodeUpdate(VTable values, Trajectory<int, int> episode, double alpha, double gamma, double lambda, TraceKind kind);

/// <summary>A one-step TD(0) update, as <see cref="TemporalDifference.TdZero"/>.</summary>
public delegate VTable TdStep(VTable values, Transition<int, int> transition, double alpha, double gamma);

/// <summary>An advantage estimator over a rollout, as <see cref="Gae.Advantages(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, double, double)"/>:
/// <paramref name="values"/> holds V(s_0) … V(s_T), one more than the rewards; continuations are 0 where a step ended its episode.</summary>
public delegate ImmutableArray<double> AdvantageEstimator(ReadOnlySpan<double> rewards, ReadOnlySpan<double> values,
    ReadOnlySpan<double> continuations, double gamma, double lambda);

/// <summary>A known model and a discount to study it with.</summary>
/// <param name="Model">The model.</param>
/// <param name="Gamma">The discount γ.</param>
internal sealed record DiscountedModel(IKnownModel Model, double Gamma);

/// <summary>
/// Invariants of reinforcement learning that any implementation must keep, each a check of the <em>user's</em> function
/// over generated cases (<see cref="Generators"/>). Each returns an FsCheck <see cref="Property"/>: run it with
/// <c>Check.QuickThrowOnFailure(property)</c>, <c>Check.One(config, property)</c>, or return it from an FsCheck.Xunit
/// <c>[Property]</c> test. A failing case is labelled with the equation, the state or step, the two numbers compared and
/// the tolerance.
/// </summary>
public static class Invariants
{
    /// <summary>
    /// ‖T V − T U‖∞ ≤ γ ‖V − U‖∞ + ε: the backup is a γ-contraction in the max norm (so it has one fixed point, and
    /// iterating it converges there), for random value tables V and U on every generated model.
    /// </summary>
    /// <param name="backup">The backup under test, e.g. <c>Bellman.OptimalityBackup</c>.</param>
    /// <param name="models">The models to check on; <see cref="Generators.KnownModels"/> if null.</param>
    /// <param name="tolerance">ε, for rounding.</param>
    public static Property BellmanContraction(Backup backup, Gen<IKnownModel>? models = null, double tolerance = 1e-12) =>
        Prop.ForAll((from model in models ?? Generators.KnownModels
                     from gamma in Generators.Between(0.5, 0.99)
                     from v in Generators.Values(model)
                     from u in Generators.Values(model)
                     select new ContractionCase(new DiscountedModel(model, gamma), v, u)).ToArbitrary(), c =>
        {
            var (model, gamma) = (c.Case.Model, c.Case.Gamma);
            var tv = backup(model, c.V, gamma);
            var tu = backup(model, c.U, gamma);
            if (tv.Length != model.StateCount || tu.Length != model.StateCount)
                return Fails($"the backup returned {tv.Length} and {tu.Length} values for {model.StateCount} states");
            var (state, after) = WorstState(tv, tu);
            var before = Bellman.MaxNormDistance(c.V, c.U);
            return Holds(after <= gamma * before + tolerance, () =>
                $"‖T V − T U‖∞ ≤ γ ‖V − U‖∞ fails at state {state}: |(T V)({state}) − (T U)({state})| = {N(after)} > " +
                $"γ·‖V − U‖∞ = {N(gamma)}·{N(before)} = {N(gamma * before)} (tolerance {N(tolerance)}); " +
                $"(T V)({state}) = {N(tv[state])}, (T U)({state}) = {N(tu[state])}");
        });

    /// <summary>
    /// |(T* V)(s) − V(s)| ≤ γθ + ε for every s, where V is the solver's converged result and
    /// (T* V)(s) = max_a Σ_{s'} P(s'|s,a) [R(s,a,s') + γ V(s')] (<see cref="Bellman.OptimalityBackup"/>, 0 at terminals):
    /// stopping when a sweep changed no value by θ leaves V within γθ of satisfying the optimality equation.
    /// </summary>
    /// <param name="solver">The solver under test, e.g. <c>Bellman.ValueIteration</c>.</param>
    /// <param name="models">The models to check on; <see cref="Generators.KnownModels"/> if null.</param>
    /// <param name="theta">The stopping threshold θ handed to the solver.</param>
    /// <param name="tolerance">ε, for rounding.</param>
    public static Property ValueIterationSatisfiesOptimality(Solver solver, Gen<IKnownModel>? models = null,
                                                             double theta = 1e-6, double tolerance = 1e-12) =>
        Prop.ForAll((from model in models ?? Generators.KnownModels
                     from gamma in Generators.Between(0.5, 0.95)
                     select new DiscountedModel(model, gamma)).ToArbitrary(), c =>
        {
            var config = new BellmanConfig(c.Gamma, theta);
            var result = solver(c.Model, config);
            if (!result.Converged) return Fails($"the solver did not converge in {result.Sweeps.Length} sweeps (θ {N(theta)})");
            var v = result.Values;
            if (v.Length != c.Model.StateCount) return Fails($"the solver returned {v.Length} values for {c.Model.StateCount} states");
            var tv = Bellman.OptimalityBackup(c.Model, v, c.Gamma);
            var (state, residual) = WorstState(tv, v);
            return Holds(residual <= c.Gamma * theta + tolerance, () =>
                $"|(T* V)(s) − V(s)| ≤ γθ fails at state {state}: (T* V)({state}) = {N(tv[state])}, V({state}) = {N(v[state])}, " +
                $"|difference| = {N(residual)} > γθ = {N(c.Gamma * theta)} (tolerance {N(tolerance)})");
        });

    /// <summary>
    /// TD(1)_offline(V, episode) = MC_every-visit(V, episode): with accumulating traces and V held fixed over an episode
    /// that ends at a terminal state, Σ_t δ_t e_t(s) = Σ_{t: s_t = s} (G_t − V(s)) (the TD errors telescope to the return),
    /// checked to |a − b| ≤ ε·max(1, |b|) against <see cref="TemporalDifference.MonteCarlo"/> with every-visit counting,
    /// on random-walk episodes with α ∈ [0, 1], γ ∈ [0.5, 1].
    /// </summary>
    /// <param name="tdLambda">The offline TD(λ) under test, e.g. <c>TemporalDifference.TdLambdaOffline</c>; called with λ = 1
    /// and accumulating traces.</param>
    /// <param name="walk">The random walk whose episodes to use; Sutton's five-state walk if null.</param>
    /// <param name="tolerance">ε, relative.</param>
    public static Property OfflineTdOneEqualsMonteCarlo(EpisodeUpdate tdLambda, RandomWalk? walk = null, double tolerance = 1e-9)
    {
        var w = walk ?? new RandomWalk();
        return Prop.ForAll((from values in Generators.WalkValues(w, -1, 1)
                            from episode in Generators.Walk(w)
                            from alpha in Generators.Between(0, 1)
                            from gamma in Generators.Between(0.5, 1)
                            select new EpisodeCase(values, episode, alpha, gamma)).ToArbitrary(), c =>
        {
            var td = tdLambda(c.Values, c.Episode, c.Alpha, c.Gamma, 1.0, TraceKind.Accumulating);
            var mc = TemporalDifference.MonteCarlo(c.Values, c.Episode, c.Alpha, c.Gamma, MonteCarloVisits.Every);
            return Agrees(td.Values, mc.Values, tolerance, "TD(1) offline = every-visit Monte Carlo", "state", "TD(1)", "MC");
        });
    }

    /// <summary>
    /// Σ_t [TD0(V_CE, t) − V_CE](s) = 0 for every s: the certainty-equivalence values V_CE = (I − γ P̂)⁻¹ R̂ of a batch
    /// (<see cref="TemporalDifference.CertaintyEquivalence"/>, Sutton 1988 eq. 8) are a fixed point of batch TD(0) — the
    /// summed one-step updates from V_CE, V held fixed, cancel — to |Σ| ≤ ε·α·(1 + |batch|), on batches of episodes of a
    /// uniformly random policy on the generated models, with α ∈ (0, 1], γ ∈ [0.5, 0.95].
    /// </summary>
    /// <param name="td">The one-step TD(0) under test, e.g. <c>TemporalDifference.TdZero</c>.</param>
    /// <param name="models">The models to draw episodes on; <see cref="Generators.KnownModels"/> if null.</param>
    /// <param name="episodes">Episodes per batch.</param>
    /// <param name="tolerance">ε, per transition and unit step size.</param>
    public static Property TdZeroFixedPointIsCertaintyEquivalence(TdStep td, Gen<IKnownModel>? models = null,
                                                                  int episodes = 5, double tolerance = 1e-9) =>
        Prop.ForAll((from model in models ?? Generators.KnownModels
                     from gamma in Generators.Between(0.5, 0.95)
                     from alpha in Generators.Between(0.001, 1)
                     from batch in Generators.Episodes(model, episodes)
                     select new BatchCase(new DiscountedModel(model, gamma), batch, alpha)).ToArbitrary(), c =>
        {
            var (model, gamma) = (c.Case.Model, c.Case.Gamma);
            var ce = TemporalDifference.CertaintyEquivalence(c.Batch, model.StateCount, gamma);
            var sum = new double[model.StateCount];
            var count = 0;
            foreach (var episode in c.Batch)
                foreach (var t in episode.Steps)
                {
                    var after = td(ce, t, c.Alpha, gamma);
                    for (var s = 0; s < sum.Length; s++) sum[s] += after[s] - ce[s];
                    count++;
                }
            var bound = tolerance * c.Alpha * (1 + count);
            var (state, size) = WorstState(sum.Freeze(), Immutable.Filled(sum.Length, 0.0));
            return Holds(size <= bound, () =>
                $"Σ_t [TD0(V_CE, t) − V_CE](s) = 0 fails at state {state}: the summed update is {N(sum[state])} " +
                $"(|·| > {N(bound)}), V_CE({state}) = {N(ce[state])}, over {count} transitions (α {N(c.Alpha)}, γ {N(gamma)})");
        });

    /// <summary>
    /// GAE(γ, λ = 0)_t = δ_t = r_t + γ c_t V(s_{t+1}) − V(s_t) on rollouts with episode ends anywhere, and
    /// GAE(γ, λ = 1)_t = G_t − V(s_t), G_t = Σ_{k≥t} γ^{k−t} r_k (<see cref="Returns.DiscountedFromEachStep"/>) on one episode
    /// that ends at its last step; each to |a − b| ≤ ε·max(1, |b|).
    /// </summary>
    /// <param name="gae">The estimator under test, e.g. <c>Gae.Advantages</c>.</param>
    /// <param name="tolerance">ε, relative.</param>
    public static Property GaeReducesToTdErrorAndMonteCarlo(AdvantageEstimator gae, double tolerance = 1e-9) =>
        Prop.ForAll(Generators.Rollouts(0.3).ToArbitrary(), x =>
        {
            var a = gae(x.Rewards.AsSpan(), x.Values.AsSpan(), x.Continuations.AsSpan(), x.Gamma, 0.0);
            var tdErrors = new double[x.Length];
            for (var t = 0; t < x.Length; t++) tdErrors[t] = x.Rewards[t] + x.Gamma * x.Continuations[t] * x.Values[t + 1] - x.Values[t];
            return Agrees(a, [.. tdErrors], tolerance, "GAE(λ = 0) = δ", "step", "A", "δ");
        }).And(Prop.ForAll(Generators.Rollouts(0.0, endsAtLast: true).ToArbitrary(), x =>
        {
            var a = gae(x.Rewards.AsSpan(), x.Values.AsSpan(), x.Continuations.AsSpan(), x.Gamma, 1.0);
            var returns = Returns.DiscountedFromEachStep(x.Rewards.AsSpan(), x.Gamma);
            var expected = new double[x.Length];
            for (var t = 0; t < x.Length; t++) expected[t] = returns[t] - x.Values[t];
            return Agrees(a, [.. expected], tolerance, "GAE(λ = 1) = G − V", "step", "A", "G − V");
        }));

    /// <summary>
    /// run(k) = run(k): the same key gives the same result, compared with <paramref name="same"/> (default equality), for
    /// generated keys. A run that reads a clock, a shared counter or <c>System.Random</c> fails it.
    /// </summary>
    /// <param name="run">The computation under test: everything random in it must come from the key.</param>
    /// <param name="same">When two results count as the same; <see cref="EqualityComparer{T}.Default"/> if null.</param>
    /// <param name="show">How a result reads in a counterexample; its ToString if null.</param>
    public static Property SameKeySameResult<TResult>(Func<Key, TResult> run, Func<TResult, TResult, bool>? same = null,
                                                      Func<TResult, string>? show = null) =>
        Prop.ForAll(Generators.Keys.ToArbitrary(), key => Twice(() => run(key), same, show, $"key {key}"));

    /// <summary>
    /// fold(m₀, xs, k) = fold(m₀, xs, k): folding <paramref name="step"/> (model, experience, key) → (model′, key′) over the
    /// same experience from the same model and key gives the same model, compared with <paramref name="same"/>.
    /// </summary>
    /// <param name="step">One learning step under test: everything random in it must come from the key it is given, and the
    /// key it returns is the one the next step gets.</param>
    /// <param name="start">The model to start from.</param>
    /// <param name="experience">The experience to fold over.</param>
    /// <param name="same">When two models count as the same; <see cref="EqualityComparer{T}.Default"/> if null.</param>
    /// <param name="show">How a model reads in a counterexample; its ToString if null.</param>
    public static Property SameKeySameResult<TModel, TExperience>(Func<TModel, TExperience, Key, Draw<TModel>> step, TModel start,
        Gen<ImmutableArray<TExperience>> experience, Func<TModel, TModel, bool>? same = null, Func<TModel, string>? show = null) =>
        Prop.ForAll((from xs in experience from key in Generators.Keys select new FoldCase<TExperience>(xs, key)).ToArbitrary(), c =>
            Twice(() =>
            {
                var (model, key) = (start, c.Key);
                foreach (var x in c.Experience) (model, key) = step(model, x, key);
                return model;
            }, same, show, $"key {c.Key}, {c.Experience.Length} pieces of experience"));

    private static Property Twice<TResult>(Func<TResult> run, Func<TResult, TResult, bool>? same, Func<TResult, string>? show, string what)
    {
        var first = run();
        var second = run();
        var equal = same ?? EqualityComparer<TResult>.Default.Equals;
        var text = show ?? (x => $"{x}");
        return Holds(equal(first, second), () => $"run(k) = run(k) fails for {what}: first {text(first)}, then {text(second)}");
    }

    private static Property Agrees(ImmutableArray<double> actual, ImmutableArray<double> expected, double tolerance,
                                   string equation, string index, string actualName, string expectedName)
    {
        if (actual.Length != expected.Length) return Fails($"{equation}: {actual.Length} values where {expected.Length} were expected");
        for (var i = 0; i < actual.Length; i++)
        {
            var bound = tolerance * Math.Max(1.0, Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
                return Fails($"{equation} fails at {index} {i}: {actualName} = {N(actual[i])}, {expectedName} = {N(expected[i])}, " +
                             $"|difference| = {N(Math.Abs(actual[i] - expected[i]))} > {N(bound)} (tolerance {N(tolerance)})");
        }
        return true.ToProperty();
    }

    /// <summary>The index of the largest |a(s) − b(s)| and that difference (NaN counts as largest).</summary>
    private static (int State, double Difference) WorstState(ImmutableArray<double> a, ImmutableArray<double> b)
    {
        var (state, worst) = (0, 0.0);
        for (var s = 0; s < a.Length; s++)
        {
            var d = Math.Abs(a[s] - b[s]);
            if (double.IsNaN(d)) return (s, double.NaN);
            if (d > worst) (state, worst) = (s, d);
        }
        return (state, worst);
    }

    private static Property Holds(bool ok, Func<string> why) => ok ? true.ToProperty() : Fails(why());

    private static Property Fails(string why) => false.Label(why);

    private static string N(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private sealed record ContractionCase(DiscountedModel Case, ImmutableArray<double> V, ImmutableArray<double> U)
    {
        public override string ToString() => $"{Case.Model}, γ {N(Case.Gamma)}, V [{Show(V)}], U [{Show(U)}]";
    }

    private sealed record EpisodeCase(VTable Values, Trajectory<int, int> Episode, double Alpha, double Gamma)
    {
        public override string ToString() =>
            $"{Values}, α {N(Alpha)}, γ {N(Gamma)}, states [{string.Join(" ", Episode.Steps.Select(t => t.State))} → {(Episode.Length > 0 ? Episode.Steps[^1].Next : -1)}]";
    }

    private sealed record BatchCase(DiscountedModel Case, ImmutableArray<Trajectory<int, int>> Batch, double Alpha)
    {
        public override string ToString() =>
            $"{Case.Model}, γ {N(Case.Gamma)}, α {N(Alpha)}, {Batch.Length} episodes of {string.Join("/", Batch.Select(e => e.Length))} steps";
    }

    private sealed record FoldCase<TExperience>(ImmutableArray<TExperience> Experience, Key Key)
    {
        public override string ToString() => $"key {Key}, {Experience.Length} pieces of experience";
    }

    private static string Show(ImmutableArray<double> xs) => string.Join(", ", xs.Select(N));
}
