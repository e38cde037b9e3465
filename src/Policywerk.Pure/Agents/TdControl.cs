using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;

namespace Policywerk.Pure.Agents;

using Policywerk.Pure.Numerics;

/// <summary>The three one-step TD control rules, which differ only in how they value the next state.</summary>
public enum ControlMethod
{
    /// <summary>Watkins (1989): bootstrap from max_a' Q(s', a') — off-policy.</summary>
    QLearning,

    /// <summary>Rummery &amp; Niranjan (1994): bootstrap from Q(s', a') of the action actually taken next — on-policy.</summary>
    Sarsa,

    /// <summary>van Seijen et al. (2009): bootstrap from Σ_a' π(a'|s') Q(s', a') under the behaviour policy.</summary>
    ExpectedSarsa,
}

/// <summary>Hyperparameters of tabular TD control (defaults: lesson 04 and Sutton &amp; Barto's Example 6.6).</summary>
/// <param name="Alpha">Step size α.</param>
/// <param name="Gamma">Discount γ.</param>
/// <param name="Epsilon">Exploration ε of the ε-greedy behaviour policy (when <paramref name="Explore"/> is not given).</param>
/// <param name="Explore">The behaviour policy; ε-greedy with <paramref name="Epsilon"/> when null.</param>
public sealed record ControlConfig(double Alpha = 0.5, double Gamma = 1.0, double Epsilon = 0.1, Exploration? Explore = null)
{
    /// <summary>The behaviour policy the agent acts with, and that Expected SARSA's expectation is under.</summary>
    public Exploration Behaviour => Explore ?? new EpsilonGreedy(Epsilon);
}

/// <summary>
/// A TD-control agent: its Q table, plus — for SARSA only — the last transition, whose update waits for the
/// next action a' to be chosen. Start every episode from <see cref="TdControl.BeginEpisode"/>.
/// </summary>
public sealed record ControlAgent(QTable Q, Transition<int, int>? Pending = null);

/// <summary>
/// One TD-control update with its terms named: in state s the agent took a, received r and reached s′ (discount d);
/// the tail is what the next state is worth (max_a′ Q(s′,a′) for Q-learning, Q(s′,a′) for SARSA), the target
/// r + γ·d·tail, the TD error δ = target − Q(s,a), and the updated value Q(s,a) + α·δ.
/// </summary>
public sealed record TdTerms(int State, int Action, double Reward, double Discount, int Next, double Value, double Tail,
    double Target, double Error, double Alpha, double Gamma, double Updated);

/// <summary>Q-learning, SARSA and Expected SARSA as pure updates, plus the exploring agent that uses them.</summary>
public static class TdControl
{
    /// <summary>
    /// Q(s,a) ← Q(s,a) + α [r + γ·d·max_a' Q(s',a') − Q(s,a)]   (Q-learning; d = 0 at a terminal state)
    /// </summary>
    public static QTable Update(QTable q, Transition<int, int> t, double alpha, double gamma)
    {
        var target = t.Reward + gamma * t.Discount * q.Max(t.Next);
        return q.With(t.State, t.Action, q[t.State, t.Action] + alpha * (target - q[t.State, t.Action]));
    }

    /// <summary>
    /// <see cref="Update"/> with its terms named (<see cref="TdTerms"/>): tail = max_a' Q(s',a'), target = r + γ·d·tail,
    /// δ = target − Q(s,a), Q(s,a) + α·δ — the same operations in the same order, so the same bits.
    /// </summary>
    public static TdTerms ExplainUpdate(QTable q, Transition<int, int> t, double alpha, double gamma) =>
        Explain(q, t, q.Max(t.Next), alpha, gamma);

    /// <summary><see cref="SarsaUpdate"/> with its terms named: tail = Q(s',a') of the action a' taken next.</summary>
    public static TdTerms ExplainSarsaUpdate(QTable q, Transition<int, int> t, int nextAction, double alpha, double gamma) =>
        Explain(q, t, q[t.Next, nextAction], alpha, gamma);

