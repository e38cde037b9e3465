using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Replay;

/// <summary>
/// A stretch of <c>Steps.Length</c> consecutive steps of one episode, as <see cref="SequenceReplay{TStep}"/>
/// samples them. <see cref="StartsEpisode"/> is true when its first step is the first step of the episode
/// (the world was just reset), so a sequence model may start it from its initial state rather than from a
/// state it had to infer mid-episode.
/// </summary>
public sealed record SequenceChunk<TStep>(ImmutableArray<TStep> Steps, bool StartsEpisode)
{
    public int Length => Steps.Length;
    public TStep this[int t] => Steps[t];
}

/// <summary>
/// A replay of real experience for sequence models (DreamerV3's replay, in small): steps are pushed one at
/// a time, in the order they happen, each flagged whether it begins an episode; a sample is B chunks of T
/// consecutive steps, each inside one episode.
/// <code>
///   R' = push(R, x_t, isFirst_t)
///   (chunks, key') = sample(R, B, T, key):  start s ~ U{ s : x_s … x_{s+T−1} held and in one episode }
/// </code>
/// </summary>
/// <remarks>
/// <para><b>Chunks never cross an episode boundary</b> (our choice; DreamerV3 instead lets them cross and
/// resets the latent state where <c>is_first</c> is set). A chunk is therefore always one continuous piece
/// of one episode and the world model needs no reset mask inside it; <see cref="SequenceChunk{TStep}.StartsEpisode"/>
/// still says whether the chunk opens its episode. Every admissible start is equally likely, so a long
/// episode contributes chunks in proportion to its length; an episode (or the part of one that survives
/// eviction) shorter than T contributes none. Collection may stop and resume mid-episode (as the
/// Python's 100 real steps per iteration do): the run continues until the next step flagged first.</para>
/// <para>Storage is a <see cref="ReplayBuffer{T}"/> ring of <see cref="Capacity"/> steps (persistent, O(√C)
/// per push; the oldest steps are evicted first) plus the absolute numbers of the steps that start an
/// episode (copied only when an episode starts or falls out). The very first step pushed starts an episode
/// whatever its flag.</para>
/// </remarks>
public sealed class SequenceReplay<TStep>
{
    private readonly ReplayBuffer<TStep> ring;
    private readonly ImmutableArray<long> episodeStarts; // absolute push numbers, ascending; the first may precede the oldest held step

    private SequenceReplay(ReplayBuffer<TStep> ring, ImmutableArray<long> episodeStarts)
    {
        this.ring = ring;
        this.episodeStarts = episodeStarts;
    }

    /// <summary>An empty replay holding at most <paramref name="capacity"/> steps.</summary>
    public static SequenceReplay<TStep> Empty(int capacity) =>
        new(ReplayBuffer<TStep>.Empty(capacity), ImmutableArray<long>.Empty);

    /// <summary>The most steps held.</summary>
    public int Capacity => ring.Capacity;

    /// <summary>The steps held now.</summary>
    public int Count => ring.Count;

    /// <summary>The number of episodes (whole or partly evicted) with at least one step held.</summary>
    public int EpisodeCount => episodeStarts.Length;

    /// <summary>The i-th oldest step held.</summary>
    public TStep this[int index] => ring[index];

    /// <summary>R' = R with <paramref name="step"/> as the newest step; <paramref name="isFirst"/> marks the first step
    /// of an episode. At capacity the oldest step is evicted. R is unchanged.</summary>
    public SequenceReplay<TStep> Push(TStep step, bool isFirst)
    {
        var absolute = ring.Pushed;
        var nextRing = ring.Push(step);
        var starts = isFirst || absolute == 0 ? episodeStarts.Add(absolute) : episodeStarts;

        // Forget episodes that have fallen out entirely: the run of starts[0] ends where starts[1] begins.
        var oldest = nextRing.Pushed - nextRing.Count;
        var drop = 0;
        while (starts.Length - drop >= 2 && starts[drop + 1] <= oldest) drop++;
        if (drop > 0) starts = starts.RemoveRange(0, drop);
        return new SequenceReplay<TStep>(nextRing, starts);
    }

    /// <summary>The number of admissible chunk starts for chunks of <paramref name="length"/> steps:
    /// Σ_episodes max(0, held_e − T + 1).</summary>
    public int ChunkCount(int length)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), "length must be positive");
        var total = 0;
        for (var e = 0; e < episodeStarts.Length; e++) total += ChunksIn(e, length);
        return total;
    }

    /// <summary>
    /// B chunks of T consecutive steps, each within one episode; start s uniform over all admissible starts,
    /// drawn independently (with replacement). Returns the chunks and the next key.
    /// Throws if no episode holds T steps (<see cref="ChunkCount"/> is 0).
    /// </summary>
    public Draw<ImmutableArray<SequenceChunk<TStep>>> Sample(int batchSize, int length, Key key)
    {
        if (batchSize < 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size must be non-negative");
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), "length must be positive");
        var episodes = episodeStarts.Length;
        var cumulative = new int[episodes]; // cumulative[e] = admissible starts in episodes 0..e
        var total = 0;
        for (var e = 0; e < episodes; e++)
        {
            total += ChunksIn(e, length);
            cumulative[e] = total;
        }
        if (total == 0)
            throw new InvalidOperationException($"no episode in the replay holds {length} consecutive steps");

        var oldest = ring.Pushed - ring.Count;
        var chunks = new SequenceChunk<TStep>[batchSize];
        for (var b = 0; b < batchSize; b++)
        {
            var (u, nextKey) = key.NextInt(total);
            key = nextKey;
            var e = FirstAbove(cumulative, u);
            var before = e == 0 ? 0 : cumulative[e - 1];
            var runStart = Math.Max(episodeStarts[e], oldest);
            var start = runStart + (u - before);
            var steps = new TStep[length];
            for (var t = 0; t < length; t++) steps[t] = ring[(int)(start + t - oldest)];
            chunks[b] = new SequenceChunk<TStep>(Immutable.Freeze(steps), start == episodeStarts[e]);
        }
        return new Draw<ImmutableArray<SequenceChunk<TStep>>>(Immutable.Freeze(chunks), key);
    }

    /// <summary>max(0, held_e − T + 1) for the e-th episode run held.</summary>
    private int ChunksIn(int e, int length)
    {
        var oldest = ring.Pushed - ring.Count;
        var start = Math.Max(episodeStarts[e], oldest);
        var end = e + 1 < episodeStarts.Length ? episodeStarts[e + 1] : ring.Pushed;
        return (int)Math.Max(0, end - start - length + 1);
    }

    /// <summary>The smallest e with cumulative[e] &gt; u (binary search over a non-decreasing array).</summary>
    private static int FirstAbove(int[] cumulative, int u)
    {
        var lo = 0;
        var hi = cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (cumulative[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
