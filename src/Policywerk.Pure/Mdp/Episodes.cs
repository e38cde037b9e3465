using System.Collections.Immutable;

namespace Policywerk.Pure.Mdp;

using Policywerk.Pure.Numerics;

/// <summary>What one learning episode produced: the model after the last update and the experience it saw.</summary>
public sealed record LearnedEpisode<TState, TAction, TModel>(TModel Model, Trajectory<TState, TAction> Trajectory);

/// <summary>
/// The episode loop as a pure fold over any <see cref="IWorld{TState,TAction}"/>. Each step splits the key:
/// one half for the policy, one for the world, so an agent's draws never shift the world's.
/// </summary>
public static class Episodes
{
    /// <summary>
    /// One episode under a fixed policy: s_0 = <paramref name="start"/>, a_t ~ π(·|s_t), s_{t+1} ~ P(·|s_t, a_t),
    /// until the world says done or <paramref name="maxSteps"/> steps (a cut-short episode ends with Done = false).
    /// </summary>
    public static Trajectory<TState, TAction> Run<TState, TAction>(
        IWorld<TState, TAction> world, Func<TState, Key, Draw<TAction>> policy, TState start, Key key, int maxSteps)
    {
        var steps = ImmutableArray.CreateBuilder<Transition<TState, TAction>>();
        var state = start;
        for (var t = 0; t < maxSteps; t++)
        {
            var (actKey, worldKey) = key.Split();
            var action = policy(state, actKey).Value;
            var result = world.Step(state, action, worldKey);
            key = result.Key;
            steps.Add(new Transition<TState, TAction>(state, action, result.Reward, result.Next, result.Done));
            if (result.Done) break;
            state = result.Next;
        }
        return new Trajectory<TState, TAction>(steps.ToImmutable());
    }

    /// <summary>
    /// One episode of online learning: a_t = act(model_t, s_t, key), step the world, then
    /// model_{t+1} = learn(model_t, (s_t, a_t, r_{t+1}, s_{t+1}, done)). Returns the final model and the trajectory.
    /// </summary>
    public static LearnedEpisode<TState, TAction, TModel> Learn<TState, TAction, TModel>(
        IWorld<TState, TAction> world, TModel model,
        Func<TModel, TState, Key, Draw<TAction>> act,
        Func<TModel, Transition<TState, TAction>, TModel> learn,
        TState start, Key key, int maxSteps)
    {
        var steps = ImmutableArray.CreateBuilder<Transition<TState, TAction>>();
        var state = start;
        for (var t = 0; t < maxSteps; t++)
        {
            var (actKey, worldKey) = key.Split();
            var action = act(model, state, actKey).Value;
            var result = world.Step(state, action, worldKey);
            key = result.Key;
            var transition = new Transition<TState, TAction>(state, action, result.Reward, result.Next, result.Done);
            steps.Add(transition);
            model = learn(model, transition);
            if (result.Done) break;
            state = result.Next;
        }
        return new LearnedEpisode<TState, TAction, TModel>(model, new Trajectory<TState, TAction>(steps.ToImmutable()));
    }
}
