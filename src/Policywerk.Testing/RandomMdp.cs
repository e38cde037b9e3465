using System.Collections.Immutable;
using Policywerk.Pure;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Testing;

/// <summary>
/// A small random finite MDP with known dynamics, for property tests: a few states and actions, 1–3 outcomes per (s, a)
/// with random probabilities that sum to 1, rewards in [−1, 1], some terminal states (state 0 never is). The whole table
/// follows from <see cref="Seed"/>, so a counterexample is replayed by <see cref="Create"/>. It has no discount of its own:
/// a check draws γ beside it and says which it used.
/// </summary>
/// <param name="StateCount">The number of states, 0 … n−1.</param>
/// <param name="ActionCount">The number of actions, 0 … m−1.</param>
/// <param name="Terminal">Which states are terminal (absorbing, value 0).</param>
/// <param name="Table">The outcomes of (s, a) at index s·m + a.</param>
/// <param name="Seed">The seed the table was drawn from.</param>
public sealed record RandomMdp(int StateCount, int ActionCount, ImmutableArray<bool> Terminal,
                               ImmutableArray<ImmutableArray<Outcome>> Table, ulong Seed) : IKnownModel
{
    /// <inheritdoc/>
    public bool IsTerminal(int state) => Terminal[state];

    /// <inheritdoc/>
    public ImmutableArray<Outcome> Outcomes(int state, int action) => Table[state * ActionCount + action];

    /// <summary>How the MDP reads in a counterexample: its size and the seed that rebuilds it.</summary>
    public override string ToString() => FormattableString.Invariant($"RandomMdp.Create({StateCount}, {ActionCount}, {Seed}UL)");

    /// <summary>The MDP of <paramref name="states"/> states and <paramref name="actions"/> actions drawn from
    /// <paramref name="seed"/>: each state after the first is terminal with probability ¼; each (s, a) has 1–3
    /// outcomes with weights in [0.05, 1) normalised to sum to 1, uniform next states and rewards in [−1, 1).</summary>
    public static RandomMdp Create(int states, int actions, ulong seed)
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
        return new RandomMdp(states, actions, terminal.Freeze(), table.Freeze(), seed);
    }
}
