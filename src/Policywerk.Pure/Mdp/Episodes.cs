using System.Collections.Immutable;

namespace Policywerk.Pure.Mdp;

using Policywerk.Pure.Numerics;

/// <summary>What one learning episode produced: the model after the last update and the experience it saw.</summary>
public sealed record LearnedEpisode<TState, TAction, TModel>(TModel Model, Trajectory<TState, TAction> Trajectory);

/// <summary>An agent's choice at one step: the action, and the agent after choosing it (an agent with a memory, such
/// as a recurrent belief, updates it when it acts; most agents return themselves unchanged).</summary>
public readonly record struct Decision<TAction, TAgent>(TAction Action, TAgent Agent);

/// <summary>
/// What <see cref="Episodes.Unroll{TState,TAction,TAgent}"/> produced: the agent after its last step, the steps taken,
/// the state the world is in after them, and the key to continue with.
/// </summary>
public sealed record Unrolled<TState, TAction, TAgent>(TAgent Agent, Trajectory<TState, TAction> Trajectory, TState State, Key Key)
{
    /// <summary>The last step taken ended its episode (terminal or cut off by the world's time limit).</summary>
    public bool EpisodeEnded => Trajectory.Length > 0 && Trajectory.Steps[^1].Last;
}

/// <summary>
/// The episode unroll, the one loop that steps an agent through any <see cref="IWorld{TState,TAction}"/>. Each step
/// splits the key: one half for the agent's decision, one for the world, so an agent's draws never shift the world's.
/// </summary>
public static class Episodes
{
    /// <summary>
    /// From s_0 = <paramref name="start"/>, for t = 0, 1, …: (a_t, agent) = act(agent, s_t); (s_{t+1}, r_t, d_t,
    /// last_t) ~ P(·|s_t, a_t); agent = learn(agent, (s_t, a_t, r_t, d_t, s_{t+1}, last_t)); until a step is the last
    /// of its episode, <paramref name="maxSteps"/> steps have been taken, or <paramref name="stop"/> says so.
    /// </summary>
    /// <remarks>A step budget is not a time limit: when the budget runs out mid-episode the last transition keeps
    /// Last = false, and <see cref="Unrolled{TState,TAction,TAgent}.State"/> is where to continue.</remarks>
    public static Unrolled<TState, TAction, TAgent> Unroll<TState, TAction, TAgent>(
        IWorld<TState, TAction> world, TAgent agent, TState start, Key key, int maxSteps,
        Func<TAgent, TState, Key, Decision<TAction, TAgent>> act,
        Func<TAgent, Transition<TState, TAction>, TAgent> learn,
        Func<TAgent, bool>? stop = null)
    {
        var steps = ImmutableArray.CreateBuilder<Transition<TState, TAction>>(Math.Clamp(maxSteps, 0, 1024));
        var state = start;
        for (var t = 0; t < maxSteps; t++)
        {
            var (actKey, worldKey) = key.Split();
            (var action, agent) = act(agent, state, actKey);
            var result = world.Step(state, action, worldKey);
            key = result.Key;
            var transition = new Transition<TState, TAction>(state, action, result.Reward, result.Discount, result.Next, result.Last);
            steps.Add(transition);
            agent = learn(agent, transition);
            state = result.Next;
            if (result.Last || (stop is not null && stop(agent))) break;
        }
        return new Unrolled<TState, TAction, TAgent>(agent, new Trajectory<TState, TAction>(steps.DrainToImmutable()), state, key);
    }

    /// <summary>
    /// One episode under a fixed policy: a_t ~ π(·|s_t) until the last step or <paramref name="maxSteps"/> steps
    /// (an <see cref="Unroll{TState,TAction,TAgent}"/> that learns nothing).
    /// </summary>
    public static Trajectory<TState, TAction> Run<TState, TAction>(
        IWorld<TState, TAction> world, Func<TState, Key, Draw<TAction>> policy, TState start, Key key, int maxSteps) =>
        Unroll(world, 0, start, key, maxSteps,
            (agent, state, k) => new Decision<TAction, int>(policy(state, k).Value, agent),
            (agent, _) => agent).Trajectory;

    /// <summary>
    /// One episode of online learning: a_t = act(model_t, s_t, key), step the world, then
    /// model_{t+1} = learn(model_t, (s_t, a_t, r_t, d_t, s_{t+1}, last_t)). Returns the final model and the trajectory.
    /// </summary>
    public static LearnedEpisode<TState, TAction, TModel> Learn<TState, TAction, TModel>(
        IWorld<TState, TAction> world, TModel model,
        Func<TModel, TState, Key, Draw<TAction>> act,
        Func<TModel, Transition<TState, TAction>, TModel> learn,
        TState start, Key key, int maxSteps)
    {
        var unrolled = Unroll(world, model, start, key, maxSteps,
            (m, state, k) => new Decision<TAction, TModel>(act(m, state, k).Value, m), learn);
        return new LearnedEpisode<TState, TAction, TModel>(unrolled.Agent, unrolled.Trajectory);
    }
}
