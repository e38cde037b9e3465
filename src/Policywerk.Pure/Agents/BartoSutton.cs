using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Agents;

using Policywerk.Pure.Numerics;

/// <summary>One box's part in a <see cref="BartoSutton.Learn"/> step: its critic trace ē and actor trace e after the step,
/// and the weight changes Δv = β·r̂·ē and Δw = α·r̂·e.</summary>
public readonly record struct BoxChange(int Box, double CriticTrace, double CriticChange, double ActorTrace, double ActorChange);

/// <summary>The terms of one <see cref="BartoSutton.Learn"/> step (<see cref="BartoSutton.Explain"/>).</summary>
public sealed record BartoSuttonTerms(int Box, int NextBox, int Action, double Reinforcement, double Gamma, double Discount,
    double Prediction, double PreviousPrediction, double TdError, ImmutableArray<BoxChange> Changes);

/// <summary>Hyperparameters of the ACE/ASE pair (defaults: lesson 02, after Barto, Sutton &amp; Anderson 1983).</summary>
/// <param name="Gamma">Discount γ of the critic's prediction.</param>
/// <param name="ActorAlpha">ASE learning rate α (large: with one-hot input only one weight moves per step).</param>
/// <param name="CriticBeta">ACE learning rate β.</param>
/// <param name="TraceDecay">Decay of both traces per step (the paper's δ for the ASE and λ for the ACE).</param>
/// <param name="NoiseSigma">σ of the Gaussian exploration noise added to the ASE's weighted sum.</param>
/// <param name="Episodes">Training episodes.</param>
public sealed record BartoSuttonConfig(
    double Gamma = 0.95,
    double ActorAlpha = 10.0,
    double CriticBeta = 0.1,
    double TraceDecay = 0.5,
    double NoiseSigma = 0.1,
    int Episodes = 100)
{
    /// <summary>Every field a learner may set, by its short name.</summary>
    public static readonly IReadOnlyList<Knob<BartoSuttonConfig>> Knobs =
    [
        new("gamma", "γ", "discount of the critic's prediction", 0.0, 1.0, false, nameof(Gamma), c => c.Gamma, (c, v) => c with { Gamma = v }),
        new("alpha", "α", "the actor's (ASE's) learning rate", 0.0, 1000.0, false, nameof(ActorAlpha), c => c.ActorAlpha, (c, v) => c with { ActorAlpha = v }),
        new("beta", "β", "the critic's (ACE's) learning rate", 0.0, 100.0, false, nameof(CriticBeta), c => c.CriticBeta, (c, v) => c with { CriticBeta = v }),
        new("decay", "decay", "how much of each trace is left after a step", 0.0, 1.0, false, nameof(TraceDecay), c => c.TraceDecay, (c, v) => c with { TraceDecay = v }),
        new("noise", "σ", "the actor's exploration noise", 0.0, 100.0, false, nameof(NoiseSigma), c => c.NoiseSigma, (c, v) => c with { NoiseSigma = v }),
        new("episodes", "episodes", "training episodes", 1, 100_000, true, nameof(Episodes), c => c.Episodes, (c, v) => c with { Episodes = (int)v }),
    ];
}

/// <summary>
/// The two neuronlike elements: the ASE (actor) weights w and the ACE (critic) weights v, one per box, their
/// eligibility traces, and the critic's previous prediction p(t−1) that the next TD error compares against.
/// </summary>
public sealed record BartoSuttonModel(
    ImmutableArray<double> ActorWeights,
    ImmutableArray<double> CriticWeights,
    EligibilityTrace ActorTrace,
    EligibilityTrace CriticTrace,
    double PreviousPrediction);

/// <summary>
/// Barto, Sutton &amp; Anderson (1983), "Neuronlike adaptive elements that can solve difficult learning control
/// problems", on the cart-less <see cref="Balance"/>: the state is quantised into 6 angle × 6 velocity boxes
/// (one-hot input x), the ASE chooses y = [w·x + noise ≥ 0] (1 = push right), and the ACE predicts p = v·x
/// and turns the failure signal into the TD error r̂ that trains both. Order of operations as the Python original.
/// </summary>
public static class BartoSutton
{
    public const int AngleBins = 6;
    public const int VelocityBins = 6;
    public const int BoxCount = AngleBins * VelocityBins;

    private static ReadOnlySpan<double> AngleEdges => [-0.2, -0.1, 0.0, 0.1, 0.2];
    private static ReadOnlySpan<double> VelocityEdges => [-1.0, -0.5, 0.0, 0.5, 1.0];

    /// <summary>The box of a state: angleBin·6 + velocityBin, where bin i holds values below edge i
    /// (angle edges −0.2 −0.1 0 0.1 0.2 rad; velocity edges −1 −0.5 0 0.5 1 rad/s).</summary>
    public static int Box(BalanceState s) => Bin(s.Angle, AngleEdges) * VelocityBins + Bin(s.AngularVelocity, VelocityEdges);

    private static int Bin(double value, ReadOnlySpan<double> edges)
    {
        for (var i = 0; i < edges.Length; i++) if (value < edges[i]) return i;
        return edges.Length;
    }

    /// <summary>All weights and traces 0.</summary>
    public static BartoSuttonModel Initial() => new(
        Immutable.Filled(BoxCount, 0.0), Immutable.Filled(BoxCount, 0.0),
        EligibilityTrace.Zeros(BoxCount), EligibilityTrace.Zeros(BoxCount), 0.0);

