using System.Collections.Immutable;
using Policywerk.Pure.Mdp;

namespace Policywerk.Pure.Worlds;

using Policywerk.Pure.Numerics;

/// <summary>
/// Cliff walking (Sutton &amp; Barto 2018, Example 6.6): a 4×12 grid, rows from the top. Start bottom-left (3, 0),
/// goal bottom-right (3, 11), and the ten cells between them are the cliff. Each step costs −1; stepping into
/// the cliff costs −100 and sends the agent back to the start (the episode continues); stepping onto the goal
/// pays 0 and ends the episode. Moves into the border leave the agent in place. Deterministic.
/// States are numbered row·12 + column; actions 0 = N, 1 = E, 2 = S, 3 = W.
/// </summary>
public sealed record CliffWorld : IWorld<int, int>
{
    public const int Rows = 4;
    public const int Columns = 12;
    public const int StateCount = Rows * Columns;
    public const int ActionCount = 4;
    public const int North = 0, East = 1, South = 2, West = 3;

    public const double StepReward = -1.0;
    public const double CliffReward = -100.0;
    public const double GoalReward = 0.0;

    public static int Start => StateOf(3, 0);
    public static int Goal => StateOf(3, Columns - 1);

    /// <summary>Action names, indexed by action.</summary>
    public static ImmutableArray<string> ActionNames { get; } = ["N", "E", "S", "W"];

    public static int StateOf(int row, int column) => row * Columns + column;
    public static int RowOf(int state) => state / Columns;
    public static int ColumnOf(int state) => state % Columns;

    /// <summary>The bottom row strictly between start and goal.</summary>
    public static bool IsCliff(int state) => RowOf(state) == Rows - 1 && ColumnOf(state) is > 0 and < Columns - 1;

    public Draw<int> Reset(Key key) => new(Start, key);

    /// <summary>Move one cell (clamped at the border); cliff: −100 and back to start; goal: 0 and done; else −1.</summary>
    public StepResult<int> Step(int state, int action, Key key)
    {
        var row = Math.Clamp(RowOf(state) + RowDelta(action), 0, Rows - 1);
        var column = Math.Clamp(ColumnOf(state) + ColumnDelta(action), 0, Columns - 1);
        var next = StateOf(row, column);
        if (IsCliff(next)) return StepResult.Of(Start, CliffReward, terminal: false, timeLimit: false, key);
        if (next == Goal) return StepResult.Of(next, GoalReward, terminal: true, timeLimit: false, key);
        return StepResult.Of(next, StepReward, terminal: false, timeLimit: false, key);
    }

    private static int RowDelta(int action) => action switch { North => -1, South => 1, _ => 0 };
    private static int ColumnDelta(int action) => action switch { East => 1, West => -1, _ => 0 };
}
