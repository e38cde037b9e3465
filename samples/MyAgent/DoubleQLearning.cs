using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;

namespace MyAgent;

/// <summary>Double Q-learning's two tables (van Hasselt 2010): each picks the greedy action the other evaluates, so one
/// table's lucky overestimate is not also the value it is judged by.</summary>
public sealed record DoubleQ(QTable A, QTable B)
{
    /// <summary>Both tables with every Q(s, a) = <paramref name="value"/>.</summary>
    public static DoubleQ Initial(int states, int actions, double value = 0.0) =>
        new(QTable.Filled(states, actions, value), QTable.Filled(states, actions, value));

    /// <summary>What the agent acts on: Q_A(s, a) + Q_B(s, a).</summary>
    public double Acting(int state, int action) => A[state, action] + B[state, action];
}

/// <summary>Double Q-learning as a pure fold: (tables, transition, key) → (tables′, key′).</summary>
public static class DoubleQLearning
{
    /// <summary>
    /// With probability ½: Q_A(s,a) ← Q_A(s,a) + α [r + γ·d·Q_B(s′, argmax_a′ Q_A(s′,a′)) − Q_A(s,a)];
    /// otherwise the same with A and B swapped. The coin comes from the key, so the same key gives the same tables.
    /// </summary>
    public static Draw<DoubleQ> Update(DoubleQ q, Transition<int, int> t, Key key, double alpha, double gamma)
    {
        var coin = key.NextBernoulli(0.5);
        var tables = coin.Value
            ? q with { A = Step(q.A, q.B, t, alpha, gamma) }
            : q with { B = Step(q.B, q.A, t, alpha, gamma) };
        return new Draw<DoubleQ>(tables, coin.Next);
    }

    /// <summary>One table's step: <paramref name="chooser"/> picks a′ = argmax Q(s′, ·), <paramref name="judge"/> values it.</summary>
    private static QTable Step(QTable chooser, QTable judge, Transition<int, int> t, double alpha, double gamma)
    {
        var best = Arg.Max(chooser.Row(t.Next));
        var target = t.Reward + gamma * t.Discount * judge[t.Next, best];
        return chooser.With(t.State, t.Action, chooser[t.State, t.Action] + alpha * (target - chooser[t.State, t.Action]));
    }
}
