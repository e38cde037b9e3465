using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Outcome = Policywerk.Pure.Mdp.Outcome;
using Policywerk.Pure.Worlds;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>Lesson 01's numbers, fixed by the mathematics (LESSONS.md and the Python original's output).</summary>
public class BellmanGridworldTests
{
    private static readonly Gridworld World = Gridworld.Classic;
    private static readonly BellmanConfig Config = new(Gamma: 0.9, Theta: 0.001);

    // The spec's value table, rows from the top; NaN marks goal, wall and pit (value 0, not shown).
    private static readonly double[,] SpecValues =
    {
        { 0.621, 0.734, 0.860, 1.000, double.NaN },
        { 0.519, double.NaN, 0.734, double.NaN, 1.000 },
        { 0.427, 0.519, 0.621, 0.734, 0.860 },
        { 0.344, 0.427, 0.519, 0.621, 0.734 },
        { 0.270, 0.344, 0.427, 0.519, 0.621 },
    };

    [Fact]
    public void Value_iteration_takes_9_sweeps_whose_max_changes_are_powers_of_gamma_then_0()
    {
        var vi = Bellman.ValueIteration(World, Config);
        Assert.True(vi.Converged);
        Assert.Equal(9, vi.Sweeps.Length);
        for (var k = 0; k < 8; k++)
            Assert.Equal(Math.Pow(0.9, k), vi.Sweeps[k].MaxChange, 12);
        Assert.Equal(0.478297, vi.Sweeps[7].MaxChange, 6);
        Assert.Equal(0.0, vi.Sweeps[8].MaxChange);
    }

    [Fact]
    public void Value_iteration_gives_the_spec_value_table_to_3_decimals()
    {
        var vi = Bellman.ValueIteration(World, Config);
        for (var r = 0; r < 5; r++)
            for (var c = 0; c < 5; c++)
            {
                var v = vi.Values[World.IndexOf(new Cell(r, c))];
                if (double.IsNaN(SpecValues[r, c])) Assert.Equal(0.0, v);
                else Assert.Equal(SpecValues[r, c], Math.Round(v, 3), 10);
            }
    }

    [Fact]
    public void Start_value_is_the_discounted_8_step_return()
    {
        // 7 moves at −0.04 then +1 on entering the goal: Σ_{k<7} γ^k (−0.04) + γ^7 · 1
        var expected = -0.04 * (1 - Math.Pow(0.9, 7)) / (1 - 0.9) + Math.Pow(0.9, 7);
        var vi = Bellman.ValueIteration(World, Config);
        Assert.Equal(expected, vi.Values[World.StartState], 12);
        Assert.Equal(0.270, Math.Round(expected, 3));
    }

    [Fact]
    public void Greedy_path_from_the_start_goes_up_4_then_right_4()
    {
        var vi = Bellman.ValueIteration(World, Config);
        var played = Episodes.Run(World, (s, k) => new Draw<Move>((Move)vi.Policy[s], k), World.StartState, Key.FromSeed(0), 100);
        Assert.True(played.Steps[^1].Last);
        Assert.Equal(8, played.Length);
        Assert.Equal(Enumerable.Repeat(Move.North, 4).Concat(Enumerable.Repeat(Move.East, 4)),
                     played.Steps.Select(t => t.Action));
        Assert.Equal(7 * -0.04 + 1.0, played.TotalReward, 12);
        Assert.Equal(new Cell(0, 4), World.CellOf(played.Steps[^1].Next));
    }

    [Fact]
    public void Policy_iteration_converges_in_7_cycles_to_the_value_iteration_answer()
    {
        var vi = Bellman.ValueIteration(World, Config);
        var pi = Bellman.PolicyIteration(World, Config);
        Assert.True(pi.Converged);
        Assert.Equal(7, pi.Cycles.Length);
        Assert.Equal(0, pi.Cycles[^1].Changes);
        Assert.True(Bellman.MaxNormDistance(vi.Values, pi.Values) < Config.Theta);
        for (var s = 0; s < World.StateCount; s++)
            if (!World.IsTerminal(s) && !World.IsWall(s)) Assert.Equal(vi.Policy[s], pi.Policy[s]);
    }

    [Fact]
    public void Known_model_moves_stay_in_place_at_borders_and_walls_and_terminals_absorb()
    {
        var start = World.StartState;
        Assert.Equal(start, World.Outcomes(start, (int)Move.West)[0].Next);   // border
        Assert.Equal(start, World.Outcomes(start, (int)Move.South)[0].Next);  // border
        var belowWall = World.IndexOf(new Cell(2, 1));
        Assert.Equal(belowWall, World.Outcomes(belowWall, (int)Move.North)[0].Next);
        Assert.Equal(-0.04, World.Outcomes(belowWall, (int)Move.North)[0].Reward);
        var besidePit = World.IndexOf(new Cell(1, 2));
        Assert.Equal(new Outcome(World.IndexOf(new Cell(1, 3)), 1.0, -1.0), World.Outcomes(besidePit, (int)Move.East)[0]);
        var goal = World.IndexOf(new Cell(0, 4));
        Assert.True(World.IsTerminal(goal));
        Assert.Equal(new Outcome(goal, 1.0, 0.0), World.Outcomes(goal, (int)Move.South)[0]);
    }

