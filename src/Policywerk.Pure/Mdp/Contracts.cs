using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Mdp;

/// <summary>
/// One step of experience, as dm_env and rlax see it: in <see cref="State"/> the agent took <see cref="Action"/>,
/// received <see cref="Reward"/> and arrived in <see cref="Next"/>. <see cref="Discount"/> is 0 only when
/// <see cref="Next"/> is a true terminal state (no future reward), 1 otherwise; <see cref="Last"/> marks the last step
/// of its episode, terminal <em>or</em> cut off by a time limit.
/// </summary>
/// <remarks>
/// Updates never branch on the ending: they multiply the bootstrapped tail by <see cref="Discount"/>, as rlax's
/// <c>discount_t</c>. A step cut off by a time limit has <see cref="Last"/> = true and <see cref="Discount"/> = 1, so its
/// target still bootstraps from V(s′) (Pardo et al. 2018, "Time Limits in Reinforcement Learning").
/// </remarks>
public sealed record Transition<TState, TAction>(TState State, TAction Action, double Reward, double Discount, TState Next, bool Last)
{
    /// <summary>The step reached a true terminal state: <see cref="Discount"/> = 0.</summary>
    public bool Terminal => Discount == 0.0;

    /// <summary>The step ended its episode by a time limit, not at a terminal state.</summary>
    public bool CutOff => Last && Discount != 0.0;
}

/// <summary>An episode (or a piece of one) as the ordered transitions it is made of.</summary>
public sealed record Trajectory<TState, TAction>(ImmutableArray<Transition<TState, TAction>> Steps)
{
    public static readonly Trajectory<TState, TAction> Empty = new(ImmutableArray<Transition<TState, TAction>>.Empty);

    public int Length => Steps.Length;

    /// <summary>Undiscounted sum of rewards Σ_t r_t.</summary>
    public double TotalReward
    {
        get
        {
            var sum = 0.0;
            foreach (var step in Steps) sum += step.Reward;
            return sum;
        }
    }

    public Trajectory<TState, TAction> Append(Transition<TState, TAction> step) => new(Steps.Add(step));
}

/// <summary>
/// What a world returns for one step: next state, reward, the step's discount (0 only at a true terminal state, 1
/// otherwise), whether it is the last step of its episode (terminal or cut off by a time limit), and the next key.
/// </summary>
public readonly record struct StepResult<TState>(TState Next, double Reward, double Discount, bool Last, Key Key)
{
    /// <summary>The step reached a true terminal state: <see cref="Discount"/> = 0.</summary>
    public bool Terminal => Discount == 0.0;
}

/// <summary>Builds <see cref="StepResult{TState}"/>s from the two facts a world knows: did the step reach a terminal
/// state, and did it hit the time limit.</summary>
public static class StepResult
{
    /// <summary>Discount = 0 if <paramref name="terminal"/>, else 1; Last = terminal or <paramref name="timeLimit"/>.</summary>
    public static StepResult<TState> Of<TState>(TState next, double reward, bool terminal, bool timeLimit, Key key) =>
        new(next, reward, terminal ? 0.0 : 1.0, terminal || timeLimit, key);
}

/// <summary>Writes the network input o = φ(s) of a world state into a span (no allocation per step):
/// <c>Breakout.WriteObservation</c> is one.</summary>
public delegate void ObservationWriter<in TState>(TState state, Span<double> observation);

/// <summary>
/// The world contract: reset and step as pure functions. A stochastic world draws from the key it is
/// given and returns the key to use next; a deterministic one returns the key untouched.
/// </summary>
public interface IWorld<TState, TAction>
{
    /// <summary>The first state of an episode.</summary>
    Draw<TState> Reset(Key key);

    /// <summary>s_{t+1}, r_{t+1}, discount, last ~ P(·|s_t, a_t).</summary>
    StepResult<TState> Step(TState state, TAction action, Key key);
}

/// <summary>A world whose every reward lies in [−<see cref="MaxAbsReward"/>, +<see cref="MaxAbsReward"/>]: then no return, and no
/// value, can exceed <see cref="MaxAbsReward"/>/(1 − γ) in size, and an estimate beyond that has diverged.</summary>
public interface IRewardBounded
{
    /// <summary>The largest |r| of any step.</summary>
    double MaxAbsReward { get; }
}

/// <summary>
/// A world seen through a camera and driven by a continuous action: what a pixel agent such as Dreamer needs. An
/// observation is a <see cref="Side"/> × <see cref="Side"/> frame of intensities, row-major; an action is
/// <see cref="ActionSize"/> numbers in [−1, 1].
/// </summary>
public interface IPixelWorld<TState> : IWorld<TState, ImmutableArray<double>>
{
    /// <summary>The frame's side in pixels.</summary>
    int Side { get; }

    /// <summary>The total intensity of a frame with everything in view (Σ of its pixels).</summary>
    double Intensity { get; }

    /// <summary>The number of action components.</summary>
    int ActionSize { get; }

    /// <summary>Writes the frame of <paramref name="state"/> into <paramref name="observation"/> (Side² values).</summary>
    void WriteObservation(TState state, Span<double> observation);
}

/// <summary>One possible result of an action in a known model: with <see cref="Probability"/>, land in
/// <see cref="Next"/> and receive <see cref="Reward"/>.</summary>
public readonly record struct Outcome(int Next, double Probability, double Reward);

/// <summary>
/// The known-model contract: a finite MDP whose dynamics can be queried, P(s', r | s, a).
/// States and actions are numbered 0..n−1; terminal states are absorbing with value 0.
/// </summary>
public interface IKnownModel
{
    int StateCount { get; }
    int ActionCount { get; }
    bool IsTerminal(int state);

    /// <summary>All (s', P(s'|s,a), R(s,a,s')) for taking <paramref name="action"/> in <paramref name="state"/>;
    /// the probabilities sum to 1.</summary>
    ImmutableArray<Outcome> Outcomes(int state, int action);
}
