using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Replay;
using Xunit;

namespace Policywerk.Pure.Tests.Replay;

public class SequenceReplayTests
{
    /// <summary>A step labelled by its episode and its time within the episode.</summary>
    private sealed record Step(int Episode, int T);

    private static SequenceReplay<Step> PushEpisodes(SequenceReplay<Step> replay, params int[] lengths)
    {
        var episode = replay.EpisodeCount == 0 ? 0 : 1000; // labels only need to differ between episodes
        foreach (var length in lengths)
        {
            for (var t = 0; t < length; t++) replay = replay.Push(new Step(episode, t), isFirst: t == 0);
            episode++;
        }
        return replay;
    }

    [Fact]
    public void Chunk_count_is_the_number_of_starts_inside_episodes()
    {
        var replay = PushEpisodes(SequenceReplay<Step>.Empty(100), 3, 5, 2);
        Assert.Equal(10, replay.Count);
        Assert.Equal(3, replay.EpisodeCount);
        Assert.Equal(1 + 3 + 0, replay.ChunkCount(3));
        Assert.Equal(3 + 5 + 2, replay.ChunkCount(1));
        Assert.Equal(0, replay.ChunkCount(6));
    }

    [Fact]
    public void Every_admissible_start_is_equally_likely()
    {
        var replay = PushEpisodes(SequenceReplay<Step>.Empty(100), 3, 5, 2); // T = 3: starts (0,0), (1,0), (1,1), (1,2)
        var counts = new Dictionary<(int, int), int>();
        var key = Key.FromSeed(8);
        for (var i = 0; i < 500; i++)
        {
            var (chunks, next) = replay.Sample(8, 3, key);
            key = next;
            foreach (var chunk in chunks)
            {
                var first = chunk[0];
                counts[(first.Episode, first.T)] = counts.GetValueOrDefault((first.Episode, first.T)) + 1;
                Assert.Equal(first.T == 0, chunk.StartsEpisode);
            }
        }
        Assert.Equal(4, counts.Count);
        foreach (var count in counts.Values) Assert.InRange(count, 850, 1150); // 1000 expected, σ ≈ 39
    }

    [Fact]
    public void Eviction_clips_the_oldest_episode_and_its_chunks_no_longer_start_it()
    {
        // Capacity 6, episodes of 4 and 4: the last 2 steps of episode 0 and all of episode 1 remain.
        var replay = PushEpisodes(SequenceReplay<Step>.Empty(6), 4, 4);
        Assert.Equal(6, replay.Count);
        Assert.Equal(new Step(0, 2), replay[0]);
        Assert.Equal(1 + 3, replay.ChunkCount(2));
        Assert.Equal(0 + 2, replay.ChunkCount(3));
        var (chunks, _) = replay.Sample(200, 2, Key.FromSeed(4));
        Assert.Contains(chunks, c => c[0] == new Step(0, 2) && !c.StartsEpisode);
        // One more episode of 4 evicts episode 0 entirely.
        var later = PushEpisodes(replay, 4);
        Assert.Equal(2, later.EpisodeCount);
        Assert.Equal(0 + 2, later.ChunkCount(3)); // the last 2 steps of episode 1 and all 4 of episode 2
    }

    [Fact]
    public void Collection_may_resume_mid_episode()
    {
        var replay = SequenceReplay<Step>.Empty(50);
        for (var t = 0; t < 4; t++) replay = replay.Push(new Step(0, t), isFirst: t == 0);
        // … a training phase in between …
        for (var t = 4; t < 7; t++) replay = replay.Push(new Step(0, t), isFirst: false);
        Assert.Equal(1, replay.EpisodeCount);
        Assert.Equal(1, replay.ChunkCount(7));
        var chunk = replay.Sample(1, 7, Key.FromSeed(1)).Value[0];
        Assert.Equal(Enumerable.Range(0, 7).Select(t => new Step(0, t)).ToArray(), chunk.Steps.ToArray());
        Assert.True(chunk.StartsEpisode);
    }

    [Fact]
    public void The_first_step_starts_an_episode_whatever_its_flag()
    {
        var replay = SequenceReplay<Step>.Empty(10).Push(new Step(0, 0), isFirst: false).Push(new Step(0, 1), isFirst: false);
        Assert.Equal(1, replay.EpisodeCount);
        Assert.True(replay.Sample(1, 2, Key.FromSeed(2)).Value[0].StartsEpisode);
    }

    [Fact]
    public void Sampling_without_a_long_enough_episode_fails_clearly()
    {
        var replay = PushEpisodes(SequenceReplay<Step>.Empty(10), 2, 3);
        Assert.Throws<InvalidOperationException>(() => replay.Sample(4, 4, Key.FromSeed(3)));
        Assert.Throws<InvalidOperationException>(() => SequenceReplay<Step>.Empty(10).Sample(1, 1, Key.FromSeed(3)));
    }

    [Property(MaxTest = 200)]
    public void Chunks_are_consecutive_steps_of_one_episode_and_keyed(ulong seed, PositiveInt c)
    {
        // Random episode lengths 1..40 into a replay of capacity 20..219, sampled with T = 1..12.
        var key = Key.FromSeed(seed);
        var capacity = 20 + c.Get % 200;
        var replay = SequenceReplay<Step>.Empty(capacity);
        var (episodes, k0) = key.NextInt(15);
        key = k0;
        for (var e = 0; e <= episodes; e++)
        {
            var (length, k1) = key.NextInt(40);
            key = k1;
            for (var t = 0; t <= length; t++) replay = replay.Push(new Step(e, t), isFirst: t == 0);
        }
        var (lengthMinus1, k2) = key.NextInt(12);
        var chunkLength = lengthMinus1 + 1;
        Assert.InRange(replay.Count, 1, capacity);
        if (replay.ChunkCount(chunkLength) == 0)
        {
            Assert.Throws<InvalidOperationException>(() => replay.Sample(4, chunkLength, k2));
            return;
        }
        var (chunks, next) = replay.Sample(16, chunkLength, k2);
        Assert.Equal(16, chunks.Length);
        foreach (var chunk in chunks)
        {
            Assert.Equal(chunkLength, chunk.Length);
            for (var t = 1; t < chunk.Length; t++)
                Assert.Equal(chunk[0] with { T = chunk[0].T + t }, chunk[t]);
            Assert.Equal(chunk[0].T == 0, chunk.StartsEpisode);
        }
        var again = replay.Sample(16, chunkLength, k2);
        Assert.Equal(next, again.Next);
        for (var b = 0; b < 16; b++) Assert.Equal(chunks[b].Steps.ToArray(), again.Value[b].Steps.ToArray());
    }
}
