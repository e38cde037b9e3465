using System.Collections.Immutable;
using Policywerk.Pure.Mdp;

namespace Policywerk.Pure.Worlds;

using Policywerk.Pure.Numerics;

/// <summary>
/// A <see cref="Gridworld"/> as tabular control sees it (lesson 04): actions are the integers 0 = N, 1 = E, 2 = S, 3 = W
/// and every step is sampled. The default is cliff walking (Sutton &amp; Barto 2018, Example 6.6, <see cref="GridMaps.Cliff"/>):
/// a 4×12 grid, rows from the top, start bottom-left (3, 0), goal bottom-right (3, 11), and the ten cells between them
/// are the cliff. Each step costs −1; stepping into the cliff costs −100 and sends the agent back to the start (the
/// episode continues); stepping onto the goal pays 0 and ends the episode. Moves into the border leave the agent in
/// place. The static members name the classic cliff's cells (states are row·12 + column).
/// </summary>
public sealed record CliffWorld(Gridworld Grid) : IWorld<int, int>
{
    /// <summary>The classic cliff.</summary>
    public CliffWorld() : this(ClassicGrid) { }

    /// <summary>The classic cliff as a grid world.</summary>
    public static Gridworld ClassicGrid { get; } = new(GridMaps.Cliff.Map);

    public const int Rows = 4;
    public const int Columns = 12;
    public const int StateCount = Rows * Columns;
    public const int ActionCount = 4;
    public const int North = 0, East = 1, South = 2, West = 3;

    public const double StepReward = -1.0;
    public const double CliffReward = -100.0;
    public const double GoalReward = 0.0;

    /// <summary>The classic cliff's start, (3, 0).</summary>
    public static int Start => StateOf(3, 0);

    /// <summary>The classic cliff's goal, (3, 11).</summary>
    public static int Goal => StateOf(3, Columns - 1);

    /// <summary>Action names, indexed by action.</summary>
    public static ImmutableArray<string> ActionNames { get; } = ["N", "E", "S", "W"];

    public static int StateOf(int row, int column) => row * Columns + column;
    public static int RowOf(int state) => state / Columns;
    public static int ColumnOf(int state) => state % Columns;

    /// <summary>The classic cliff's bottom row strictly between start and goal.</summary>
    public static bool IsCliff(int state) => RowOf(state) == Rows - 1 && ColumnOf(state) is > 0 and < Columns - 1;

    public Draw<int> Reset(Key key) => Grid.Reset(key);

    /// <summary>The grid's step (<see cref="Gridworld.Step"/>) with the action as an integer.</summary>
    public StepResult<int> Step(int state, int action, Key key) => Grid.Step(state, (Move)action, key);
}
