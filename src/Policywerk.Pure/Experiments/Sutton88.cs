using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Experiments;

using Policywerk.Pure.Numerics;

/// <summary>Figure 3's protocol: repeated presentations of one training set until the weights stop changing.</summary>
/// <param name="Lambdas">λ values (the paper: 0, .1, .3, .5, .7, .9, 1).</param>
/// <param name="Sequences">Walks per training set (10).</param>
/// <param name="Alpha">Step size; the fixed point does not depend on it as long as it is small enough to converge.</param>
/// <param name="Tolerance">Converged when one presentation changes no weight by more than this.</param>
/// <param name="MaxPresentations">Give up (Converged = false) after this many presentations.</param>
/// <param name="InitialValue">Starting weights (the limit does not depend on them).</param>
public sealed record Figure3Config(ImmutableArray<double> Lambdas, int Sequences = 10, double Alpha = 0.01,
    double Tolerance = 1e-7, int MaxPresentations = 100_000, double InitialValue = 0.5)
{
    /// <summary>The paper's seven λ values.</summary>
    public static Figure3Config Paper { get; } = new([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]);

    /// <summary>The knobs of every field but the λ axis itself.</summary>
    public static readonly IReadOnlyList<Knob<Figure3Config>> Knobs =
    [
        .. TrainingSetKnobs.Of<Figure3Config>(c => c.Sequences, (c, v) => c with { Sequences = v }, c => c.InitialValue, (c, v) => c with { InitialValue = v }),
        new("alpha", "α", "step size of each presentation's summed update", 1e-6, 1.0, false, nameof(Alpha), c => c.Alpha, (c, v) => c with { Alpha = v }),
        new("tolerance", "tolerance", "a set has converged when no weight moves by more than this", 1e-15, 1.0, false, nameof(Tolerance),
            c => c.Tolerance, (c, v) => c with { Tolerance = v }),
        new("max_presentations", "max presentations", "a cap on the presentations of a set", 1, 10_000_000, true, nameof(MaxPresentations),
            c => c.MaxPresentations, (c, v) => c with { MaxPresentations = (int)v }),
    ];
}

/// <summary>The knobs both of Sutton's training-set protocols have: walks per set and the values before learning.</summary>
internal static class TrainingSetKnobs
{
    public static Knob<T>[] Of<T>(Func<T, int> sequences, Func<T, int, T> withSequences, Func<T, double> initial, Func<T, double, T> withInitial) =>
    [
        new("sequences", "walks", "walks in a training set", 1, 10_000, true, "Sequences", c => sequences(c), (c, v) => withSequences(c, (int)v)),
        new("v0", "V₀", "every walk state's value before learning", -10.0, 10.0, false, "InitialValue", initial, withInitial),
    ];
}

/// <summary>One λ on one training set: the RMS error of the converged predictions.</summary>
public sealed record Figure3Point(double Lambda, double Rms, int Presentations, bool Converged);

/// <summary>One training set's Figure 3 (one point per λ).</summary>
public sealed record Figure3Run(ImmutableArray<Figure3Point> Points);

/// <summary>Figures 4 and 5's protocol: each training set presented once, weights updated after each sequence.</summary>
/// <param name="Lambdas">λ values (0, 0.1, …, 1).</param>
/// <param name="Alphas">α grid (0, 0.05, …, 0.6, as Figure 4's axis).</param>
/// <param name="Sequences">Walks per training set (10).</param>
/// <param name="InitialValue">All weights start at 0.5, "so that there was no bias either toward right-side or left-side terminations".</param>
public sealed record Figure45Config(ImmutableArray<double> Lambdas, ImmutableArray<double> Alphas, int Sequences = 10,
    double InitialValue = 0.5)
{
    public static Figure45Config Paper { get; } = new(
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
        [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]);

    /// <summary>The knobs of every field but the λ and α axes themselves.</summary>
    public static readonly IReadOnlyList<Knob<Figure45Config>> Knobs =
        TrainingSetKnobs.Of<Figure45Config>(c => c.Sequences, (c, v) => c with { Sequences = v }, c => c.InitialValue, (c, v) => c with { InitialValue = v });
}

/// <summary>One training set's errors: <see cref="Rms"/>[i][j] for λ = Lambdas[i], α = Alphas[j].</summary>
public sealed record Figure45Run(ImmutableArray<double> Lambdas, ImmutableArray<double> Alphas,
    ImmutableArray<ImmutableArray<double>> Rms);

/// <summary>Mean and 95% CI of one λ's error over training sets.</summary>
public sealed record LambdaPoint(double Lambda, Summary Rms);

