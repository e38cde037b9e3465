using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Testing;
using Xunit;

namespace MyAgent;

/// <summary>Double Q-learning checked with the Policywerk test kit: its generators for the cases, its invariants for the
/// properties, and the kit catching a broken variant.</summary>
public class DoubleQLearningTests
{
    private const double Alpha = 0.5, Gamma = 0.9;

    /// <summary>A random MDP with known dynamics from the kit, to draw transitions from.</summary>
    private static readonly RandomMdp World = RandomMdp.Create(states: 6, actions: 3, seed: 42);

    private static Draw<DoubleQ> Step(DoubleQ q, Transition<int, int> t, Key key) => DoubleQLearning.Update(q, t, key, Alpha, Gamma);

    [Property(MaxTest = 100)]
    public Property The_same_key_gives_the_same_tables() =>
        Invariants.SameKeySameResult(Step, DoubleQ.Initial(World.StateCount, World.ActionCount), Generators.Transitions(World, 40));

    /// <summary>A step either moves Q_A at (s, a) or Q_B at (s, a); everything else stays as it was.</summary>
    [Property(MaxTest = 200)]
    public Property One_table_moves_and_only_at_the_state_and_action_taken() =>
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var (q, t, key) = c;
            var after = Step(q, t, key).Value;
            var changedA = Changed(q.A.Values, after.A.Values);
            var changedB = Changed(q.B.Values, after.B.Values);
            var cell = t.State * World.ActionCount + t.Action;
            return (changedA.IsEmpty || changedB.IsEmpty) && changedA.Concat(changedB).All(i => i == cell);
        });

    /// <summary>With both tables equal, either half is exactly a Q-learning step (<see cref="TdControl.Update"/>): the
    /// chooser's argmax, valued by an identical judge, is the max.</summary>
    [Property(MaxTest = 200)]
    public Property With_equal_tables_either_half_is_a_Q_learning_step() =>
        Prop.ForAll(Cases(equalTables: true).ToArbitrary(), c =>
        {
            var (q, t, key) = c;
            var after = Step(q, t, key).Value;
            var moved = after.A.Equals(q.A) ? after.B : after.A;
            return moved.Equals(TdControl.Update(q.A, t, Alpha, Gamma));
        });

    /// <summary>The variant that flips its coin with <see cref="Random.Shared"/> instead of the key learns as well, but no
    /// run of it can be repeated: the kit's invariant fails and says for which key.</summary>
    [Fact]
    public void The_kit_catches_a_coin_that_does_not_come_from_the_key()
    {
        static Draw<DoubleQ> Broken(DoubleQ q, Transition<int, int> t, Key key) =>
            DoubleQLearning.Update(q, t, Key.FromSeed((ulong)Random.Shared.NextInt64()), Alpha, Gamma) with { Next = key.NextBits().Next };
        var property = Invariants.SameKeySameResult(Broken, DoubleQ.Initial(World.StateCount, World.ActionCount),
                                                    Generators.Transitions(World, 40));
        var failure = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), property));
        Assert.Contains("run(k) = run(k) fails for key", failure.Message);
        Assert.Contains("DoubleQ { A = Q[s0: ", failure.Message); // both results, with their numbers
    }

    /// <summary>Two tables from the kit's Q-table generator (or one, twice), a transition of <see cref="World"/>, a key.</summary>
    private static Gen<(DoubleQ Q, Transition<int, int> T, Key Key)> Cases(bool equalTables = false) =>
        from a in Generators.QTables(World.StateCount, World.ActionCount)
        from b in Generators.QTables(World.StateCount, World.ActionCount)
        from ts in Generators.Transitions(World, 1)
        from key in Generators.Keys
        select (new DoubleQ(a, equalTables ? a : b), ts[0], key);

    private static ImmutableArray<int> Changed(ImmutableArray<double> before, ImmutableArray<double> after) =>
        [.. Enumerable.Range(0, before.Length).Where(i => before[i] != after[i])];
}
