using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Mdp;

/// <summary>An episode played out: the agent after it, what happened, the key to use next, and whether it
/// was cut off by the step cap rather than ended by the world.</summary>
public sealed record EpisodeResult<TState, TAction, TAgent>(TAgent Agent, Trajectory<TState, TAction> Trajectory,
                                                             Key Next, bool Truncated);

/// <summary>The one episode loop, as a pure fold: every lesson's agent and world go through it.</summary>
public static class Episodes
{
    /// <summary>
    /// s_0 ~ reset; for t = 0, 1, …: a_t ~ act(agent, s_t), (s_{t+1}, r_{t+1}, done) ~ step(s_t, a_t),
    /// agent ← learn(agent, (s_t, a_t, r_{t+1}, s_{t+1}, done)); until done or <paramref name="maxSteps"/>.
    /// </summary>
    /// <remarks>The key is split before every use: one child for the action, one for the world.</remarks>
    public static EpisodeResult<TState, TAction, TAgent> Run<TState, TAction, TAgent>(
        IWorld<TState, TAction> world, TAgent agent, Key key, int maxSteps,
        Func<TAgent, TState, Key, TAction> act,
        Func<TAgent, Transition<TState, TAction>, TAgent> learn)
    {
        var (resetKey, rest) = key.Split();
        var state = world.Reset(resetKey).Value;
        var steps = ImmutableArray.CreateBuilder<Transition<TState, TAction>>();
        var done = false;
        while (!done && steps.Count < maxSteps)
        {
            var (actKey, afterAct) = rest.Split();
            var (stepKey, afterStep) = afterAct.Split();
            rest = afterStep;
            var action = act(agent, state, actKey);
            var result = world.Step(state, action, stepKey);
            var transition = new Transition<TState, TAction>(state, action, result.Reward, result.Next, result.Done);
            agent = learn(agent, transition);
            steps.Add(transition);
            state = result.Next;
            done = result.Done;
        }
        return new EpisodeResult<TState, TAction, TAgent>(agent, new Trajectory<TState, TAction>(steps.ToImmutable()), rest, !done);
    }

    /// <summary>An episode with a fixed policy π and no learning.</summary>
    public static EpisodeResult<TState, TAction, TPolicy> Play<TState, TAction, TPolicy>(
        IWorld<TState, TAction> world, TPolicy policy, Key key, int maxSteps,
        Func<TPolicy, TState, Key, TAction> act) =>
        Run(world, policy, key, maxSteps, act, static (p, _) => p);
}
