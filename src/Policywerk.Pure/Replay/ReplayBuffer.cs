using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Replay;

/// <summary>
/// A fixed-capacity replay buffer as a value (Lin 1992; Mnih et al. 2013): a ring that keeps the last
/// <see cref="Capacity"/> items pushed, and serves uniform mini-batches drawn with a key.
/// <code>
///   D' = push(D, x)            — x becomes the newest item; at capacity the oldest is evicted
///   (B, key') = sample(D, n, key),  B_j = D[i_j],  i_j ~ U{0, …, |D| − 1} independently (with replacement)
/// </code>
/// </summary>
/// <remarks>
/// <para><b>A persistent structure, not a hidden mutable array.</b> The ring is cut into ⌈√C⌉ chunks of
/// ⌈√C⌉ slots, each an <see cref="ImmutableArray{T}"/>, held in an immutable array of chunks. A push copies
/// the one chunk it writes into and the array of chunk references, O(√C) work (≈ 110 references for
/// C = 3000), and shares every other chunk with the buffer it came from. Nothing is ever written after it
/// is frozen, so every earlier buffer stays valid and unchanged: a caller can keep D and D' side by side,
/// and the same (buffer, key) always yields the same batch. That is why it is pure from the outside — and
/// from the inside too: no array is mutated once any buffer can see it.</para>
/// <para>Sampling is with replacement, uniform over the stored items, as the Python original's
/// <c>rng.randint(0, len − 1)</c> per draw. Index 0 is the oldest item, <c>Count − 1</c> the newest.</para>
/// </remarks>
public sealed class ReplayBuffer<T>
{
    private readonly ImmutableArray<ImmutableArray<T>> chunks; // a chunk never written yet is a default (empty) array
    private readonly int chunkSize;
    private readonly int next; // the physical slot the next push writes

    private ReplayBuffer(int capacity, int chunkSize, ImmutableArray<ImmutableArray<T>> chunks, int count, int next, long pushed)
    {
        Capacity = capacity;
        this.chunkSize = chunkSize;
        this.chunks = chunks;
        Count = count;
        this.next = next;
        Pushed = pushed;
    }

    /// <summary>The most items the buffer keeps.</summary>
    public int Capacity { get; }

    /// <summary>The number of items held now, min(pushed, capacity).</summary>
    public int Count { get; }

    /// <summary>How many items were ever pushed (so the oldest held is push number <c>Pushed − Count</c>).</summary>
    public long Pushed { get; }

    /// <summary>An empty buffer that will hold at most <paramref name="capacity"/> items.</summary>
    public static ReplayBuffer<T> Empty(int capacity)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be positive");
        var chunkSize = (int)Math.Ceiling(Math.Sqrt(capacity));
        var chunkCount = (capacity + chunkSize - 1) / chunkSize;
        var empty = new ImmutableArray<T>[chunkCount]; // all default: allocated on first write
        return new ReplayBuffer<T>(capacity, chunkSize, Immutable.Freeze(empty), 0, 0, 0);
    }

    /// <summary>The i-th oldest item held (0 = oldest, Count − 1 = newest).</summary>
    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            var oldest = next - Count;
            if (oldest < 0) oldest += Capacity;
            var slot = oldest + index;
            if (slot >= Capacity) slot -= Capacity;
            return chunks[slot / chunkSize][slot % chunkSize];
        }
    }

    /// <summary>D' = D with <paramref name="item"/> as the newest; at capacity the oldest is evicted. O(√C); D is unchanged.</summary>
    public ReplayBuffer<T> Push(T item)
    {
        var chunkIndex = next / chunkSize;
        var offset = next % chunkSize;
        var old = chunks[chunkIndex];
        var length = Math.Min(chunkSize, Capacity - chunkIndex * chunkSize);
        var written = new T[length];
        if (!old.IsDefault) old.CopyTo(written);
        written[offset] = item;
        var nextSlot = next + 1 == Capacity ? 0 : next + 1;
        return new ReplayBuffer<T>(Capacity, chunkSize, chunks.SetItem(chunkIndex, Immutable.Freeze(written)),
            Math.Min(Count + 1, Capacity), nextSlot, Pushed + 1);
    }

    /// <summary>B_j = D[i_j], i_j ~ U{0, …, Count − 1} for j = 1..n, with replacement; returns the batch and the next key.</summary>
    public Draw<ImmutableArray<T>> Sample(int batchSize, Key key)
    {
        if (Count == 0) throw new InvalidOperationException("cannot sample from an empty replay buffer");
        if (batchSize < 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size must be non-negative");
        var batch = new T[batchSize];
        for (var j = 0; j < batchSize; j++)
        {
            var (i, nextKey) = key.NextInt(Count);
            key = nextKey;
            batch[j] = this[i];
        }
        return new Draw<ImmutableArray<T>>(Immutable.Freeze(batch), key);
    }

    /// <summary>All items held, oldest first (a copy, O(Count): for tests and pictures, not for hot loops).</summary>
    public ImmutableArray<T> ToImmutableArray()
    {
        var items = new T[Count];
        for (var i = 0; i < Count; i++) items[i] = this[i];
        return Immutable.Freeze(items);
    }
}
