using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>A grid cell, rows counted from the top.</summary>
public readonly record struct Cell(int Row, int Col);

/// <summary>What occupies a grid cell.</summary>
public enum CellKind { Empty, Wall, Goal, Pit }

/// <summary>The four moves of the gridworld, in the order the tables use: 0 = N, 1 = E, 2 = S, 3 = W.</summary>
public enum Move { North = 0, East = 1, South = 2, West = 3 }

/// <summary>
/// Bellman's 5×5 gridworld (lesson 01): deterministic and fully known.
/// <code>
///   . . . . G     G goal  +1, ends
///   . # . X .     # wall  impassable
///   . . . . .     X pit   −1, ends
///   . . . . .     . empty −0.04 per move
///   S . . . .     S start (4,0)
/// </code>
/// A move into the border or the wall leaves the agent in place. Goal and pit are absorbing with
/// value 0: their reward is paid on entry. States are numbered row·Cols + col; the wall is a state
/// number no move ever reaches.
/// </summary>
public sealed record Gridworld : IKnownModel, IWorld<int, Move>
{
    public const double StepCost = -0.04;
    public const double GoalReward = 1.0;
    public const double PitReward = -1.0;

    private static ReadOnlySpan<int> RowDelta => [-1, 0, 1, 0];
    private static ReadOnlySpan<int> ColDelta => [0, 1, 0, -1];

    public int Rows { get; }
    public int Cols { get; }
    public Cell Start { get; }
    public ImmutableArray<CellKind> Layout { get; }

    public Gridworld(ImmutableArray<CellKind> layout, int rows, int cols, Cell start)
    {
        if (layout.Length != rows * cols) throw new ArgumentException("layout must have rows·cols cells", nameof(layout));
        Layout = layout;
        Rows = rows;
        Cols = cols;
        Start = start;
    }

    /// <summary>The layout of the spec: goal (0,4), wall (1,1), pit (1,3), start (4,0).</summary>
    public static Gridworld Classic { get; } = Parse(
        """
        ....G
        .#.X.
        .....
        .....
        .....
        """, new Cell(4, 0));

    /// <summary>Builds a grid from rows of '.', '#', 'G', 'X'.</summary>
    public static Gridworld Parse(string text, Cell start)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var cols = lines[0].Length;
        var cells = new CellKind[lines.Length * cols];
        for (var r = 0; r < lines.Length; r++)
            for (var c = 0; c < cols; c++)
                cells[r * cols + c] = lines[r][c] switch
                {
                    '#' => CellKind.Wall,
                    'G' => CellKind.Goal,
                    'X' => CellKind.Pit,
                    _ => CellKind.Empty,
                };
        return new Gridworld(cells.Freeze(), lines.Length, cols, start);
    }

    public int StateCount => Rows * Cols;
    public int ActionCount => 4;
    public int StartState => IndexOf(Start);

    public int IndexOf(Cell cell) => cell.Row * Cols + cell.Col;
    public Cell CellOf(int state) => new(state / Cols, state % Cols);
    public CellKind KindOf(int state) => Layout[state];
    public CellKind KindOf(Cell cell) => Layout[IndexOf(cell)];

    public bool IsTerminal(int state) => Layout[state] is CellKind.Goal or CellKind.Pit;

    /// <summary>The wall is not a state the agent can be in: planning skips it and tables show it blank.</summary>
    public bool IsWall(int state) => Layout[state] == CellKind.Wall;

    /// <summary>s' = s + Δ(a) unless that leaves the grid or enters a wall; then s' = s.
    /// From a terminal state every action stays put with reward 0.</summary>
    public ImmutableArray<Outcome> Outcomes(int state, int action) => [Transition(state, action)];

    private Outcome Transition(int state, int action)
    {
        if (IsTerminal(state) || IsWall(state)) return new Outcome(state, 1.0, 0.0);
        var (row, col) = CellOf(state);
        int nextRow = row + RowDelta[action], nextCol = col + ColDelta[action];
        var inside = nextRow >= 0 && nextRow < Rows && nextCol >= 0 && nextCol < Cols;
        var next = inside && !IsWall(nextRow * Cols + nextCol) ? nextRow * Cols + nextCol : state;
        var reward = Layout[next] switch
        {
            CellKind.Goal => GoalReward,
            CellKind.Pit => PitReward,
            _ => StepCost,
        };
        return new Outcome(next, 1.0, reward);
    }

    public Draw<int> Reset(Key key) => new(StartState, key);

    public StepResult<int> Step(int state, Move action, Key key)
    {
        var outcome = Transition(state, (int)action);
        return StepResult.Of(outcome.Next, outcome.Reward, terminal: IsTerminal(outcome.Next), timeLimit: false, key);
    }
}
