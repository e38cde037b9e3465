using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

/// <summary>
/// The evaluation protocol of a trained Dreamer: the random policy, the greedy agent and a scripted controller (one that
/// sees the true state, which the agent never does) on the same start layouts, each episode's return G = Σ_t r_t
/// summarised with a Student-t 95% interval.
/// </summary>
/// <param name="Random">The random policy's returns, a ~ U[−1, 1]^d.</param>
/// <param name="Agent">The greedy agent's returns (a = tanh μ_π(s), s from the posterior mean).</param>
/// <param name="Scripted">The scripted controller's returns.</param>
/// <param name="AgentEpisodes">Every greedy agent episode, in order (for pictures).</param>
public sealed record DreamerEvaluation<TState>(Summary Random, Summary Agent, Summary Scripted, ImmutableArray<DreamerEpisode<TState>> AgentEpisodes)
{
    /// <summary>(agent − random) / (scripted − random): the fraction of the gap from random to scripted the agent closes.</summary>
    public double GapClosed => (Agent.Mean - Random.Mean) / (Scripted.Mean - Random.Mean);

    /// <summary>The agent's 95% interval lies wholly above random's.</summary>
    public bool SeparatedFromRandom => Agent.Lower > Random.Upper;
}

/// <summary>Runs <see cref="DreamerEvaluation{TState}"/>'s protocol.</summary>
public static class DreamerEvaluation
{
    /// <summary>
    /// <paramref name="episodes"/> start layouts, each from its own part of <paramref name="key"/>: s_0 from the reset half,
    /// and the three policies each run from s_0 with the same policy half (the greedy agent and the scripted controller
    /// draw nothing from it; a stochastic world would).
    /// </summary>
    public static DreamerEvaluation<TState> Run<TState>(DreamerConfig c, DreamerModel model, IPixelWorld<TState> world, Key key, int episodes,
        Func<TState, ImmutableArray<double>> scripted)
    {
        var keys = key.Split(episodes);
        double[] random = new double[episodes], agent = new double[episodes], reference = new double[episodes];
        var agentEpisodes = ImmutableArray.CreateBuilder<DreamerEpisode<TState>>(episodes);
        for (var i = 0; i < episodes; i++)
        {
            var (kReset, kPolicy) = keys[i].Split();
            var start = world.Reset(kReset).Value;
            random[i] = Dreamer.RunEpisode(world, start, kPolicy, (_, k) => Dreamer.RandomAction(world, k)).Return;
            reference[i] = Dreamer.RunEpisode(world, start, kPolicy, (s, k) => new Draw<ImmutableArray<double>>(scripted(s), k)).Return;
            var episode = Dreamer.RunAgent(c, model, world, start, kPolicy);
            agent[i] = episode.Return;
            agentEpisodes.Add(episode);
        }
        return new DreamerEvaluation<TState>(Statistics.Summarize(random), Statistics.Summarize(agent), Statistics.Summarize(reference),
            agentEpisodes.MoveToImmutable());
    }
}
