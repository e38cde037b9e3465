using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Replay;

public class ReplayBufferTests
{
    private static ReplayBuffer<int> PushRange(ReplayBuffer<int> buffer, int from, int count)
    {
        for (var i = 0; i < count; i++) buffer = buffer.Push(from + i);
        return buffer;
    }

    private static int Capacity(PositiveInt c) => 1 + (c.Get - 1) % 60;
    private static int Pushes(NonNegativeInt n) => n.Get % 250;

    [Property(MaxTest = 300)]
    public void Never_holds_more_than_capacity(PositiveInt c, NonNegativeInt n)
    {
        var capacity = Capacity(c);
        var buffer = ReplayBuffer<int>.Empty(capacity);
        for (var i = 0; i < Pushes(n); i++)
        {
            buffer = buffer.Push(i);
            Assert.InRange(buffer.Count, 1, capacity);
            Assert.Equal(Math.Min(i + 1, capacity), buffer.Count);
        }
    }

    [Property(MaxTest = 300)]
    public void Keeps_the_newest_items_oldest_first_evicting_in_push_order(PositiveInt c, NonNegativeInt n)
    {
        var capacity = Capacity(c);
        var pushes = Pushes(n);
        var buffer = PushRange(ReplayBuffer<int>.Empty(capacity), 0, pushes);
        var first = Math.Max(0, pushes - capacity);
        Assert.Equal(Enumerable.Range(first, pushes - first).ToArray(), buffer.ToImmutableArray().ToArray());
        Assert.Equal(pushes, buffer.Pushed);
        // One more push evicts exactly the oldest (when full) and appends the new item.
        var more = buffer.Push(-1);
        var expected = Enumerable.Range(first, pushes - first).Append(-1).ToArray();
        Assert.Equal(expected.Skip(Math.Max(0, expected.Length - capacity)).ToArray(), more.ToImmutableArray().ToArray());
    }

    [Property(MaxTest = 300)]
    public void Samples_only_items_that_are_held(PositiveInt c, PositiveInt n, ulong seed)
    {
        var capacity = Capacity(c);
        var pushes = 1 + Pushes(NonNegativeInt.NewNonNegativeInt(n.Get));
        var buffer = PushRange(ReplayBuffer<int>.Empty(capacity), 0, pushes);
        var (batch, next) = buffer.Sample(16, Key.FromSeed(seed));
        Assert.Equal(16, batch.Length);
        foreach (var item in batch) Assert.InRange(item, Math.Max(0, pushes - capacity), pushes - 1);
        Assert.NotEqual(Key.FromSeed(seed), next);
    }

    [Property(MaxTest = 200)]
    public Property Same_key_same_batch() =>
        Invariants.SameKeySameResult(key => PushRange(ReplayBuffer<int>.Empty(50), 100, 80).Sample(32, key),
            same: (a, b) => a.Value.SequenceEqual(b.Value) && a.Next == b.Next,
            show: d => $"[{string.Join(", ", d.Value)}], next {d.Next}");

    private sealed record ReplayLearner(ReplayBuffer<Transition<int, int>> Buffer, QTable Q);

    /// <summary>Q-learning from replay: push the new transition, sample a batch of 4 with the key, learn from each.</summary>
    private static Draw<ReplayLearner> ReplayStep(ReplayLearner m, Transition<int, int> t, Key key)
    {
        var buffer = m.Buffer.Push(t);
        var (batch, next) = buffer.Sample(4, key);
        var q = m.Q;
        foreach (var x in batch) q = TdControl.Update(q, x, 0.5, 0.9);
        return new Draw<ReplayLearner>(new ReplayLearner(buffer, q), next);
    }

    private static readonly RandomMdp Mdp = RandomMdp.Create(6, 3, 2024);

    [Property(MaxTest = 100)]
    public Property Replayed_Q_learning_gives_the_same_table_from_the_same_key_and_transitions() =>
        Invariants.SameKeySameResult(ReplayStep, new ReplayLearner(ReplayBuffer<Transition<int, int>>.Empty(16), QTable.Filled(6, 3, 0.0)),
            Generators.Transitions(Mdp, 40), same: (a, b) => a.Q.Equals(b.Q), show: m => $"Q [{string.Join(", ", m.Q.Values)}]");

    [Property(MaxTest = 200)]
    public void A_push_leaves_the_old_buffer_unchanged(PositiveInt c, NonNegativeInt n, ulong seed)
    {
        var capacity = Capacity(c);
        var before = PushRange(ReplayBuffer<int>.Empty(capacity), 0, 1 + Pushes(n));
        var contents = before.ToImmutableArray().ToArray();
        var batch = before.Sample(8, Key.FromSeed(seed)).Value.ToArray();
        var after = PushRange(before, 1000, capacity + 3);
        Assert.Equal(contents, before.ToImmutableArray().ToArray());
        Assert.Equal(batch, before.Sample(8, Key.FromSeed(seed)).Value.ToArray());
        Assert.DoesNotContain(after.ToImmutableArray(), x => x < 1000);
    }

    [Fact]
    public void Sampling_is_uniform_over_held_items()
    {
        var buffer = PushRange(ReplayBuffer<int>.Empty(10), 0, 25); // holds 15..24
        var counts = new int[25];
        var key = Key.FromSeed(99);
        for (var i = 0; i < 1000; i++)
        {
            var (batch, next) = buffer.Sample(20, key);
            key = next;
            foreach (var item in batch) counts[item]++;
        }
        for (var item = 0; item < 15; item++) Assert.Equal(0, counts[item]);
        for (var item = 15; item < 25; item++) Assert.InRange(counts[item], 1800, 2200); // 2000 expected, σ ≈ 42
    }

    [Fact]
    public void Sampling_an_empty_buffer_fails_clearly()
    {
        Assert.Throws<InvalidOperationException>(() => ReplayBuffer<int>.Empty(5).Sample(1, Key.FromSeed(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplayBuffer<int>.Empty(0));
    }

    [Fact]
    public void Capacity_one_keeps_only_the_last_item()
    {
        var buffer = PushRange(ReplayBuffer<int>.Empty(1), 0, 5);
        Assert.Equal(new[] { 4 }, buffer.ToImmutableArray().ToArray());
        Assert.Equal(4, buffer[0]);
    }

}
