using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>A grid cell, rows counted from the top.</summary>
public readonly record struct Cell(int Row, int Col)
{
    /// <summary>Row and column change of the four moves, in <see cref="Move"/>'s order N, E, S, W: the one table of
    /// directions (<see cref="Gridworld"/>'s dynamics and <see cref="GridMap"/>'s reachability both step with it).</summary>
    private static ReadOnlySpan<int> RowDelta => [-1, 0, 1, 0];
    private static ReadOnlySpan<int> ColDelta => [0, 1, 0, -1];

    /// <summary>The cell one move in <paramref name="direction"/> (0 = N, 1 = E, 2 = S, 3 = W) away; it may lie off the grid.</summary>
    public Cell Toward(int direction) => new(Row + RowDelta[direction], Col + ColDelta[direction]);
}

/// <summary>What occupies a grid cell.</summary>
public enum CellKind { Empty, Wall, Goal, Pit, Cliff }

/// <summary>The four moves of the gridworld, in the order the tables use: 0 = N, 1 = E, 2 = S, 3 = W.</summary>
public enum Move { North = 0, East = 1, South = 2, West = 3 }

/// <summary>
/// A grid world built from a <see cref="GridMap"/>, fully known (lesson 01 plans on it) and sampled (lesson 04 learns
/// on it, through <see cref="CliffWorld"/>). Bellman's classic 5×5 layout (<see cref="Classic"/>):
/// <code>
///   . . . . G     G goal  +1, ends
///   . # . X .     # wall  impassable
///   . . . . .     X pit   −1, ends
///   . . . . .     . empty −0.04 per move
///   S . . . .     S start (4,0)
/// </code>
/// A move into the border or a wall leaves the agent in place and costs the step reward. Goal and pit are absorbing
/// with value 0: their reward is paid on entry. Entering a cliff cell C pays the cliff reward and puts the agent back on
/// the start; the episode goes on. With slip p (Russell and Norvig's model) a move goes where it was meant with
/// probability 1 − p and to each of the two perpendicular directions with p/2. States are numbered row·Cols + col;
/// walls and cliff cells are state numbers no move ever ends in.
/// </summary>
public sealed record Gridworld : IKnownModel, IWorld<int, Move>
{
    /// <summary>The map the world is built from: layout, start, rewards, slip.</summary>
    public GridMap Map { get; }

    public Gridworld(GridMap map)
    {
        if (map.Cells.Length != map.Rows * map.Cols) throw new ArgumentException("a map must have Rows·Cols cells", nameof(map));
        Map = map;
    }

    /// <summary>Bellman's 5×5 layout of the spec (<see cref="GridMaps.Classic"/>): goal (0,4), wall (1,1), pit (1,3),
    /// start (4,0).</summary>
    public static Gridworld Classic { get; } = new(GridMaps.Classic.Map);

    public int Rows => Map.Rows;
    public int Cols => Map.Cols;
    public Cell Start => Map.Start;
    public ImmutableArray<CellKind> Layout => Map.Cells;

    public int StateCount => Rows * Cols;
    public int ActionCount => 4;
    public int StartState => IndexOf(Start);

    public int IndexOf(Cell cell) => cell.Row * Cols + cell.Col;
    public Cell CellOf(int state) => new(state / Cols, state % Cols);
    public CellKind KindOf(int state) => Layout[state];
    public CellKind KindOf(Cell cell) => Layout[IndexOf(cell)];

    public bool IsTerminal(int state) => Layout[state] is CellKind.Goal or CellKind.Pit;

    /// <summary>A wall is not a state the agent can be in: planning skips it and tables show it blank.</summary>
    public bool IsWall(int state) => Layout[state] == CellKind.Wall;

    /// <summary>A cliff cell is not a state the agent stays in either: entering one sends it back to the start.</summary>
    public bool IsCliff(int state) => Layout[state] == CellKind.Cliff;

    /// <summary>No action is ever taken in this state: a wall, a cliff cell, or a terminal state.</summary>
    public bool IsInert(int state) => Layout[state] != CellKind.Empty;

    /// <summary>Every move's outcome is certain (slip 0).</summary>
    public bool Deterministic => Map.Slip == 0.0;

    /// <summary>s' = s + Δ(a) unless that leaves the grid or enters a wall (then s' = s); with slip p the move is a's
    /// with 1 − p and each perpendicular move's with p/2 (an outcome per direction; two may name the same s').
    /// From a terminal state, a wall or a cliff cell every action stays put with reward 0.</summary>
    public ImmutableArray<Outcome> Outcomes(int state, int action)
    {
        if (IsInert(state) || Deterministic) return [Transition(state, action, 1.0)];
        var side = Map.Slip / 2;
        return [Transition(state, action, 1.0 - Map.Slip), Transition(state, Right(action), side), Transition(state, Left(action), side)];
    }

    /// <summary>The direction a quarter turn clockwise of <paramref name="direction"/> (N → E), and anticlockwise (N → W).</summary>
    private static int Right(int direction) => (direction + 1) % 4;
    private static int Left(int direction) => (direction + 3) % 4;

    private Outcome Transition(int state, int action, double probability)
    {
        if (IsInert(state)) return new Outcome(state, probability, 0.0);
        var (nextRow, nextCol) = CellOf(state).Toward(action);
        var inside = nextRow >= 0 && nextRow < Rows && nextCol >= 0 && nextCol < Cols;
        var next = inside && !IsWall(nextRow * Cols + nextCol) ? nextRow * Cols + nextCol : state;
        return Layout[next] switch
        {
            CellKind.Goal => new Outcome(next, probability, Map.GoalReward),
            CellKind.Pit => new Outcome(next, probability, Map.PitReward),
            CellKind.Cliff => new Outcome(StartState, probability, Map.CliffReward),
            _ => new Outcome(next, probability, Map.StepReward),
        };
    }

    public Draw<int> Reset(Key key) => new(StartState, key);

    /// <summary>Samples <see cref="Outcomes"/>: with slip 0 the key is returned untouched (the world is deterministic);
    /// otherwise one uniform u from it picks the direction: u &lt; p/2 turns right of a, u &lt; p turns left, else a.</summary>
    public StepResult<int> Step(int state, Move action, Key key)
    {
        var direction = (int)action;
        if (!Deterministic && !IsInert(state))
        {
            var (u, next) = key.NextDouble();
            key = next;
            direction = u < Map.Slip / 2 ? Right(direction) : u < Map.Slip ? Left(direction) : direction;
        }
        var outcome = Transition(state, direction, 1.0);
        return StepResult.Of(outcome.Next, outcome.Reward, terminal: IsTerminal(outcome.Next), timeLimit: false, key);
    }
}
