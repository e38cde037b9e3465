using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Testing;
using Xunit;
using Outcome = Policywerk.Pure.Mdp.Outcome;

namespace Policywerk.Pure.Tests.Worlds;

/// <summary>The map format: every malformed case names its line and column; the built-in classic maps are exactly the
/// old worlds; a valid map survives a round trip through its text.</summary>
public class GridMapParseTests
{
    private static MapError Error(string text) => GridMap.Parse(text).Error ?? throw new Xunit.Sdk.XunitException("expected an error");

    [Theory]
    [InlineData("", 1, 1, "empty")]
    [InlineData("\n  \n\n", 1, 1, "empty")]
    [InlineData("slip=0.1\n", 1, 1, "empty")]
    [InlineData("....\n...G\n", 1, 1, "no start")]
    [InlineData("S...\n....\n", 1, 1, "no goal")]
    [InlineData("S..G\n.S..\n", 2, 2, "second start")]
    [InlineData("S.#G\n..#.\n", 1, 4, "cannot be reached")]
    [InlineData("S...\n.XXX\n.X.G\n", 3, 4, "cannot be reached")]
    [InlineData("S..G\n...\n", 2, 4, "this row has 3 cells, the first row 4")]
    [InlineData("S..G\n.....\n", 2, 5, "this row has 5 cells")]
    [InlineData("S..G\n..?.\n", 2, 3, "unknown character '?'")]
    [InlineData("S..G\n  .a..\n", 2, 4, "unknown character 'a'")]
    [InlineData("S..G\n.\0..\n", 2, 2, "binary")]
    [InlineData("S..G\nslip=1.5\n", 2, 6, "slip must be a number from 0 to 1")]
    [InlineData("S..G\nstep=0.5\n", 2, 6, "step must be a number from -100 to 0")]
    [InlineData("S..G\nstep=x\n", 2, 6, "got 'x'")]
    [InlineData("S..G\nwind=1\n", 2, 1, "unknown setting 'wind'")]
    [InlineData("goal=2\nS..G\ngoal=3\n", 3, 1, "set twice")]
    public void A_malformed_map_names_its_line_and_column(string text, int line, int column, string message)
    {
        var e = Error(text);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_map_larger_than_30_by_30_is_refused_at_the_first_cell_too_many()
    {
        var wide = "S" + new string('.', 29) + "G\n";
        var e = Error(wide);
        Assert.Equal((1, 31), (e.Line, e.Column));
        Assert.Contains("more than 30 cells", e.Message);

        var tall = "S.\n" + string.Concat(Enumerable.Repeat("..\n", 29)) + ".G\n";
        e = Error(tall);
        Assert.Equal((31, 1), (e.Line, e.Column));
        Assert.Contains("more than 30 rows", e.Message);

        var largest = "S" + new string('.', 29) + "\n" + string.Concat(Enumerable.Repeat(new string('.', 30) + "\n", 28)) + new string('.', 29) + "G\n";
        Assert.Equal((30, 30), (GridMap.Parse(largest).Map!.Rows, GridMap.Parse(largest).Map!.Cols));
    }

    [Fact]
    public void Settings_set_the_rewards_and_the_slip_and_windows_line_ends_are_fine()
    {
        var map = GridMap.Parse("goal=5\r\nS.G\r\n.XC\r\npit=-2\r\ncliff=-50\r\nstep=-1\r\nslip=0.2\r\n").Map!;
        Assert.Equal((5.0, -2.0, -50.0, -1.0, 0.2), (map.GoalReward, map.PitReward, map.CliffReward, map.StepReward, map.Slip));
        Assert.Equal([CellKind.Empty, CellKind.Empty, CellKind.Goal, CellKind.Empty, CellKind.Pit, CellKind.Cliff], map.Cells.ToArray());
        Assert.Equal(new Cell(0, 0), map.Start);
    }

    [Fact]
    public void The_classic_map_is_bellmans_gridworld_cell_for_cell()
    {
        var map = GridMaps.Classic.Map;
        var expected = new CellKind[25];
        expected[4] = CellKind.Goal;
        expected[6] = CellKind.Wall;
        expected[8] = CellKind.Pit;
        Assert.Equal(expected, map.Cells.ToArray());
        Assert.Equal(new Cell(4, 0), map.Start);
        Assert.Equal((1.0, -1.0, -0.04, 0.0), (map.GoalReward, map.PitReward, map.StepReward, map.Slip));
        Assert.Same(map, Gridworld.Classic.Map);
    }

    /// <summary>The old CliffWorld.Step, verbatim: clamp to the grid; cliff −100 and back to start; goal 0 and done; else −1.</summary>
    private static StepResult<int> OldCliffStep(int state, int action, Key key)
    {
        int rowDelta = action switch { 0 => -1, 2 => 1, _ => 0 }, colDelta = action switch { 1 => 1, 3 => -1, _ => 0 };
        var row = Math.Clamp(state / 12 + rowDelta, 0, 3);
        var column = Math.Clamp(state % 12 + colDelta, 0, 11);
        var next = row * 12 + column;
        if (row == 3 && column is > 0 and < 11) return StepResult.Of(36, -100.0, terminal: false, timeLimit: false, key);
        if (next == 47) return StepResult.Of(next, 0.0, terminal: true, timeLimit: false, key);
        return StepResult.Of(next, -1.0, terminal: false, timeLimit: false, key);
    }

    [Fact]
    public void The_cliff_map_steps_exactly_as_the_old_cliff_world_and_leaves_the_key_alone()
    {
        var world = new CliffWorld();
        var key = Key.FromSeed(3);
        Assert.Equal((4, 12, 36), (world.Grid.Rows, world.Grid.Cols, world.Grid.StartState));
        for (var s = 0; s < 48; s++)
        {
            if (world.Grid.IsInert(s)) continue;
            for (var a = 0; a < 4; a++)
                Assert.Equal(OldCliffStep(s, a, key), world.Step(s, a, key));
        }
    }

    /// <summary>The old Gridworld transition, verbatim (5×5, the wall and the border stop a move; goal +1, pit −1, else −0.04).</summary>
    private static Outcome OldGridOutcome(int state, int action)
    {
        bool Terminal(int s) => s is 4 or 8;
        if (Terminal(state) || state == 6) return new Outcome(state, 1.0, 0.0);
        int row = state / 5 + new[] { -1, 0, 1, 0 }[action], col = state % 5 + new[] { 0, 1, 0, -1 }[action];
        var next = row is >= 0 and < 5 && col is >= 0 and < 5 && row * 5 + col != 6 ? row * 5 + col : state;
        return new Outcome(next, 1.0, next == 4 ? 1.0 : next == 8 ? -1.0 : -0.04);
    }

    [Fact]
    public void The_classic_gridworld_has_the_old_outcomes_for_every_state_and_action()
    {
        for (var s = 0; s < 25; s++)
            for (var a = 0; a < 4; a++)
                Assert.Equal([OldGridOutcome(s, a)], Gridworld.Classic.Outcomes(s, a).ToArray());
    }

    [Fact]
    public void Every_built_in_map_is_valid_and_named_once()
    {
        Assert.Equal(GridMaps.All.Length, GridMaps.All.Select(m => m.Name).Distinct().Count());
        foreach (var m in GridMaps.All)
        {
            var again = GridMap.Parse(m.Map.Text).Map!;
            Assert.Equal(m.Map, again with { Cells = m.Map.Cells });
            Assert.Equal(m.Map.Cells.ToArray(), again.Cells.ToArray());
            Assert.Same(m, GridMaps.Find(m.Name.ToUpperInvariant()));
        }
        Assert.Equal((12, 8), (GridMaps.Rooms.Map.Rows, GridMaps.Rooms.Map.Cols));
        Assert.Equal((30, 30), (GridMaps.Field.Map.Rows, GridMaps.Field.Map.Cols));
        Assert.Null(GridMaps.Find("nowhere"));
    }
}

/// <summary>Slip (Russell and Norvig): the intended move with 1 − p, each perpendicular one with p/2.</summary>
public class GridworldSlipTests
{
    private static readonly Gridworld Ice = new(GridMap.Parse("...\n.S.\n..G\nslip=0.2\n").Map!);