    /// <summary>Traces cleared and p(t−1) = v·x(s₀): the model ready for an episode starting in <paramref name="start"/>.</summary>
    public static BartoSuttonModel BeginEpisode(BartoSuttonModel m, BalanceState start) => m with
    {
        ActorTrace = EligibilityTrace.Zeros(BoxCount),
        CriticTrace = EligibilityTrace.Zeros(BoxCount),
        PreviousPrediction = m.CriticWeights[Box(start)],
    };

    /// <summary>y = 1 (push right) if w·x + σ·ε ≥ 0 else 0 (push left), ε ~ N(0, 1).</summary>
    public static Draw<int> Act(BartoSuttonModel m, BalanceState s, double noiseSigma, Key key)
    {
        var (noise, next) = key.NextGaussian();
        return new Draw<int>(m.ActorWeights[Box(s)] + noiseSigma * noise >= 0.0 ? 1 : 0, next);
    }

    /// <summary>
    /// The paper's reinforcement: r = −1 on failure, 0 otherwise (the world pays 0 on the failing step and 1 on
    /// every other, including the last step of a 500-step success).
    /// </summary>
    public static double Reinforcement(Transition<BalanceState, int> t) => IsFailure(t) ? -1.0 : 0.0;

    /// <summary>A fall is the world's terminal step (discount 0); reaching the step cap is a time limit and keeps bootstrapping.</summary>
    public static bool IsFailure(Transition<BalanceState, int> t) => t.Terminal;

    /// <summary>
    /// r̂ = r + γ·d·p(t) − p(t−1),  p(t) = v·x(s'),  d = the step's discount (0 on failure);
    /// ē ← decay·ē + x(s);  v ← v + β·r̂·ē   (ACE);
    /// e ← decay·e + (y − ½)·x(s);  w ← w + α·r̂·e   (ASE)
    /// </summary>
    public static BartoSuttonModel Learn(BartoSuttonConfig c, BartoSuttonModel m, Transition<BalanceState, int> t)
    {
        var box = Box(t.State);
        var prediction = m.CriticWeights[Box(t.Next)];
        var tdError = Reinforcement(t) + c.Gamma * t.Discount * prediction - m.PreviousPrediction;

        var criticTrace = m.CriticTrace.DecayThenAdd(c.TraceDecay, box, 1.0);
        var actorTrace = m.ActorTrace.DecayThenAdd(c.TraceDecay, box, t.Action - 0.5);
        return new BartoSuttonModel(
            AddScaled(m.ActorWeights, actorTrace.Values, c.ActorAlpha * tdError),
            AddScaled(m.CriticWeights, criticTrace.Values, c.CriticBeta * tdError),
            actorTrace, criticTrace, prediction);
    }

    /// <summary>
    /// <see cref="Learn"/> with its terms named: the boxes of s and s′, the reinforcement r, the predictions p(t) and
    /// p(t−1), the TD error r̂, and for every box whose trace is not zero after this step its traces and weight changes
    /// β·r̂·ē and α·r̂·e — the same operations in the same order, so that w + Δw and v + Δv are Learn's weights bit for bit.
    /// </summary>
    public static BartoSuttonTerms Explain(BartoSuttonConfig c, BartoSuttonModel m, Transition<BalanceState, int> t)
    {
        var box = Box(t.State);
        var nextBox = Box(t.Next);
        var prediction = m.CriticWeights[nextBox];
        var reinforcement = Reinforcement(t);
        var tdError = reinforcement + c.Gamma * t.Discount * prediction - m.PreviousPrediction;
        var criticTrace = m.CriticTrace.DecayThenAdd(c.TraceDecay, box, 1.0);
        var actorTrace = m.ActorTrace.DecayThenAdd(c.TraceDecay, box, t.Action - 0.5);
        double actorScale = c.ActorAlpha * tdError, criticScale = c.CriticBeta * tdError;
        var changes = ImmutableArray.CreateBuilder<BoxChange>();
        for (var b = 0; b < BoxCount; b++)
            if (criticTrace.Values[b] != 0.0 || actorTrace.Values[b] != 0.0)
                changes.Add(new BoxChange(b, criticTrace.Values[b], criticScale * criticTrace.Values[b], actorTrace.Values[b],
                    actorScale * actorTrace.Values[b]));
        return new BartoSuttonTerms(box, nextBox, t.Action, reinforcement, c.Gamma, t.Discount, prediction, m.PreviousPrediction, tdError,
            changes.ToImmutable());
    }

    /// <summary>w + scale·e, built once.</summary>
    private static ImmutableArray<double> AddScaled(ImmutableArray<double> w, ImmutableArray<double> e, double scale)
    {
        var next = new double[w.Length];
        for (var i = 0; i < next.Length; i++) next[i] = w[i] + scale * e[i];
        return next.Freeze();
    }

    /// <summary>
    /// One training episode on <paramref name="world"/>: reset from the key, begin the episode, then the act/learn
    /// fold until failure or the step cap. Noise σ from the config; pass a config with α = β = 0, σ = 0 to evaluate.
    /// </summary>
    public static LearnedEpisode<BalanceState, int, BartoSuttonModel> Episode(
        BartoSuttonConfig c, Balance world, BartoSuttonModel m, Key key)
    {
        var (resetKey, runKey) = key.Split();
        var start = world.Reset(resetKey).Value;
        return Episodes.Learn(world.Discrete(), BeginEpisode(m, start),
            (model, s, k) => Act(model, s, c.NoiseSigma, k),
            (model, t) => Learn(c, model, t),
            start, runKey, world.Constants.MaxSteps);
    }
}
