using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Experiments;

/// <summary>Sutton &amp; Barto (2018) Figure 7.2's protocol: n-step TD on the 19-state random walk (−1 on the left, +1 on
/// the right, γ = 1), values starting at 0; each run's error is the RMS error over the walk states after each of its
/// first episodes, averaged over those episodes.</summary>
/// <param name="Ns">The n of each curve (1, 2, 4, …, 512).</param>
/// <param name="Alphas">The step sizes α (0, 0.05, …, 1).</param>
/// <param name="Size">Walk states (19).</param>
/// <param name="Episodes">Episodes per run (10).</param>
/// <param name="InitialValue">Every walk state's value before learning (0).</param>
public sealed record NStepConfig(ImmutableArray<int> Ns, ImmutableArray<double> Alphas, int Size = 19, int Episodes = 10,
    double InitialValue = 0.0)
{
    public static NStepConfig Book { get; } = new(
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
        [.. Enumerable.Range(0, 21).Select(i => i / 20.0)]);

    /// <summary>The knobs of every field but the n and α axes themselves.</summary>
    public static readonly IReadOnlyList<Knob<NStepConfig>> Knobs =
    [
        new("size", "states", "walk states (odd, so that the walk starts in the middle)", 3, 99, true, "Size", c => c.Size, (c, v) => c with { Size = (int)v }),
        new("episodes", "episodes", "episodes per run, the error averaged over them", 1, 10_000, true, "Episodes", c => c.Episodes, (c, v) => c with { Episodes = (int)v }),
        new("v0", "V₀", "every walk state's value before learning", -10.0, 10.0, false, "InitialValue", c => c.InitialValue, (c, v) => c with { InitialValue = v }),
    ];

    /// <summary>The walk: <see cref="Size"/> states, −1 for leaving on the left, +1 on the right.</summary>
    public RandomWalk Walk => new(Size, LeftReward: -1.0);
}

/// <summary>One run's errors: <see cref="Rms"/>[i][j] for n = Ns[i], α = Alphas[j].</summary>
public sealed record NStepRun(ImmutableArray<int> Ns, ImmutableArray<double> Alphas, ImmutableArray<ImmutableArray<double>> Rms);

/// <summary>Sutton &amp; Barto Figure 7.2, one run: the same episodes for every (n, α).</summary>
public static class NStepWalk
{
    /// <summary>For each (n, α): V starts at <see cref="NStepConfig.InitialValue"/>, each episode is learned from with
    /// <see cref="TemporalDifference.NStepEpisode"/> (γ = 1), and the RMS error against the true values after each episode
    /// is averaged over the episodes.</summary>
    public static NStepRun Run(NStepConfig c, Key key)
    {
        var walk = c.Walk;
        var episodes = walk.SampleMany(c.Episodes, key);
        var truth = walk.TrueValues;
        var states = walk.WalkStates;
        var rows = new ImmutableArray<double>[c.Ns.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = new double[c.Alphas.Length];
            for (var j = 0; j < row.Length; j++)
            {
                var v = walk.InitialValues(c.InitialValue);
                var sum = 0.0;
                foreach (var episode in episodes)
                {
                    v = TemporalDifference.NStepEpisode(v, episode, c.Alphas[j], 1.0, c.Ns[i]);
                    sum += TemporalDifference.RmsError(v, truth, states);
                }
                row[j] = sum / episodes.Length;
            }
            rows[i] = row.Freeze();
        }
        return new NStepRun(c.Ns, c.Alphas, rows.Freeze());
    }
}