    [Fact]
    public void A_slippery_move_has_three_outcomes_that_sum_to_one()
    {
        var outcomes = Ice.Outcomes(4, (int)Move.North);
        Assert.Equal([new Outcome(1, 0.8, -0.04), new Outcome(5, 0.1, -0.04), new Outcome(3, 0.1, -0.04)], outcomes.ToArray());
        Assert.Equal(1.0, outcomes.Sum(o => o.Probability), 12);
        Assert.Equal([new Outcome(8, 1.0, 0.0)], Ice.Outcomes(8, 0).ToArray()); // the goal is absorbing
    }

    [Fact]
    public void A_deterministic_step_leaves_the_key_alone_and_a_slippery_one_draws_from_it()
    {
        var key = Key.FromSeed(11);
        Assert.Equal(key, Gridworld.Classic.Step(20, Move.North, key).Key);
        Assert.NotEqual(key, Ice.Step(4, Move.North, key).Key);
    }

    [Fact]
    public void Sampled_slips_follow_the_outcome_probabilities()
    {
        var key = Key.FromSeed(5);
        var counts = new Dictionary<int, int>();
        const int n = 20_000;
        for (var i = 0; i < n; i++)
        {
            var step = Ice.Step(4, Move.North, key);
            key = step.Key;
            counts[step.Next] = counts.GetValueOrDefault(step.Next) + 1;
        }
        Assert.InRange(counts[1] / (double)n, 0.79, 0.81);
        Assert.InRange(counts[5] / (double)n, 0.09, 0.11);
        Assert.InRange(counts[3] / (double)n, 0.09, 0.11);
    }

