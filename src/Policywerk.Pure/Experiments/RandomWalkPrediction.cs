using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Experiments;

using Policywerk.Pure.Numerics;

/// <summary>The prediction methods of lesson 03.</summary>
public enum PredictionMethod { TdZero, TdLambda, MonteCarloFirstVisit, MonteCarloEveryVisit }

/// <summary>Lesson 03's training (defaults: 100 episodes, α 0.1, γ 1, V₀ = 0.5).</summary>
/// <param name="Episodes">Walks to learn from.</param>
/// <param name="Alpha">Step size α.</param>
/// <param name="Gamma">Discount γ (errors are measured against the true values at this γ: 1/6 … 5/6 at γ = 1).</param>
/// <param name="InitialValue">V₀ of every walk state (terminals are 0).</param>
/// <param name="Lambda">λ for <see cref="PredictionMethod.TdLambda"/> (online); lesson 03 explains a step of TD(λ) at this λ.</param>
/// <param name="Trace">Trace kind for <see cref="PredictionMethod.TdLambda"/>.</param>
/// <param name="WalkSize">Number of walk states (5: A–E).</param>
public sealed record PredictionConfig(int Episodes = 100, double Alpha = 0.1, double Gamma = 1.0,
    double InitialValue = 0.5, double Lambda = 0.0, TraceKind Trace = TraceKind.Accumulating, int WalkSize = 5)
{
    /// <summary>Every field a learner may set, by its short name.</summary>
    public static readonly IReadOnlyList<Knob<PredictionConfig>> Knobs =
    [
        new("episodes", "episodes", "walks every method learns from", 1, 100_000, true, nameof(Episodes),
            c => c.Episodes, (c, v) => c with { Episodes = (int)v }),
        new("alpha", "α", "step size: how far each update moves V(s) toward its target", 0.0, 1.0, false, nameof(Alpha),
            c => c.Alpha, (c, v) => c with { Alpha = v }),
        new("gamma", "γ", "discount: what the outcome one step later is worth now (errors against the true values at this γ)", 0.0, 1.0, false,
            nameof(Gamma), c => c.Gamma, (c, v) => c with { Gamma = v }),
        new("v0", "V₀", "every walk state's value before learning", -10.0, 10.0, false, nameof(InitialValue),
            c => c.InitialValue, (c, v) => c with { InitialValue = v }),
        new("lambda", "λ", "trace decay of TD(λ): how far back each TD error reaches (0: TD(0), 1: like Monte Carlo)", 0.0, 1.0, false,
            nameof(Lambda), c => c.Lambda, (c, v) => c with { Lambda = v }),
        new("trace", "trace", "TD(λ)'s traces: 0 accumulating (a revisit adds 1), 1 replacing (a revisit resets to 1)", 0, 1, true,
            nameof(Trace), c => (int)c.Trace, (c, v) => c with { Trace = (TraceKind)(int)v }),
        new("states", "n", "walk states in the row (5: A to E; 19 is Sutton and Barto's larger walk)", 3, 26, true, nameof(WalkSize),
            c => c.WalkSize, (c, v) => c with { WalkSize = (int)v }),
    ];
}

/// <summary>One prediction run: the walks seen, the values and RMS error after each episode, and the final values.</summary>
public sealed record PredictionRun(PredictionMethod Method, ImmutableArray<Trajectory<int, int>> Walks,
    ImmutableArray<VTable> ValuesAfterEpisode, ImmutableArray<double> RmsAfterEpisode, VTable Final);

/// <summary>
/// Learning V of the 50/50 random walk. The walks come from the key alone (the policy does not depend on V), so
/// the same key gives every method the same walks — the comparison of lesson 03 is on identical experience.
/// </summary>
public static class RandomWalkPrediction
{
    public static PredictionRun Train(PredictionMethod method, PredictionConfig c, Key key)
    {
        var walk = new RandomWalk(c.WalkSize);
        var walks = walk.SampleMany(c.Episodes, key);
        var truth = walk.TrueValuesFor(c.Gamma);
        var states = walk.WalkStates;
        var v = walk.InitialValues(c.InitialValue);
        var values = new VTable[c.Episodes];
        var rms = new double[c.Episodes];
        for (var e = 0; e < c.Episodes; e++)
        {
            v = method switch
            {
                PredictionMethod.TdZero => TemporalDifference.TdZeroEpisode(v, walks[e], c.Alpha, c.Gamma),
                PredictionMethod.TdLambda => TemporalDifference.TdLambdaEpisode(v, walks[e], c.Alpha, c.Gamma, c.Lambda, c.Trace),
                PredictionMethod.MonteCarloFirstVisit => TemporalDifference.MonteCarlo(v, walks[e], c.Alpha, c.Gamma, MonteCarloVisits.First),
                PredictionMethod.MonteCarloEveryVisit => TemporalDifference.MonteCarlo(v, walks[e], c.Alpha, c.Gamma, MonteCarloVisits.Every),
                _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown prediction method"),
            };
            values[e] = v;
            rms[e] = TemporalDifference.RmsError(v, truth, states);
        }
        return new PredictionRun(method, walks, values.Freeze(), rms.Freeze(), v);
    }
}
