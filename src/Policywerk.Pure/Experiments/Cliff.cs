using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Experiments;

using Policywerk.Pure.Numerics;

/// <summary>Cliff-walking training (lesson 04; Sutton &amp; Barto 2018, Example 6.6 and Figure 6.4).</summary>
/// <param name="Episodes">Episodes per method (500).</param>
/// <param name="Control">α 0.5, γ 1, ε 0.1.</param>
/// <param name="MaxStepsPerEpisode">A safety cap; with ε &gt; 0 every episode reaches the goal long before it.</param>
public sealed record CliffConfig(int Episodes = 500, ControlConfig? Control = null, int MaxStepsPerEpisode = 1_000_000)
{
    public ControlConfig ControlOrDefault => Control ?? new ControlConfig();
}

/// <summary>One method's training run: the final Q table and the undiscounted reward and length of each episode.</summary>
public sealed record ControlRun(ControlMethod Method, QTable Q, ImmutableArray<double> RewardPerEpisode,
    ImmutableArray<int> StepsPerEpisode);

/// <summary>One run of the cliff experiment: the three methods, each trained from its own split key.</summary>
public sealed record CliffRun(ControlRun QLearning, ControlRun Sarsa, ControlRun ExpectedSarsa);

/// <summary>Following greedy(Q) from the start: the cells visited (start included), steps, reward, and whether it arrived.</summary>
public sealed record GreedyEvaluation(ImmutableArray<int> Path, int Steps, double Reward, bool ReachedGoal)
{
    /// <summary>The mean row of the cells visited (0 is the top row): lower is further from the cliff.</summary>
    public double MeanRow
    {
        get
        {
            var sum = 0.0;
            foreach (var s in Path) sum += CliffWorld.RowOf(s);
            return sum / Path.Length;
        }
    }
}

/// <summary>Reward per episode over runs, per method: mean and 95% CI at each episode.</summary>
public sealed record CliffSummary(ImmutableArray<Summary> QLearning, ImmutableArray<Summary> Sarsa, ImmutableArray<Summary> ExpectedSarsa);

public static class Cliff
{
    private static readonly CliffWorld World = new();

    /// <summary>Trains one method for <see cref="CliffConfig.Episodes"/> episodes from Q = 0 with ε-greedy behaviour.</summary>
    public static ControlRun Train(ControlMethod method, CliffConfig config, Key key)
    {
        var c = config.ControlOrDefault;
        var agent = TdControl.Initial(CliffWorld.StateCount, CliffWorld.ActionCount);
        var rewards = new double[config.Episodes];
        var steps = new int[config.Episodes];
        var keys = key.Split(config.Episodes);
        for (var episode = 0; episode < config.Episodes; episode++)
        {
            var learned = Episodes.Learn(World, TdControl.BeginEpisode(agent),
                (a, s, k) => TdControl.Act(c, a, s, k),
                (a, t) => TdControl.Learn(method, c, a, t),
                CliffWorld.Start, keys[episode], config.MaxStepsPerEpisode);
            agent = learned.Model;
            rewards[episode] = learned.Trajectory.TotalReward;
            steps[episode] = learned.Trajectory.Length;
        }
        return new ControlRun(method, agent.Q, rewards.Freeze(), steps.Freeze());
    }

    /// <summary>One run of the experiment: Q-learning, SARSA and Expected SARSA, each from its own key.</summary>
    public static CliffRun Run(CliffConfig config, Key key)
    {
        var keys = key.Split(3);
        return new CliffRun(
            Train(ControlMethod.QLearning, config, keys[0]),
            Train(ControlMethod.Sarsa, config, keys[1]),
            Train(ControlMethod.ExpectedSarsa, config, keys[2]));
    }

    /// <summary>Follows greedy(Q) from the start (ties broken by the key) for at most <paramref name="maxSteps"/> steps.</summary>
    public static GreedyEvaluation Greedy(QTable q, Key key, int maxSteps = 200)
    {
        var trajectory = TdControl.GreedyRollout(World, q, CliffWorld.Start, key, maxSteps);
        var path = new int[trajectory.Length + 1];
        path[0] = CliffWorld.Start;
        for (var t = 0; t < trajectory.Length; t++) path[t + 1] = trajectory.Steps[t].Next;
        var reached = trajectory.Length > 0 && trajectory.Steps[^1].Terminal;
        return new GreedyEvaluation(path.Freeze(), trajectory.Length, trajectory.TotalReward, reached);
    }

    /// <summary>Mean and 95% CI of the reward at each episode, per method, over runs.</summary>
    public static CliffSummary Summarize(IReadOnlyList<CliffRun> runs)
    {
        ImmutableArray<Summary> Of(Func<CliffRun, ControlRun> pick)
        {
            var curves = new ImmutableArray<double>[runs.Count];
            for (var r = 0; r < runs.Count; r++) curves[r] = pick(runs[r]).RewardPerEpisode;
            return Statistics.SummarizeColumns(curves);
        }
        return new CliffSummary(Of(r => r.QLearning), Of(r => r.Sarsa), Of(r => r.ExpectedSarsa));
    }
}