    private static TdTerms Explain(QTable q, Transition<int, int> t, double tail, double alpha, double gamma)
    {
        var value = q[t.State, t.Action];
        var target = t.Reward + gamma * t.Discount * tail;
        return new TdTerms(t.State, t.Action, t.Reward, t.Discount, t.Next, value, tail, target, target - value, alpha, gamma,
            value + alpha * (target - value));
    }

    /// <summary>
    /// Q(s,a) ← Q(s,a) + α [r + γ·d·Q(s',a') − Q(s,a)]   (SARSA; a' is the action taken next)
    /// </summary>
    public static QTable SarsaUpdate(QTable q, Transition<int, int> t, int nextAction, double alpha, double gamma)
    {
        var target = t.Reward + gamma * t.Discount * q[t.Next, nextAction];
        return q.With(t.State, t.Action, q[t.State, t.Action] + alpha * (target - q[t.State, t.Action]));
    }

    /// <summary>
    /// Q(s,a) ← Q(s,a) + α [r + γ·d·Σ_a' π(a'|s') Q(s',a') − Q(s,a)]   (Expected SARSA, π the behaviour policy in Q)
    /// </summary>
    public static QTable ExpectedSarsaUpdate(QTable q, Transition<int, int> t, double alpha, double gamma, Exploration behaviour)
    {
        var target = t.Reward + gamma * t.Discount * behaviour.Expectation(q.Row(t.Next));
        return q.With(t.State, t.Action, q[t.State, t.Action] + alpha * (target - q[t.State, t.Action]));
    }

    /// <summary>A fresh agent with every Q(s, a) = <paramref name="initialValue"/>.</summary>
    public static ControlAgent Initial(int stateCount, int actionCount, double initialValue = 0.0) =>
        new(QTable.Filled(stateCount, actionCount, initialValue));

    /// <summary>Clears SARSA's pending transition at the start of an episode.</summary>
    public static ControlAgent BeginEpisode(ControlAgent agent) => agent.Pending is null ? agent : agent with { Pending = null };

    /// <summary>a ~ π(·|s) of the configuration's behaviour policy over Q(s, ·) (ε-greedy: ties broken by the key).</summary>
    public static Draw<int> Act(ControlConfig c, ControlAgent agent, int state, Key key) => c.Behaviour.Choose(agent.Q.Row(state), key);

    /// <summary>
    /// One step of learning. Q-learning and Expected SARSA update at once. SARSA needs a', the action chosen at s'
    /// by the same behaviour policy: it completes the pending update with a' = this transition's action, then
    /// keeps this transition pending — or, if it is the episode's last step, updates it at once: at a terminal state
    /// the tail is 0; cut off by a time limit, no a' will be taken, so the tail is its expectation Σ_a' π(a'|s') Q(s',a').
    /// </summary>
    public static ControlAgent Learn(ControlMethod method, ControlConfig c, ControlAgent agent, Transition<int, int> t)
    {
        switch (method)
        {
            case ControlMethod.QLearning:
                return new ControlAgent(Update(agent.Q, t, c.Alpha, c.Gamma));
            case ControlMethod.ExpectedSarsa:
                return new ControlAgent(ExpectedSarsaUpdate(agent.Q, t, c.Alpha, c.Gamma, c.Behaviour));
            case ControlMethod.Sarsa:
                var q = agent.Pending is { } pending ? SarsaUpdate(agent.Q, pending, t.Action, c.Alpha, c.Gamma) : agent.Q;
                if (!t.Last) return new ControlAgent(q, t);
                return new ControlAgent(t.Terminal
                    ? SarsaUpdate(q, t, nextAction: 0, c.Alpha, c.Gamma) // d = 0: a' is not used
                    : ExpectedSarsaUpdate(q, t, c.Alpha, c.Gamma, c.Behaviour));
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown control method");
        }
    }

    /// <summary>Follows greedy(Q) from <paramref name="start"/> (ties broken by the key) for at most <paramref name="maxSteps"/> steps.</summary>
    public static Trajectory<int, int> GreedyRollout(IWorld<int, int> world, QTable q, int start, Key key, int maxSteps) =>
        Episodes.Run(world, (s, k) => Policies.Greedy(q.Row(s), k), start, key, maxSteps);
}
