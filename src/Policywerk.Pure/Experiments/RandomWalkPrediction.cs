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
/// <param name="Gamma">Discount γ (the true values 1/6 … 5/6 assume γ = 1).</param>
/// <param name="InitialValue">V₀ of every walk state (terminals are 0).</param>
/// <param name="Lambda">λ for <see cref="PredictionMethod.TdLambda"/> (online).</param>
/// <param name="Trace">Trace kind for <see cref="PredictionMethod.TdLambda"/>.</param>
/// <param name="WalkSize">Number of walk states (5: A–E).</param>
public sealed record PredictionConfig(int Episodes = 100, double Alpha = 0.1, double Gamma = 1.0,
    double InitialValue = 0.5, double Lambda = 0.0, TraceKind Trace = TraceKind.Accumulating, int WalkSize = 5);

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
        var truth = walk.TrueValues;
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