    [Fact]
    public void World_step_agrees_with_the_known_model()
    {
        for (var s = 0; s < World.StateCount; s++)
        {
            if (World.IsWall(s) || World.IsTerminal(s)) continue;
            for (var a = 0; a < 4; a++)
            {
                var outcome = World.Outcomes(s, a).Single();
                var step = World.Step(s, (Move)a, Key.FromSeed(1));
                Assert.Equal((outcome.Next, outcome.Reward, World.IsTerminal(outcome.Next)), (step.Next, step.Reward, step.Last));
            }
        }
    }
}

/// <summary>Bellman.ExplainBackup names the terms of one state's optimality backup; they must be the backup's own bits.</summary>
public class BellmanExplainTests
{
    private static readonly Gridworld World = Gridworld.Classic;

    /// <summary>The explained backup of every state equals OptimalityBackup's value there bit for bit; each action's
    /// value is ActionValue's, each term is P·(R + γ·V(s′)) of the model's outcome, and the best action is GreedyAction's.</summary>
    private static bool Recombines(IKnownModel model, ImmutableArray<double> values, double gamma)
    {
        var backup = Bellman.OptimalityBackup(model, values, gamma);
        for (var s = 0; s < model.StateCount; s++)
        {
            var e = Bellman.ExplainBackup(model, values, s, gamma);
            if (!e.NewValue.Equals(backup[s]) || e.State != s || e.OldValue != values[s]) return false;
            if (model.IsTerminal(s)) { if (e.Actions.Length != 0) return false; continue; }
            if (e.Actions.Length != model.ActionCount || e.BestAction != Bellman.GreedyAction(model, values, s, gamma)) return false;
            var max = double.NegativeInfinity;
            for (var a = 0; a < model.ActionCount; a++)
            {
                var terms = e.Actions[a];
                var outcomes = model.Outcomes(s, a);
                if (terms.Action != a || !terms.Value.Equals(Bellman.ActionValue(model, values, s, a, gamma))) return false;
                if (terms.Outcomes.Length != outcomes.Length) return false;
                var q = 0.0;
                for (var i = 0; i < outcomes.Length; i++)
                {
                    var o = terms.Outcomes[i];
                    if (o.Next != outcomes[i].Next || o.Probability != outcomes[i].Probability || o.Reward != outcomes[i].Reward
                        || o.NextValue != values[o.Next] || !o.Term.Equals(o.Probability * (o.Reward + gamma * o.NextValue))) return false;
                    q += o.Term;
                }
                if (!q.Equals(terms.Value)) return false;
                max = Math.Max(max, terms.Value);
            }
            if (!max.Equals(e.NewValue) || e.Actions[e.BestAction].Value < e.NewValue - Bellman.TieTolerance) return false;
        }
        return true;
    }

    [Property(MaxTest = 300)]
    public Property Explained_backups_recombine_exactly_on_random_mdps() =>
        Prop.ForAll((from mdp in Generators.Mdp()
                     from v in Generators.Values(mdp)
                     from gamma in Generators.Between(0.5, 0.95)
                     select (mdp, v, gamma)).ToArbitrary(), c => Recombines(c.mdp, c.v, c.gamma));

    [Property(MaxTest = 200)]
    public Property Explained_backups_recombine_exactly_on_the_lesson_gridworld_with_random_values() =>
        Prop.ForAll(Generators.Values(World, -2, 2).ToArbitrary(), Generators.Between(0.5, 0.99).ToArbitrary(),
            (values, gamma) => Recombines(World, values, gamma));

    [Fact]
    public void Explained_backups_replay_every_sweep_of_the_lessons_value_iteration()
    {
        var vi = Bellman.ValueIteration(World, new BellmanConfig(Gamma: 0.9, Theta: 0.001));
        var before = Policywerk.Pure.Immutable.Filled(World.StateCount, 0.0);
        foreach (var sweep in vi.Sweeps)
        {
            for (var s = 0; s < World.StateCount; s++)
                Assert.Equal(sweep.Values[s], Bellman.ExplainBackup(World, before, s, 0.9).NewValue);
            before = sweep.Values;
        }
    }