    [Fact]
    public void A_cliff_cell_pays_its_reward_and_sends_the_agent_to_the_start()
    {
        var world = new Gridworld(GridMap.Parse("S.\nCG\ncliff=-7\n").Map!);
        Assert.Equal([new Outcome(0, 1.0, -7.0)], world.Outcomes(0, (int)Move.South).ToArray());
        Assert.False(world.Step(0, Move.South, default).Terminal);
    }

    [Fact]
    public void One_table_names_every_cell_kind_and_reads_back_both_ways()
    {
        Assert.Equal(Enum.GetValues<CellKind>().Order(), GridMap.Symbols.Select(x => x.Kind).Order());
        Assert.Equal(GridMap.Symbols.Length, GridMap.Symbols.Select(x => x.Symbol).Distinct().Count());
        foreach (var kind in Enum.GetValues<CellKind>())
            Assert.Equal(kind, GridMap.KindOf(GridMap.Symbol(kind)));
        Assert.Equal(CellKind.Empty, GridMap.KindOf(GridMap.StartSymbol));
        Assert.Null(GridMap.KindOf('?'));
        Assert.Contains("a cell is one of S G X C # .", GridMap.Parse("S?G\n").Error!.Message);
    }

    [Fact]
    public void A_move_goes_to_the_cell_toward_its_direction_where_that_is_free()
    {
        var open = new Gridworld(GridMap.Parse("...\n.S.\n..G\n").Map!);
        var centre = new Cell(1, 1);
        Assert.Equal([new Cell(0, 1), new Cell(1, 2), new Cell(2, 1), new Cell(1, 0)],
                     Enum.GetValues<Move>().Select(m => centre.Toward((int)m)).ToArray());
        foreach (var m in Enum.GetValues<Move>())
            Assert.Equal(open.IndexOf(centre.Toward((int)m)), open.Outcomes(open.IndexOf(centre), (int)m).Single().Next);
    }
}

/// <summary>Value and policy iteration on generated maps: the Bellman optimality equation holds at value iteration's
/// result, and policy iteration's policy is worth the same.</summary>
public class GridMapBellmanProperties
{
    private static readonly Arbitrary<GridMap> Maps = Generators.Maps().ToArbitrary();

    private static Gen<IKnownModel> Worlds => Generators.Maps().Select(map => (IKnownModel)new Gridworld(map));

    private static readonly BellmanConfig Config = new(Gamma: 0.9, Theta: 1e-6);

    [Property(MaxTest = 150)]
    public Property Value_iteration_satisfies_the_Bellman_optimality_equation_on_generated_maps() =>
        Invariants.ValueIterationSatisfiesOptimality(Bellman.ValueIteration, Worlds);

    [Property(MaxTest = 100)]
    public Property Terminals_walls_and_cliff_cells_are_worth_0_after_value_iteration() =>
        Prop.ForAll(Maps, map =>
        {
            var world = new Gridworld(map);
            var v = Bellman.ValueIteration(world, Config).Values;
            return Enumerable.Range(0, world.StateCount).Where(world.IsInert).All(s => v[s] == 0.0);
        });

    [Property(MaxTest = 100)]
    public Property Policy_iterations_policy_is_worth_what_value_iteration_finds() =>
        Prop.ForAll(Maps, map =>
        {
            var world = new Gridworld(map);
            var vi = Bellman.ValueIteration(world, Config);
            var pi = Bellman.PolicyIteration(world, Config);
            // both are within γθ/(1 − γ) of V*, up to the evaluation's own tolerance
            return Bellman.MaxNormDistance(vi.Values, pi.Values) <= 4 * Config.Theta / (1 - Config.Gamma);
        });

    [Property(MaxTest = 150)]
    public Property The_Bellman_operator_is_a_gamma_contraction_on_generated_maps() =>
        Invariants.BellmanContraction(Bellman.OptimalityBackup, Worlds);

    [Property(MaxTest = 200)]
    public Property A_map_reads_back_from_its_text() =>
        Prop.ForAll(Maps, map =>
        {
            var again = GridMap.Parse(map.Text).Map!;
            return again with { Cells = map.Cells } == map && again.Cells.SequenceEqual(map.Cells);
        });

    [Property(MaxTest = 200)]
    public Property Every_outcome_list_sums_to_one_and_stays_on_the_grid() =>
        Prop.ForAll(Maps, map =>
        {
            var world = new Gridworld(map);
            for (var s = 0; s < world.StateCount; s++)
                for (var a = 0; a < 4; a++)
                {
                    var outcomes = world.Outcomes(s, a);
                    if (Math.Abs(outcomes.Sum(o => o.Probability) - 1.0) > 1e-12) return false;
                    if (world.IsInert(s)) continue; // walls, cliff cells and terminals stay put
                    if (outcomes.Any(o => o.Next < 0 || o.Next >= world.StateCount || world.IsWall(o.Next) || world.IsCliff(o.Next))) return false;
                }
            return true;
        });
}