/// <summary>Figure 4: one curve per λ, error against α.</summary>
public sealed record AlphaCurve(double Lambda, ImmutableArray<double> Alphas, ImmutableArray<Summary> Rms);

/// <summary>Figure 5: for each λ, the α with the lowest mean error and that error.</summary>
public sealed record BestAlphaPoint(double Lambda, double BestAlpha, Summary Rms);

public sealed record Figure45Summary(ImmutableArray<AlphaCurve> Figure4, ImmutableArray<BestAlphaPoint> Figure5);

/// <summary>
/// Sutton (1988), "Learning to predict by the methods of temporal differences", §3.2: the bounded random walk
/// (our states A–E are the paper's B–F), outcome z = 1 on the right. Each function here is one training set of
/// the paper's 100 — the shell runs many over split keys and aggregates with the Summarize functions.
/// </summary>
public static class Sutton88
{
    private static readonly RandomWalk Walk = new();

    /// <summary>
    /// Figure 3 for one training set: for each λ, w ← w + Σ_{sequences} Δw (eq. 4, increments accumulated over the
    /// whole set, w fixed during the presentation) until no weight changes by more than the tolerance; then
    /// RMS(w, ideal predictions 1/6 … 5/6).
    /// </summary>
    public static Figure3Run Figure3(Figure3Config c, Key key)
    {
        var trainingSet = Walk.SampleMany(c.Sequences, key);
        var points = new Figure3Point[c.Lambdas.Length];
        for (var i = 0; i < points.Length; i++)
        {
            var lambda = c.Lambdas[i];
            var v = Walk.InitialValues(c.InitialValue);
            var presentations = 0;
            var converged = false;
            while (!converged && presentations < c.MaxPresentations)
            {
                var next = TemporalDifference.Batch(v, trainingSet, c.Alpha, 1.0, lambda, TraceKind.Accumulating);
                converged = next.MaxDifference(v) < c.Tolerance;
                v = next;
                presentations++;
            }
            points[i] = new Figure3Point(lambda, TemporalDifference.RmsError(v, Walk.TrueValues, Walk.WalkStates), presentations, converged);
        }
        return new Figure3Run(points.Freeze());
    }

    /// <summary>
    /// Figures 4 and 5 for one training set: for each (λ, α), weights start at 0.5, each of the 10 sequences is
    /// presented once and the weights are updated after each sequence (offline TD(λ) within it); then RMS.
    /// </summary>
    public static Figure45Run Figure45(Figure45Config c, Key key)
    {
        var trainingSet = Walk.SampleMany(c.Sequences, key);
        var rows = new ImmutableArray<double>[c.Lambdas.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = new double[c.Alphas.Length];
            for (var j = 0; j < row.Length; j++)
            {
                var v = Walk.InitialValues(c.InitialValue);
                foreach (var sequence in trainingSet)
                    v = TemporalDifference.TdLambdaOffline(v, sequence, c.Alphas[j], 1.0, c.Lambdas[i], TraceKind.Accumulating);
                row[j] = TemporalDifference.RmsError(v, Walk.TrueValues, Walk.WalkStates);
            }
            rows[i] = row.Freeze();
        }
        return new Figure45Run(c.Lambdas, c.Alphas, rows.Freeze());
    }

    /// <summary>Mean RMS and 95% CI per λ over training sets (Figure 3).</summary>
    public static ImmutableArray<LambdaPoint> SummarizeFigure3(IReadOnlyList<Figure3Run> runs)
    {
        var lambdas = runs[0].Points.Length;
        var points = new LambdaPoint[lambdas];
        var column = new double[runs.Count];
        for (var i = 0; i < lambdas; i++)
        {
            for (var r = 0; r < runs.Count; r++) column[r] = runs[r].Points[i].Rms;
            points[i] = new LambdaPoint(runs[0].Points[i].Lambda, Statistics.Summarize(column));
        }
        return points.Freeze();
    }

    /// <summary>Figure 4 (mean RMS vs α per λ) and Figure 5 (per λ, the α with the lowest mean RMS — chosen after
    /// averaging, as the paper chose it from Figure 4).</summary>
    public static Figure45Summary SummarizeFigure45(IReadOnlyList<Figure45Run> runs)
    {
        var first = runs[0];
        var sweep = AlphaSweep.Summarize(runs.Select(r => r.Rms).ToArray());
        return new Figure45Summary(
            sweep.Select((s, i) => new AlphaCurve(first.Lambdas[i], first.Alphas, s.Means)).ToImmutableArray(),
            sweep.Select((s, i) => new BestAlphaPoint(first.Lambdas[i], first.Alphas[s.Best], s.Means[s.Best])).ToImmutableArray());
    }
}
