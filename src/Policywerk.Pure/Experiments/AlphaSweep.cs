using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Experiments;

/// <summary>One curve of a step-size sweep over runs: the mean and 95% CI of the error at every α, and the index of the
/// α with the lowest mean (the first of equal means).</summary>
public sealed record SweptCurve(ImmutableArray<Summary> Means, int Best);

/// <summary>
/// An error grid per run — one curve per setting (a λ, an n), one column per step size α — summarised over runs: what
/// a parameter study such as Sutton (1988) Figure 4 or Sutton &amp; Barto Figure 7.2 plots, and the best α of each curve
/// chosen after averaging.
/// </summary>
public static class AlphaSweep
{
    /// <summary>Per curve i and α j, <see cref="Statistics.Summarize"/> of grids[r][i][j] over the runs r; the best α per curve.</summary>
    public static ImmutableArray<SweptCurve> Summarize(IReadOnlyList<ImmutableArray<ImmutableArray<double>>> grids)
    {
        var first = grids[0];
        var curves = new SweptCurve[first.Length];
        var column = new double[grids.Count];
        for (var i = 0; i < curves.Length; i++)
        {
            var summaries = new Summary[first[i].Length];
            var best = 0;
            for (var j = 0; j < summaries.Length; j++)
            {
                for (var r = 0; r < grids.Count; r++) column[r] = grids[r][i][j];
                summaries[j] = Statistics.Summarize(column);
                if (summaries[j].Mean < summaries[best].Mean) best = j;
            }
            curves[i] = new SweptCurve(summaries.Freeze(), best);
        }
        return curves.Freeze();
    }
}
