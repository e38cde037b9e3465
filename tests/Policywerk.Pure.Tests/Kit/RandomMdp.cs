using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Policywerk.Pure;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Outcome = Policywerk.Pure.Mdp.Outcome;

namespace Policywerk.Pure.Tests.Kit;

/// <summary>
/// A small random finite MDP for property tests: a few states and actions, 1–3 outcomes per (s, a) with
/// random probabilities that sum to 1, rewards in [−1, 1], some terminal states (at least one state is not).
/// </summary>
public sealed record RandomMdp(int StateCount, int ActionCount, ImmutableArray<bool> Terminal,
                               ImmutableArray<ImmutableArray<Outcome>> Table, double Gamma, ulong Seed) : IKnownModel
{
    public bool IsTerminal(int state) => Terminal[state];
    public ImmutableArray<Outcome> Outcomes(int state, int action) => Table[state * ActionCount + action];

    public override string ToString() => $"RandomMdp(states {StateCount}, actions {ActionCount}, γ {Gamma:0.###}, seed {Seed})";

    public static RandomMdp Create(int states, int actions, double gamma, ulong seed)
    {
        var key = Key.FromSeed(seed);
        var terminal = new bool[states];
        for (var s = 1; s < states; s++) (terminal[s], key) = key.NextBernoulli(0.25);
        var table = new ImmutableArray<Outcome>[states * actions];
        for (var i = 0; i < table.Length; i++)
        {
            int count;
            (count, key) = key.NextInt(3);
            var outcomes = new Outcome[count + 1];
            var weights = new double[outcomes.Length];
            var total = 0.0;
            for (var j = 0; j < outcomes.Length; j++)
            {
                (weights[j], key) = key.NextUniform(0.05, 1.0);
                total += weights[j];
            }
            for (var j = 0; j < outcomes.Length; j++)
            {
                int next;
                double reward;
                (next, key) = key.NextInt(states);
                (reward, key) = key.NextUniform(-1, 1);
                outcomes[j] = new Outcome(next, weights[j] / total, reward);
            }
            table[i] = outcomes.Freeze();
        }
        return new RandomMdp(states, actions, terminal.Freeze(), table.Freeze(), gamma, seed);
    }

    /// <summary>FsCheck generator: 1–6 states, 1–4 actions, γ ∈ [0.5, 0.95].</summary>
    public static Gen<RandomMdp> Gen =>
        from states in FsCheck.Fluent.Gen.Choose(1, 6)
        from actions in FsCheck.Fluent.Gen.Choose(1, 4)
        from gammaPercent in FsCheck.Fluent.Gen.Choose(50, 95)
        from seed in ArbMap.Default.GeneratorFor<ulong>()
        select Create(states, actions, gammaPercent / 100.0, seed);

    public static Arbitrary<RandomMdp> Arbitrary => Arb.From(Gen);

    /// <summary>A random value table for this MDP (0 at terminal states), from the key.</summary>
    public ImmutableArray<double> RandomValues(ulong seed)
    {
        var key = Key.FromSeed(seed);
        var values = new double[StateCount];
        for (var s = 0; s < StateCount; s++)
        {
            double v;
            (v, key) = key.NextUniform(-5, 5);
            values[s] = Terminal[s] ? 0 : v;
        }
        return values.Freeze();
    }

    /// <summary>A random deterministic policy for this MDP.</summary>
    public ImmutableArray<int> RandomPolicy(ulong seed)
    {
        var key = Key.FromSeed(seed);
        var policy = new int[StateCount];
        for (var s = 0; s < StateCount; s++) (policy[s], key) = key.NextInt(ActionCount);
        return policy.Freeze();
    }
}
