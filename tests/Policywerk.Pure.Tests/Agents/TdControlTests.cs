using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

public class QLearningUpdates
{
    [Fact]
    public void The_lesson_example_moves_minus_12_to_minus_11_5()
    {
        // Q((2,1), E) = −12, max_a Q((2,2), a) = −10, r = −1, α = 0.5, γ = 1: δ = −1 − 10 + 12 = 1.
        var s = CliffWorld.StateOf(2, 1);
        var s2 = CliffWorld.StateOf(2, 2);
        var q = QTable.Filled(CliffWorld.StateCount, 4, -20.0).With(s, CliffWorld.East, -12.0).With(s2, CliffWorld.North, -10.0);
        var t = new Transition<int, int>(s, CliffWorld.East, -1.0, 1.0, s2, false);
        Assert.Equal(-11.5, TdControl.Update(q, t, 0.5, 1.0)[s, CliffWorld.East]);
        Assert.Equal(-16.5, TdControl.SarsaUpdate(q, t, CliffWorld.South, 0.5, 1.0)[s, CliffWorld.East]); // −12 + 0.5(−1 − 20 + 12)
    }

    [Fact]
    public void A_terminal_transition_ignores_the_next_state()
    {
        var q = QTable.Filled(2, 2, 7.0);
        var t = new Transition<int, int>(0, 1, 1.0, 0.0, 1, true);
        Assert.Equal(4.0, TdControl.Update(q, t, 0.5, 0.9)[0, 1]);
        Assert.Equal(4.0, TdControl.SarsaUpdate(q, t, 0, 0.5, 0.9)[0, 1]);
        Assert.Equal(4.0, TdControl.ExpectedSarsaUpdate(q, t, 0.5, 0.9, new EpsilonGreedy(0.1))[0, 1]);
    }

    [Property(MaxTest = 100)]
    public bool Q_learning_on_a_one_state_MDP_converges_to_r_over_1_minus_gamma(sbyte rewardByte, byte gammaPct)
    {
        var reward = rewardByte / 16.0;
        var gamma = 0.9 * gammaPct / 255.0; // γ ∈ [0, 0.9]
        var q = QTable.Filled(1, 2, 0.0);
        for (var i = 0; i < 3000; i++)
            q = TdControl.Update(q, new Transition<int, int>(0, i % 2, reward, 1.0, 0, false), 0.5, gamma);
        var expected = reward / (1.0 - gamma);
        return Math.Abs(q[0, 0] - expected) < 1e-6 * Math.Max(1.0, Math.Abs(expected))
            && Math.Abs(q[0, 1] - expected) < 1e-6 * Math.Max(1.0, Math.Abs(expected));
    }

    /// <summary>A random policy's steps on the cliff: some reach the goal or fall.</summary>
    internal static Gen<Trajectory<int, int>> CliffEpisodes(int maxSteps) =>
        Generators.Episode(new CliffWorld(), (s, k) => k.NextInt(4), CliffWorld.Start, maxSteps);

    [Property(MaxTest = 100)]
    public Property With_alpha_zero_nothing_changes() =>
        Prop.ForAll(Generators.QTables(CliffWorld.StateCount, 4, -10, 0).ToArbitrary(), CliffEpisodes(200).ToArbitrary(), (q, trajectory) =>
        {
            var c = new ControlConfig(Alpha: 0.0);
            foreach (var method in new[] { ControlMethod.QLearning, ControlMethod.Sarsa, ControlMethod.ExpectedSarsa })
            {
                var agent = new ControlAgent(q);
                foreach (var t in trajectory.Steps) agent = TdControl.Learn(method, c, agent, t);
                if (!agent.Q.Equals(q)) return false;
            }
            return true;
        });

    [Property(MaxTest = 30)]
    public bool The_SARSA_fold_equals_the_textbook_loop(ulong seed)
    {
        // Textbook SARSA (Sutton & Barto §6.4): choose A' from S' before updating Q(S, A).
        var world = new CliffWorld();
        var c = new ControlConfig();
        var keys = Key.FromSeed(seed).Split(20);
        var qTextbook = QTable.Filled(CliffWorld.StateCount, 4, 0.0);
        var agent = TdControl.Initial(CliffWorld.StateCount, 4);
        foreach (var episodeKey in keys)
        {
            // The fold, through the shared episode loop.
            var learned = Episodes.Learn(world, TdControl.BeginEpisode(agent),
                (a, s, k) => TdControl.Act(c, a, s, k),
                (a, t) => TdControl.Learn(ControlMethod.Sarsa, c, a, t),
                CliffWorld.Start, episodeKey, 100_000);
            agent = learned.Model;

            // The textbook loop over the same experience (the actions the fold took): Q(S, A) is updated once A' is
            // known, with A' the next action taken, and at the episode's last step with the tail cut off.
            var steps = learned.Trajectory.Steps;
            for (var i = 0; i < steps.Length; i++)
            {
                var t = steps[i];
                var nextAction = i + 1 < steps.Length ? steps[i + 1].Action : 0;
                Assert.True(i + 1 < steps.Length || t.Last);
                qTextbook = TdControl.SarsaUpdate(qTextbook, t, nextAction, c.Alpha, c.Gamma);
            }
        }
        return agent.Q.Equals(qTextbook);
    }
}

