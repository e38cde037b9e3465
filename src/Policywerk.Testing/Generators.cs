using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Policywerk.Pure;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Testing;

/// <summary>
/// A rollout for return and advantage checks: rewards r_0 … r_{T−1}, values V(s_0) … V(s_T) (one more than the rewards,
/// the last the bootstrap after the final step), continuations c_t (0 where step t ended its episode), γ and λ.
/// </summary>
/// <param name="Rewards">r_t, one per step.</param>
/// <param name="Values">V(s_0) … V(s_T): T + 1 values.</param>
/// <param name="Continuations">c_t ∈ {0, 1}: 0 where step t ended its episode.</param>
/// <param name="Gamma">The discount γ.</param>
/// <param name="Lambda">The trace parameter λ.</param>
public sealed record Rollout(ImmutableArray<double> Rewards, ImmutableArray<double> Values, ImmutableArray<double> Continuations,
                             double Gamma, double Lambda)
{
    /// <summary>The number of steps T.</summary>
    public int Length => Rewards.Length;

    /// <summary>V(s_{t+1}) for every step: <see cref="Values"/> from index 1.</summary>
    public ImmutableArray<double> NextValues => Values[1..];

    /// <summary>The rollout as it reads in a counterexample.</summary>
    public override string ToString() => FormattableString.Invariant(
        $"Rollout(γ {Gamma:R}, λ {Lambda:R}, r [{Show(Rewards)}], V [{Show(Values)}], c [{Show(Continuations)}])");

    private static string Show(ImmutableArray<double> xs) => string.Join(", ", xs.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
}

/// <summary>
/// FsCheck generators of Policywerk's data: random finite MDPs with known dynamics, values and policies for them, gridworld
/// maps, episodes and transition batches on a known model, random-walk episodes, and rollouts. Every draw comes from a
/// <see cref="Key"/> the generator picks, so a value is a pure function of its seed.
/// </summary>
public static class Generators
{
    /// <summary>64-bit seeds drawn uniformly over the whole range, whatever the test's size (FsCheck's own ulong
    /// generator stays below the size, so early tests would share a handful of seeds).</summary>
    public static Gen<ulong> Seeds { get; } = ArbMap.Default.GeneratorFor<DoNotSize<ulong>>().Select(seed => seed.Item);

    /// <summary>Keys from <see cref="Seeds"/>.</summary>
    public static Gen<Key> Keys { get; } = Seeds.Select(Key.FromSeed);

    /// <summary>A number in [<paramref name="low"/>, <paramref name="high"/>] on a grid of a thousandth of the range
    /// (both ends included): a discount γ, a step size α, a trace parameter λ.</summary>
    public static Gen<double> Between(double low, double high) =>
        Gen.Choose(0, 1000).Select(i => i == 1000 ? high : low + (high - low) * i / 1000.0);

    /// <summary>A random finite MDP (<see cref="RandomMdp"/>): 1 to <paramref name="maxStates"/> states, 1 to
    /// <paramref name="maxActions"/> actions.</summary>
    public static Gen<RandomMdp> Mdp(int maxStates = 6, int maxActions = 4) =>
        from states in Gen.Choose(1, maxStates)
        from actions in Gen.Choose(1, maxActions)
        from seed in Seeds
        select RandomMdp.Create(states, actions, seed);

    /// <summary>The known models of the kit's checks: <see cref="Mdp"/>s.</summary>
    public static Gen<IKnownModel> KnownModels { get; } = Mdp().Select(m => (IKnownModel)m);

    /// <summary>A value table for <paramref name="model"/>: V(s) uniform in [<paramref name="low"/>, <paramref name="high"/>),
    /// 0 at terminal states.</summary>
    public static Gen<ImmutableArray<double>> Values(IKnownModel model, double low = -5, double high = 5) =>
        Values(model.StateCount, model.IsTerminal, low, high);

    /// <summary>A value table of <paramref name="stateCount"/> entries: V(s) uniform in [<paramref name="low"/>,
    /// <paramref name="high"/>), 0 where <paramref name="isTerminal"/> holds.</summary>
    public static Gen<ImmutableArray<double>> Values(int stateCount, Func<int, bool> isTerminal, double low = -5, double high = 5) =>
        Keys.Select(key =>
        {
            var values = new double[stateCount];
            for (var s = 0; s < stateCount; s++)
            {
                double v;
                (v, key) = key.NextUniform(low, high);
                values[s] = isTerminal(s) ? 0.0 : v;
            }
            return values.Freeze();
        });

    /// <summary>A deterministic policy for <paramref name="model"/>: π(s) uniform over the actions.</summary>
    public static Gen<ImmutableArray<int>> Policy(IKnownModel model) =>
        Keys.Select(key =>
        {
            var policy = new int[model.StateCount];
            for (var s = 0; s < policy.Length; s++) (policy[s], key) = key.NextInt(model.ActionCount);
            return policy.Freeze();
        });

    /// <summary>A valid gridworld map of 2 to <paramref name="maxSide"/> rows and columns: random walls, pits, cliff cells
    /// and goals, a start, slip ∈ {0, 0.1, …, 0.4} and step reward ∈ {0, −0.01, …, −0.1}; a draw that does not parse (no
    /// goal reachable, …) is drawn again.</summary>
    public static Gen<GridMap> Maps(int maxSide = 7) =>
        (from rows in Gen.Choose(2, maxSide)
         from cols in Gen.Choose(2, maxSide)
         from cells in Gen.Elements('.', '.', '.', '.', '#', 'X', 'C', 'G').ArrayOf(rows * cols)
         from start in Gen.Choose(0, rows * cols - 1)
         from slip in Gen.Choose(0, 4)
         from step in Gen.Choose(0, 10)
         select ParseMap(rows, cols, cells, start, slip / 10.0, -step / 100.0))
        .Where(map => map is not null).Select(map => map!);

    private static GridMap? ParseMap(int rows, int cols, char[] cells, int start, double slip, double step)
    {
        var grid = (char[])cells.Clone();
        grid[start] = 'S';
        var lines = Enumerable.Range(0, rows).Select(r => new string(grid, r * cols, cols));
        return GridMap.Parse(string.Join('\n', lines) + $"\nslip={slip}\nstep={step}\n").Map;
    }

    /// <summary>One episode of a uniformly random policy on <paramref name="model"/>: it starts in a uniformly drawn
    /// non-terminal state, draws each outcome with its probability, and ends at a terminal state (discount 0) or after
    /// <paramref name="maxSteps"/> steps (cut off: last, discount 1). Empty if every state is terminal.</summary>
    public static Gen<Trajectory<int, int>> Episode(IKnownModel model, int maxSteps = 20) =>
        Keys.Select(key =>
        {
            var (start, k) = NonTerminalState(model, key);
            if (start < 0) return Trajectory<int, int>.Empty;
            var steps = ImmutableArray.CreateBuilder<Transition<int, int>>();
            var state = start;
            for (var t = 0; t < maxSteps; t++)
            {
                var step = RandomStep(model, state, k);
                k = step.Key;
                var last = step.Transition.Terminal || t == maxSteps - 1;
                steps.Add(step.Transition with { Last = last });
                if (last) break;
                state = step.Transition.Next;
            }
            return new Trajectory<int, int>(steps.ToImmutable());
        });

    /// <summary><paramref name="count"/> independent <see cref="Episode"/>s on <paramref name="model"/>.</summary>
    public static Gen<ImmutableArray<Trajectory<int, int>>> Episodes(IKnownModel model, int count, int maxSteps = 20) =>
        Episode(model, maxSteps).ArrayOf(count).Select(episodes => episodes.Freeze());

    /// <summary>A batch of <paramref name="count"/> independent transitions on <paramref name="model"/>: each from a
    /// uniformly drawn non-terminal state with a uniformly drawn action and an outcome drawn with its probability;
    /// discount 0 and last where the next state is terminal. Empty if every state is terminal.</summary>
    public static Gen<ImmutableArray<Transition<int, int>>> Transitions(IKnownModel model, int count) =>
        Keys.Select(key =>
        {
            var batch = ImmutableArray.CreateBuilder<Transition<int, int>>(count);
            for (var i = 0; i < count; i++)
            {
                int state;
                (state, key) = NonTerminalState(model, key);
                if (state < 0) return ImmutableArray<Transition<int, int>>.Empty;
                var step = RandomStep(model, state, key);
                key = step.Key;
                batch.Add(step.Transition);
            }
            return batch.MoveToImmutable();
        });

    /// <summary>One episode of <paramref name="world"/> under <paramref name="policy"/> from <paramref name="start"/>, until
    /// its last step or <paramref name="maxSteps"/> steps (<see cref="Pure.Mdp.Episodes.Run"/> with a generated key).</summary>
    public static Gen<Trajectory<TState, TAction>> Episode<TState, TAction>(IWorld<TState, TAction> world,
        Func<TState, Key, Draw<TAction>> policy, TState start, int maxSteps) =>
        Keys.Select(key => Pure.Mdp.Episodes.Run(world, policy, start, key, maxSteps));

    /// <summary>A Q table of <paramref name="stateCount"/> × <paramref name="actionCount"/> entries, each uniform in
    /// [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Gen<QTable> QTables(int stateCount, int actionCount, double low = -5, double high = 5) =>
        Values(stateCount * actionCount, _ => false, low, high).Select(values => new QTable(stateCount, actionCount, values));

    /// <summary>One episode of <paramref name="walk"/> under its 50/50 policy, from the centre to either end.</summary>
    public static Gen<Trajectory<int, int>> Walk(RandomWalk walk) => Keys.Select(walk.Sample);

    /// <summary><paramref name="count"/> independent episodes of <paramref name="walk"/> (a training set).</summary>
    public static Gen<ImmutableArray<Trajectory<int, int>>> Walks(RandomWalk walk, int count) =>
        Keys.Select(key => walk.SampleMany(count, key));

    /// <summary>A value table for <paramref name="walk"/>: uniform in [<paramref name="low"/>, <paramref name="high"/>)
    /// for the walk states, 0 at both ends.</summary>
    public static Gen<VTable> WalkValues(RandomWalk walk, double low = 0, double high = 1) =>
        Values(walk.StateCount, walk.IsTerminal, low, high).Select(v => new VTable(v));

    /// <summary>A rollout (<see cref="Testing.Rollout"/>) of 1 to <paramref name="maxLength"/> steps: rewards ~ N(0, 1),
    /// values ~ N(0, 2²), γ ∈ [0.5, 1), λ ∈ [0, 1); each step ends its episode with probability
    /// <paramref name="endProbability"/>, and the last step always does when <paramref name="endsAtLast"/>.</summary>
    public static Gen<Rollout> Rollouts(double endProbability, bool endsAtLast = false, int maxLength = 40) =>
        Keys.Select(key =>
        {
            var (n, k) = key.NextInt(maxLength);
            n += 1;
            double[] r = new double[n], v = new double[n + 1], c = new double[n];
            for (var t = 0; t < n; t++)
            {
                (r[t], k) = k.NextGaussian();
                (var end, k) = k.NextBernoulli(endProbability);
                c[t] = end || (endsAtLast && t == n - 1) ? 0.0 : 1.0;
            }
            for (var t = 0; t <= n; t++) (v[t], k) = k.NextGaussian(0, 2);
            var (gamma, k2) = k.NextUniform(0.5, 1.0);
            var (lambda, _) = k2.NextUniform(0.0, 1.0);
            return new Rollout(r.Freeze(), v.Freeze(), c.Freeze(), gamma, lambda);
        });

    private readonly record struct SampledStep(Transition<int, int> Transition, Key Key);

    /// <summary>A uniformly drawn non-terminal state of <paramref name="model"/>, or −1 if there is none.</summary>
    private static Draw<int> NonTerminalState(IKnownModel model, Key key)
    {
        var open = Enumerable.Range(0, model.StateCount).Where(s => !model.IsTerminal(s)).ToArray();
        if (open.Length == 0) return new Draw<int>(-1, key);
        var (i, next) = key.NextInt(open.Length);
        return new Draw<int>(open[i], next);
    }

    /// <summary>A uniformly drawn action in <paramref name="state"/> and its outcome drawn with its probability.</summary>
    private static SampledStep RandomStep(IKnownModel model, int state, Key key)
    {
        var (action, k) = key.NextInt(model.ActionCount);
        var (u, k2) = k.NextDouble();
        var outcomes = model.Outcomes(state, action);
        var chosen = outcomes[^1];
        var cumulative = 0.0;
        foreach (var o in outcomes)
        {
            cumulative += o.Probability;
            if (u < cumulative) { chosen = o; break; }
        }
        var terminal = model.IsTerminal(chosen.Next);
        return new SampledStep(new Transition<int, int>(state, action, chosen.Reward, terminal ? 0.0 : 1.0, chosen.Next, terminal), k2);
    }
}