    [Fact]
    public void The_start_cells_second_backup_is_a_step_cost_plus_a_discounted_step_cost()
    {
        // after one sweep every cell not beside the goal is worth −0.04; the start's four moves all lead to such cells
        var v1 = Bellman.OptimalityBackup(World, Policywerk.Pure.Immutable.Filled(World.StateCount, 0.0), 0.9);
        var e = Bellman.ExplainBackup(World, v1, World.StartState, 0.9);
        Assert.Equal(4, e.Actions.Length);
        Assert.Equal(-0.04, e.OldValue);
        var north = e.Actions[(int)Move.North].Outcomes.Single();
        Assert.Equal((World.IndexOf(new Cell(3, 0)), 1.0, -0.04, -0.04), (north.Next, north.Probability, north.Reward, north.NextValue));
        var west = e.Actions[(int)Move.West].Outcomes.Single();
        Assert.Equal(World.StartState, west.Next); // the border: it stays
        Assert.Equal(-0.04 + 0.9 * -0.04, e.NewValue);
        Assert.Equal(-0.076, e.NewValue, 12);
        Assert.Equal((int)Move.North, e.BestAction); // a four-way tie goes to the lowest index

        // beside the goal (and above the pit), East is worth the goal's +1 and wins alone
        var besideGoal = Bellman.ExplainBackup(World, v1, World.IndexOf(new Cell(0, 3)), 0.9);
        Assert.Equal((int)Move.East, besideGoal.BestAction);
        Assert.Equal(1.0, besideGoal.NewValue);
        Assert.Equal(-1.0 + 0.9 * 0.0, besideGoal.Actions[(int)Move.South].Value); // into the pit: −1, and the pit is worth 0
    }

    [Fact]
    public void A_terminal_state_has_no_actions_and_the_new_value_zero()
    {
        var goal = World.IndexOf(new Cell(0, 4));
        var e = Bellman.ExplainBackup(World, Policywerk.Pure.Immutable.Filled(World.StateCount, 0.5), goal, 0.9);
        Assert.Empty(e.Actions);
        Assert.Equal(0.0, e.NewValue);
    }
}

/// <summary>Invariants of dynamic programming, over generated random finite MDPs.</summary>
public class BellmanProperties
{
    private static Property ForAllMdps(Func<RandomMdp, double, ImmutableArray<double>, ImmutableArray<int>, bool> property) =>
        Prop.ForAll((from mdp in Generators.Mdp()
                     from gamma in Generators.Between(0.5, 0.95)
                     from values in Generators.Values(mdp)
                     from policy in Generators.Policy(mdp)
                     select (mdp, gamma, values, policy)).ToArbitrary(), c => property(c.mdp, c.gamma, c.values, c.policy));

    [Property(MaxTest = 200)]
    public Property Optimality_operator_is_a_gamma_contraction_in_the_max_norm() =>
        Invariants.BellmanContraction(Bellman.OptimalityBackup);

    [Property(MaxTest = 200)]
    public Property Value_iteration_result_satisfies_the_optimality_equation_within_its_tolerance() =>
        Invariants.ValueIterationSatisfiesOptimality(Bellman.ValueIteration);

    [Property(MaxTest = 200)]
    public Property Policy_improvement_never_lowers_any_state_value() => ForAllMdps((mdp, gamma, _, policy) =>
    {
        var config = new BellmanConfig(gamma, Theta: 1e-12);
        var zero = Policywerk.Pure.Immutable.Filled(mdp.StateCount, 0.0);
        var before = Bellman.EvaluatePolicy(mdp, policy, zero, config).Values;
        var improved = Bellman.ImprovePolicy(mdp, policy, before, gamma);
        var after = Bellman.EvaluatePolicy(mdp, improved, zero, config).Values;
        return Enumerable.Range(0, mdp.StateCount).All(s => after[s] >= before[s] - 1e-9);
    });

    [Property(MaxTest = 200)]
    public Property Value_iteration_and_policy_iteration_give_the_same_greedy_values() => ForAllMdps((mdp, gamma, _, _) =>
    {
        var config = new BellmanConfig(gamma, Theta: 1e-11);
        var vi = Bellman.ValueIteration(mdp, config);
        var pi = Bellman.PolicyIteration(mdp, config);
        var zero = Policywerk.Pure.Immutable.Filled(mdp.StateCount, 0.0);
        var viGreedyValues = Bellman.EvaluatePolicy(mdp, vi.Policy, zero, config).Values;
        return pi.Converged && Bellman.MaxNormDistance(viGreedyValues, pi.Values) < 1e-7
                            && Bellman.MaxNormDistance(vi.Values, pi.Values) < 1e-7;
    });

    [Property(MaxTest = 100)]
    public Property Backups_leave_their_input_untouched_and_terminal_values_at_zero() => ForAllMdps((mdp, gamma, v, policy) =>
    {
        var copy = v.ToArray();
        var next = Bellman.OptimalityBackup(mdp, v, gamma);
        var inPlace = Bellman.PolicyBackupGaussSeidel(mdp, policy, v, gamma);
        return v.SequenceEqual(copy)
               && Enumerable.Range(0, mdp.StateCount).Where(mdp.IsTerminal).All(s => next[s] == 0 && inPlace[s] == 0);
    });
}