public class Lesson04Regime
{
    private static readonly CliffConfig Config = new();

    [Fact]
    public void The_optimal_greedy_path_is_13_steps_with_reward_minus_12()
    {
        // Q* of the cliff for γ = 1 is the negated number of remaining −1 steps; build it by value iteration.
        var world = new CliffWorld();
        var q = QTable.Filled(CliffWorld.StateCount, 4, 0.0);
        for (var sweep = 0; sweep < 100; sweep++)
            for (var s = 0; s < CliffWorld.StateCount; s++)
                for (var a = 0; a < 4; a++)
                {
                    if (s == CliffWorld.Goal || CliffWorld.IsCliff(s)) continue;
                    var r = world.Step(s, a, default);
                    q = q.With(s, a, r.Reward + (r.Last ? 0.0 : q.Max(r.Next)));
                }
        var greedy = Cliff.Greedy(q, Key.FromSeed(1));
        Assert.True(greedy.ReachedGoal);
        Assert.Equal(13, greedy.Steps);
        Assert.Equal(-12.0, greedy.Reward);
        Assert.Equal(-12.0, q.Max(CliffWorld.Start));
    }

    [Fact]
    public void Seed_42_Q_learning_takes_the_edge_and_SARSA_a_safer_path()
    {
        var keys = Key.FromSeed(42).Split(3);
        var qLearning = Cliff.Train(ControlMethod.QLearning, Config, keys[0]);
        var sarsa = Cliff.Train(ControlMethod.Sarsa, Config, keys[1]);

        var qGreedy = Cliff.Greedy(qLearning.Q, keys[2]);
        Assert.Equal(13, qGreedy.Steps);
        Assert.Equal(-12.0, qGreedy.Reward);

        var sarsaGreedy = Cliff.Greedy(sarsa.Q, keys[2]);
        Assert.True(sarsaGreedy.ReachedGoal);
        Assert.InRange(sarsaGreedy.Steps, 15, 17);
        Assert.True(sarsaGreedy.MeanRow < qGreedy.MeanRow);

        double Late(ControlRun r) => r.RewardPerEpisode.Skip(450).Average();
        Assert.InRange(Late(sarsa), -35.0, -15.0);
        Assert.InRange(Late(qLearning), -70.0, -35.0);
        Assert.True(Late(sarsa) > Late(qLearning));
    }
}

public class SarsaEndingTests
{
    [Fact]
    public void At_a_cut_off_SARSA_bootstraps_from_the_expected_next_value_and_at_a_terminal_from_nothing()
    {
        var c = new ControlConfig();
        var agent = TdControl.Initial(3, 2) with { Q = QTable.Filled(3, 2, 0.0).With(1, 0, 4.0).With(1, 1, 2.0) };
        var cutOff = TdControl.Learn(ControlMethod.Sarsa, c, agent, new Transition<int, int>(0, 1, 1.0, 1.0, 1, true));
        var expected = 1.0 + c.Gamma * Policies.EpsilonGreedyExpectation([4.0, 2.0], c.Epsilon);
        Assert.Equal(c.Alpha * expected, cutOff.Q[0, 1], 12);
        Assert.Null(cutOff.Pending);
        var terminal = TdControl.Learn(ControlMethod.Sarsa, c, agent, new Transition<int, int>(0, 1, 1.0, 0.0, 1, true));
        Assert.Equal(c.Alpha * 1.0, terminal.Q[0, 1], 12);
        var going = TdControl.Learn(ControlMethod.Sarsa, c, agent, new Transition<int, int>(0, 1, 1.0, 1.0, 1, false));
        Assert.NotNull(going.Pending);
        Assert.Equal(0.0, going.Q[0, 1]);
    }

    private sealed record Case(QTable Q, ImmutableArray<Transition<int, int>> Steps, double Alpha, double Gamma);

