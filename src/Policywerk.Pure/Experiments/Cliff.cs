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
/// <param name="InitialQ">Q₀, every action value before learning.</param>
public sealed record CliffConfig(int Episodes = 500, ControlConfig? Control = null, int MaxStepsPerEpisode = 1_000_000, double InitialQ = 0.0)
{
    public ControlConfig ControlOrDefault => Control ?? new ControlConfig();

    /// <summary>Every field a learner may set, by its short name: α, γ, ε, the softmax temperature τ (0: ε-greedy), the
    /// episodes, the step cap and Q₀.</summary>
    public static readonly IReadOnlyList<Knob<CliffConfig>> Knobs =
    [
        new("alpha", "α", "step size: how far each update moves Q(s,a) toward its target", 0.0, 1.0, false, "Control.Alpha",
            c => c.ControlOrDefault.Alpha, (c, v) => c with { Control = c.ControlOrDefault with { Alpha = v } }),
        new("gamma", "γ", "discount: what a reward one step later is worth now", 0.0, 1.0, false, "Control.Gamma",
            c => c.ControlOrDefault.Gamma, (c, v) => c with { Control = c.ControlOrDefault with { Gamma = v } }),
        new("epsilon", "ε", "ε-greedy exploration: the chance of a random action", 0.0, 1.0, false, "Control.Epsilon",
            c => c.ControlOrDefault.Epsilon, (c, v) => c with { Control = c.ControlOrDefault with { Epsilon = v } }),
        new("tau", "τ", "softmax exploration's temperature; 0 explores ε-greedily instead", 0.0, 1000.0, false, "Control.Explore",
            c => c.ControlOrDefault.Explore is Boltzmann b ? b.Temperature : 0.0,
            (c, v) => c with { Control = c.ControlOrDefault with { Explore = v > 0.0 ? new Boltzmann(v) : null } }),
        new("episodes", "episodes", "training episodes per method", 1, 100_000, true, "Episodes",
            c => c.Episodes, (c, v) => c with { Episodes = (int)v }),
        new("max_steps", "max steps", "a safety cap on an episode's steps", 1, 10_000_000, true, "MaxStepsPerEpisode",
            c => c.MaxStepsPerEpisode, (c, v) => c with { MaxStepsPerEpisode = (int)v }),
        new("q0", "Q₀", "every action value before learning (optimism explores)", -1000.0, 1000.0, false, "InitialQ",
            c => c.InitialQ, (c, v) => c with { InitialQ = v }),
    ];
}

/// <summary>One method's training run: the final Q table, the undiscounted reward and length of each episode, and —
/// when asked for (<see cref="Cliff.Train"/>) — every episode's transitions.</summary>
public sealed record ControlRun(ControlMethod Method, QTable Q, ImmutableArray<double> RewardPerEpisode,
    ImmutableArray<int> StepsPerEpisode)
{
    /// <summary>Every episode's transitions in order; empty unless the run kept them.</summary>
    public ImmutableArray<Trajectory<int, int>> Episodes { get; init; } = [];
}

/// <summary>
/// A worked example of one run: Q-learning's update at the step <see cref="Episode"/>, <see cref="Step"/> (both from 1),
/// and what SARSA would have made of the same transition with the action the agent took next (<see cref="NextAction"/>).
/// The greedy action at the state was <see cref="GreedyBefore"/> before the update and <see cref="GreedyAfter"/> after.
/// </summary>
public sealed record WorkedExample(int Episode, int Step, TdTerms QLearning, int NextAction, TdTerms Sarsa, int GreedyBefore, int GreedyAfter)
{
    /// <summary>The two methods' targets differ: the action taken next was not worth max_a′ Q(s′,a′).</summary>
    public bool TargetsDiffer => QLearning.Target != Sarsa.Target;

    /// <summary>The step is its episode's last (then SARSA's a′ is not used: d = 0).</summary>
    public bool EndsEpisode => QLearning.Discount == 0.0;
}

/// <summary>One run of the cliff experiment: the three methods, each trained from its own split key.</summary>
public sealed record CliffRun(ControlRun QLearning, ControlRun Sarsa, ControlRun ExpectedSarsa);

/// <summary>Following greedy(Q) from the start: the cells visited (start included), steps, reward, whether it arrived, and
/// the mean row of the cells visited (0 is the top row: on the cliff, lower is further from the edge).</summary>
public sealed record GreedyEvaluation(ImmutableArray<int> Path, int Steps, double Reward, bool ReachedGoal, double MeanRow);

/// <summary>Reward per episode over runs, per method: mean and 95% CI at each episode.</summary>
public sealed record CliffSummary(ImmutableArray<Summary> QLearning, ImmutableArray<Summary> Sarsa, ImmutableArray<Summary> ExpectedSarsa);

