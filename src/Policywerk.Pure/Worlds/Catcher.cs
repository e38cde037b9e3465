using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>A Catcher state: the agent's cell, the cells (row·size + col) of the reward items still there and of the
/// hazards, the steps taken and the items collected.</summary>
public sealed record CatcherState(int Row, int Col, ImmutableArray<int> Items, ImmutableArray<int> Hazards, int Steps, int Collected)
{
    /// <summary>Equality by the numbers, not the array references.</summary>
    public bool Equals(CatcherState? other) =>
        other is not null && (Row, Col, Steps, Collected) == (other.Row, other.Col, other.Steps, other.Collected)
        && Items.SequenceEqual(other.Items) && Hazards.SequenceEqual(other.Hazards);

    public override int GetHashCode() => HashCode.Combine(Row, Col, Steps, Collected, Items.Length, Hazards.Length);
}

/// <summary>
/// The Python original's Catcher: a pixel gridworld in which the agent, starting in the centre cell, collects reward items
/// and avoids hazards, seeing only pixels (<see cref="WriteObservation"/>: 0 empty, 0.3 hazard, 0.7 item, 1 agent).
/// Actions 0 north (row − 1), 1 east, 2 south, 3 west, clamped at the edges. Collecting an item pays +1 (the last one ends
/// the episode), stepping on a hazard −1 and ends it, any other step −0.01, and the step cap ends it with 0 (a time limit).
/// Items and hazards are placed by <see cref="Reset"/> on free cells drawn from the key.
/// </summary>
public sealed record Catcher(int Size = 16, int ItemCount = 3, int HazardCount = 2, int MaxSteps = 200)
    : IWorld<CatcherState, int>, IRewardBounded
{
    public const int North = 0, East = 1, South = 2, West = 3, ActionCount = 4;
    public const double EmptyPixel = 0.0, HazardPixel = 0.3, ItemPixel = 0.7, AgentPixel = 1.0;
    public const double ItemReward = 1.0, HazardReward = -1.0, StepReward = -0.01;

    private static readonly ImmutableArray<int> RowStep = [-1, 0, 1, 0];
    private static readonly ImmutableArray<int> ColStep = [0, 1, 0, -1];

    /// <summary>|r| ≤ 1.</summary>
    public double MaxAbsReward => 1.0;

    /// <summary>Size² pixels.</summary>
    public int ObservationSize => Size * Size;

    /// <summary>The agent in the centre (Size/2, Size/2); the items, then the hazards, each on a cell drawn uniformly
    /// (row, then column) and drawn again while taken.</summary>
    public Draw<CatcherState> Reset(Key key)
    {
        if (Size < 1 || ItemCount < 1 || HazardCount < 0 || 1 + ItemCount + HazardCount > Size * Size)
            throw new ArgumentException($"a {Size}×{Size} Catcher cannot hold the agent, {ItemCount} items and {HazardCount} hazards");
        var centre = Size / 2 * Size + Size / 2;
        var taken = new HashSet<int> { centre };
        int Free()
        {
            while (true)
            {
                (var row, key) = key.NextInt(Size);
                (var col, key) = key.NextInt(Size);
                if (taken.Add(row * Size + col)) return row * Size + col;
            }
        }
        var items = Enumerable.Range(0, ItemCount).Select(_ => Free()).ToImmutableArray();
        var hazards = Enumerable.Range(0, HazardCount).Select(_ => Free()).ToImmutableArray();
        return new Draw<CatcherState>(new CatcherState(Size / 2, Size / 2, items, hazards, 0, 0), key);
    }

    /// <summary>Move (clamped); then, on an item: +1, the item gone, the episode over when it was the last; on a hazard:
    /// −1, over; at the step cap: 0, cut off; else −0.01. The key passes through untouched.</summary>
    public StepResult<CatcherState> Step(CatcherState s, int action, Key key)
    {
        if (action is < 0 or >= ActionCount) throw new ArgumentOutOfRangeException(nameof(action), action, "an action is 0 … 3");
        var row = Math.Clamp(s.Row + RowStep[action], 0, Size - 1);
        var col = Math.Clamp(s.Col + ColStep[action], 0, Size - 1);
        var cell = row * Size + col;
        var moved = s with { Row = row, Col = col, Steps = s.Steps + 1 };
        if (s.Items.Contains(cell))
        {
            var left = moved with { Items = s.Items.Remove(cell), Collected = s.Collected + 1 };
            return StepResult.Of(left, ItemReward, terminal: left.Items.IsEmpty, timeLimit: false, key);
        }
        if (s.Hazards.Contains(cell)) return StepResult.Of(moved, HazardReward, terminal: true, timeLimit: false, key);
        if (moved.Steps >= MaxSteps) return StepResult.Of(moved, 0.0, terminal: false, timeLimit: true, key);
        return StepResult.Of(moved, StepReward, terminal: false, timeLimit: false, key);
    }

    /// <summary>The frame, row by row: items 0.7, hazards 0.3, the agent 1 (over anything), the rest 0.</summary>
    public void WriteObservation(CatcherState s, Span<double> observation)
    {
        if (observation.Length < ObservationSize) throw new ArgumentException($"observation needs {ObservationSize} values", nameof(observation));
        observation[..ObservationSize].Fill(EmptyPixel);
        foreach (var cell in s.Items) observation[cell] = ItemPixel;
        foreach (var cell in s.Hazards) observation[cell] = HazardPixel;
        observation[s.Row * Size + s.Col] = AgentPixel;
    }
}