    /// <summary>A random Q table and a random policy's transitions on the cliff (some reach the goal or fall).</summary>
    private static Arbitrary<Case> Cases { get; } =
        (from q in Generators.QTables(CliffWorld.StateCount, 4, -20, 0)
         from episode in QLearningUpdates.CliffEpisodes(60)
         from alpha in Generators.Between(0.01, 1.0)
         from gamma in Generators.Between(0.5, 1.0)
         select new Case(q, episode.Steps, alpha, gamma)).ToArbitrary();

    [Property(MaxTest = 100)]
    public Property Q_learning_terms_recombine_to_exactly_what_the_update_computes() => Prop.ForAll(Cases, c =>
    {
        var (q, steps, alpha, gamma) = c;
        foreach (var t in steps)
        {
            var terms = TdControl.ExplainUpdate(q, t, alpha, gamma);
            var recombined = terms.Value + terms.Alpha * (terms.Reward + terms.Gamma * terms.Discount * terms.Tail - terms.Value);
            if (terms.Tail != q.Max(t.Next) || terms.Value != q[t.State, t.Action]) return false;
            if (recombined != TdControl.Update(q, t, alpha, gamma)[t.State, t.Action] || terms.Updated != recombined) return false;
            q = TdControl.Update(q, t, alpha, gamma);
        }
        return true;
    });

    [Property(MaxTest = 100)]
    public Property Sarsa_terms_recombine_to_exactly_what_the_update_computes() => Prop.ForAll(Cases, c =>
    {
        var (q, steps, alpha, gamma) = c;
        for (var i = 0; i + 1 < steps.Length; i++)
        {
            var (t, next) = (steps[i], steps[i + 1].Action);
            var terms = TdControl.ExplainSarsaUpdate(q, t, next, alpha, gamma);
            var recombined = terms.Value + terms.Alpha * (terms.Reward + terms.Gamma * terms.Discount * terms.Tail - terms.Value);
            if (terms.Tail != q[t.Next, next] || recombined != TdControl.SarsaUpdate(q, t, next, alpha, gamma)[t.State, t.Action]) return false;
            q = TdControl.SarsaUpdate(q, t, next, alpha, gamma);
        }
        return true;
    });

    [Fact]
    public void The_worked_example_replays_the_run_and_has_the_largest_TD_error_of_its_episodes()
    {
        var config = new CliffConfig(Episodes: 60, Control: new ControlConfig());
        var run = Cliff.Train(ControlMethod.QLearning, config, Key.FromSeed(42), keepEpisodes: true);
        Assert.Equal(60, run.Episodes.Length);
        var q = QTable.Filled(CliffWorld.StateCount, CliffWorld.ActionCount, 0.0);
        foreach (var episode in run.Episodes)
            foreach (var t in episode.Steps) q = TdControl.Update(q, t, 0.5, 1.0);
        Assert.Equal(run.Q, q); // the kept episodes are the run's, and Q-learning's Learn is its Update
        var example = Cliff.LargestError(run, config, 10)!;
        Assert.InRange(example.Episode, 51, 60);
        // no update of the last 10 episodes has a larger TD error
        q = QTable.Filled(CliffWorld.StateCount, CliffWorld.ActionCount, 0.0);
        for (var e = 0; e < run.Episodes.Length; e++)
            foreach (var t in run.Episodes[e].Steps)
            {
                if (e >= 50) Assert.True(Math.Abs(TdControl.ExplainUpdate(q, t, 0.5, 1.0).Error) <= Math.Abs(example.QLearning.Error));
                q = TdControl.Update(q, t, 0.5, 1.0);
            }
        Assert.Equal(example.QLearning.State, example.Sarsa.State);
        Assert.Equal(example.QLearning.Updated - example.QLearning.Value, 0.5 * example.QLearning.Error, 12);
        Assert.Empty(Cliff.Train(ControlMethod.QLearning, config, Key.FromSeed(42)).Episodes); // only when asked for
    }

    [Fact]
    public void The_worked_example_replays_a_run_from_its_own_initial_values()
    {
        var config = new CliffConfig(Episodes: 30, Control: new ControlConfig(), InitialQ: 5.0);
        var run = Cliff.Train(ControlMethod.QLearning, config, Key.FromSeed(3), keepEpisodes: true);
        var example = Cliff.LargestError(run, config, 30)!;
        var q = QTable.Filled(CliffWorld.StateCount, CliffWorld.ActionCount, 5.0);
        for (var e = 0; e < example.Episode; e++)
        {
            var steps = run.Episodes[e].Steps;
            var last = e == example.Episode - 1 ? example.Step - 1 : steps.Length;
            for (var i = 0; i < last; i++) q = TdControl.Update(q, steps[i], 0.5, 1.0);
        }
        Assert.Equal(q[example.QLearning.State, example.QLearning.Action], example.QLearning.Value);
    }
}