public static class Cliff
{
    private static readonly CliffWorld Classic = new();

    /// <summary>Trains one method for <see cref="CliffConfig.Episodes"/> episodes from Q = Q₀ with the configuration's
    /// behaviour policy, on <paramref name="world"/> (default: the classic cliff); <paramref name="keepEpisodes"/> keeps
    /// every episode's transitions in the run.</summary>
    public static ControlRun Train(ControlMethod method, CliffConfig config, Key key, bool keepEpisodes = false, CliffWorld? world = null)
    {
        var c = config.ControlOrDefault;
        var w = world ?? Classic;
        var agent = TdControl.Initial(w.Grid.StateCount, w.Grid.ActionCount, config.InitialQ);
        var rewards = new double[config.Episodes];
        var steps = new int[config.Episodes];
        var keys = key.Split(config.Episodes);
        var kept = ImmutableArray.CreateBuilder<Trajectory<int, int>>(keepEpisodes ? config.Episodes : 0);
        for (var episode = 0; episode < config.Episodes; episode++)
        {
            var learned = Episodes.Learn(w, TdControl.BeginEpisode(agent),
                (a, s, k) => TdControl.Act(c, a, s, k),
                (a, t) => TdControl.Learn(method, c, a, t),
                w.Grid.StartState, keys[episode], config.MaxStepsPerEpisode);
            agent = learned.Model;
            rewards[episode] = learned.Trajectory.TotalReward;
            steps[episode] = learned.Trajectory.Length;
            if (keepEpisodes) kept.Add(learned.Trajectory);
        }
        return new ControlRun(method, agent.Q, rewards.Freeze(), steps.Freeze()) { Episodes = kept.ToImmutable() };
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

    /// <summary>Follows greedy(Q) from the start of <paramref name="world"/> (default: the classic cliff; ties broken by
    /// the key, and so are slips) for at most <paramref name="maxSteps"/> steps.</summary>
    public static GreedyEvaluation Greedy(QTable q, Key key, int maxSteps = 200, CliffWorld? world = null)
    {
        var w = world ?? Classic;
        var trajectory = TdControl.GreedyRollout(w, q, w.Grid.StartState, key, maxSteps);
        var path = new int[trajectory.Length + 1];
        path[0] = w.Grid.StartState;
        for (var t = 0; t < trajectory.Length; t++) path[t + 1] = trajectory.Steps[t].Next;
        var reached = trajectory.Length > 0 && trajectory.Steps[^1].Terminal;
        var rows = 0.0;
        foreach (var s in path) rows += w.Grid.CellOf(s).Row;
        return new GreedyEvaluation(path.Freeze(), trajectory.Length, trajectory.TotalReward, reached, rows / path.Length);
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

    /// <summary>
    /// The worked example of a Q-learning run that kept its episodes: its updates replayed from Q = Q₀ in order, and of
    /// those in the last <paramref name="lastEpisodes"/> episodes the one with the largest TD error |δ| (the first if
    /// several tie), with SARSA's update of the same transition beside it (a′ the action the agent took next; at an
    /// episode's last step a′ is not needed). Null if those episodes hold no update.
    /// </summary>
    public static WorkedExample? LargestError(ControlRun run, CliffConfig config, int lastEpisodes)
    {
        if (run.Method != ControlMethod.QLearning) throw new ArgumentException("the worked example replays a Q-learning run", nameof(run));
        var c = config.ControlOrDefault;
        var q = QTable.Filled(run.Q.StateCount, run.Q.ActionCount, config.InitialQ);
        WorkedExample? best = null;
        for (var e = 0; e < run.Episodes.Length; e++)
        {
            var steps = run.Episodes[e].Steps;
            for (var i = 0; i < steps.Length; i++)
            {
                var t = steps[i];
                if (e >= run.Episodes.Length - lastEpisodes)
                {
                    var terms = TdControl.ExplainUpdate(q, t, c.Alpha, c.Gamma);
                    if (best is null || Math.Abs(terms.Error) > Math.Abs(best.QLearning.Error))
                    {
                        var nextAction = i + 1 < steps.Length ? steps[i + 1].Action : 0;
                        var greedyBefore = Arg.Max(q.Row(t.State));
                        var after = q.With(t.State, t.Action, terms.Updated);
                        best = new WorkedExample(e + 1, i + 1, terms, nextAction, TdControl.ExplainSarsaUpdate(q, t, nextAction, c.Alpha, c.Gamma),
                            greedyBefore, Arg.Max(after.Row(t.State)));
                    }
                }
                q = TdControl.Update(q, t, c.Alpha, c.Gamma);
            }
        }
        return best;
    }
}
