using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Mdp;

/// <summary>
/// One step of experience: in <see cref="State"/> the agent took <see cref="Action"/>, received
/// <see cref="Reward"/> and arrived in <see cref="Next"/>; <see cref="Done"/> marks the end of the episode.
/// </summary>
/// <remarks>
/// Updates never branch on <see cref="Done"/>: they multiply the bootstrapped tail by
/// <see cref="Continuation"/> (1 while the episode goes on, 0 at its end), as rlax's <c>discount_t</c>.
/// </remarks>
public sealed record Transition<TState, TAction>(TState State, TAction Action, double Reward, TState Next, bool Done)
{
    /// <summary>c_t = 0 at a terminal step, 1 otherwise: the factor in front of γ·V(s').</summary>
    public double Continuation => Done ? 0.0 : 1.0;
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

/// <summary>What a world returns for one step: next state, reward, whether the episode ended, and the next key.</summary>
public readonly record struct StepResult<TState>(TState Next, double Reward, bool Done, Key Key);

/// <summary>
/// The world contract: reset and step as pure functions. A stochastic world draws from the key it is
/// given and returns the key to use next; a deterministic one returns the key untouched.
/// </summary>
public interface IWorld<TState, TAction>
{
    /// <summary>The first state of an episode.</summary>
    Draw<TState> Reset(Key key);

    /// <summary>s_{t+1}, r_{t+1}, done ~ P(·|s_t, a_t).</summary>
    StepResult<TState> Step(TState state, TAction action, Key key);
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
