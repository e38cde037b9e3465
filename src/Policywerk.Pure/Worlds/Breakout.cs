using System.Collections.Immutable;
using System.Numerics;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>
/// One moment of mini Breakout: the paddle's left column, the ball's cell and velocity (each component
/// ±1), the bricks still standing (a bit mask, bit <c>row·8 + col</c>), the steps taken, the bricks
/// broken so far, and whether the episode has ended.
/// </summary>
/// <remarks>
/// The bit mask covers rows 0–7 (64 cells); bricks only ever stand in rows 0–1. The whole board is a
/// handful of integers, so a replay buffer can keep states instead of 82-value observations and
/// render them into a batch with <see cref="Breakout.WriteObservation"/> when it samples.
/// </remarks>
public sealed record BreakoutState(
    int PaddleCol,
    int BallRow,
    int BallCol,
    int BallDr,
    int BallDc,
    ulong Bricks,
    int Steps,
    int Score,
    bool Done)
{
    /// <summary>The bit of the brick at (<paramref name="row"/>, <paramref name="col"/>): 1 ≪ (row·8 + col), row in 0–7.</summary>
    public static ulong BrickBit(int row, int col) => 1UL << (row * Breakout.Cols + col);

    /// <summary>True if a brick stands at (<paramref name="row"/>, <paramref name="col"/>); cells outside rows 0–7 hold none.</summary>
    public bool HasBrick(int row, int col) =>
        row >= 0 && row < 8 && col >= 0 && col < Breakout.Cols && (Bricks & BrickBit(row, col)) != 0;

    /// <summary>The number of bricks still standing.</summary>
    public int BricksRemaining => BitOperations.PopCount(Bricks);
}

/// <summary>
/// Mini Breakout (Mnih et al. 2013's Atari game in small), 8 columns × 10 rows:
/// <code>
///   row 0: . B B B B B B .
///   row 1: . B B B B B B .
///   row 3: . . . . o . . .   ball, moving down-right (dr = +1, dc = +1)
///   row 9: . . . = = = . .   paddle, width 3, columns 2–4
/// </code>
/// Actions 0 = left, 1 = stay, 2 = right (any other number stays, as the Python). Rewards: +1 for a brick, −1 for a miss (ends the episode),
/// −0.01 for every other step. The episode also ends when the last brick breaks or after
/// <see cref="MaxSteps"/> steps. Deterministic: the key passes through untouched.
/// </summary>
/// <remarks>
/// The rules are those of the Python original's <c>world/breakout.py</c>, step for step (see <see cref="Step"/>).
/// Observation: the 80 pixels row-major (0 empty, 0.5 brick, 0.7 ball, 1.0 paddle) then (dr, dc) = 82 values.
/// </remarks>
public sealed record Breakout(int MaxSteps = 200) : IWorld<BreakoutState, int>, IRewardBounded
{
    public const int Rows = 10;
    public const int Cols = 8;
    public const int PaddleWidth = 3;
    public const int PaddleRow = Rows - 1;
    public const int ActionCount = 3;
    public const int Left = 0;
    public const int Stay = 1;
    public const int Right = 2;

    /// <summary>Pixel values of the observation.</summary>
    public const double Empty = 0.0, BrickPixel = 0.5, BallPixel = 0.7, PaddlePixel = 1.0;

    public const double BrickReward = 1.0;
    public const double MissReward = -1.0;
    public const double StepReward = -0.01;

    /// <summary>max(|brick|, |miss|, |step|) = 1.</summary>
    public double MaxAbsReward => Math.Max(Math.Abs(BrickReward), Math.Max(Math.Abs(MissReward), Math.Abs(StepReward)));

    /// <summary>80 pixels + 2 velocity components.</summary>
    public const int ObservationSize = Rows * Cols + 2;

    /// <summary>Rows 0–1, columns 1–6: the twelve starting bricks.</summary>
    public const ulong StartBricks = 0b0111_1110_0111_1110UL;

    /// <summary>The start of every episode: paddle at columns 2–4, ball at (3, 4) moving down-right, 12 bricks.</summary>
    public static readonly BreakoutState Start = new(
        PaddleCol: (Cols - PaddleWidth) / 2, BallRow: 3, BallCol: 4, BallDr: 1, BallDc: 1,
        Bricks: StartBricks, Steps: 0, Score: 0, Done: false);

    /// <summary>s_0 = <see cref="Start"/>; the key is returned untouched.</summary>
    public Draw<BreakoutState> Reset(Key key) => new(Start, key);

    /// <summary>
    /// s' = f(s, a), in the Python's order: move the paddle (clamped to the board); move the ball by
    /// (dr, dc); a side wall clamps the column and flips dc; the top wall clamps the row to 0 and flips
    /// dr; a brick at the new cell breaks (+1), flips dr and keeps the ball on its old row (the last
    /// brick ends the episode); on the paddle row the ball bounces back to row 8 with dr flipped if the
    /// paddle covers its column, otherwise it is a miss (−1, ends); else −0.01. Then the step cap.
    /// A miss and the last brick are terminal (discount 0); the step cap is a time limit (last, discount 1).
    /// A finished state steps to itself with reward 0 and discount 0.
    /// </summary>
    public StepResult<BreakoutState> Step(BreakoutState s, int action, Key key)
    {
        if (s.Done) return StepResult.Of(s, 0.0, terminal: true, timeLimit: false, key);

        var paddle = action switch
        {
            Left => Math.Max(0, s.PaddleCol - 1),
            Right => Math.Min(Cols - PaddleWidth, s.PaddleCol + 1),
            _ => s.PaddleCol,
        };

        var dr = s.BallDr;
        var dc = s.BallDc;
        var row = s.BallRow + dr;
        var col = s.BallCol + dc;

        // Side walls: clamp the column and reverse the horizontal velocity.
        if (col < 0) { col = 0; dc = -dc; }
        else if (col >= Cols) { col = Cols - 1; dc = -dc; }

        // Top wall: clamp the row and reverse the vertical velocity.
        if (row < 0) { row = 0; dr = -dr; }

        var reward = StepReward;
        var bricks = s.Bricks;
        var score = s.Score;
        var steps = s.Steps + 1;

        // Brick: break it, reverse vertically, and stay on the old row (the ball does not enter the brick's cell).
        if (s.HasBrick(row, col))
        {
            bricks &= ~BrickBit(row, col);
            dr = -dr;
            row = s.BallRow;
            score += 1;
            reward = BrickReward;
            if (bricks == 0)
                return StepResult.Of(new BreakoutState(paddle, row, col, dr, dc, bricks, steps, score, true), reward, terminal: true, timeLimit: false, key);
        }

        // Paddle row: bounce up from the paddle, or miss.
        if (row >= PaddleRow)
        {
            if (col >= paddle && col < paddle + PaddleWidth)
            {
                row = PaddleRow - 1;
                dr = -dr;
            }
            else
            {
                return StepResult.Of(new BreakoutState(paddle, row, col, dr, dc, bricks, steps, score, true), MissReward, terminal: true, timeLimit: false, key);
            }
        }

        // The step cap is a time limit: the episode is over (last), but the game could go on (discount 1).
        var cutOff = steps >= MaxSteps;
        return StepResult.Of(new BreakoutState(paddle, row, col, dr, dc, bricks, steps, score, cutOff), reward, terminal: false, timeLimit: cutOff, key);
    }

    private static ulong BrickBit(int row, int col) => BreakoutState.BrickBit(row, col);

    /// <summary>
    /// o = [pixels row-major (10 × 8), dr, dc]: bricks 0.5, then the ball 0.7 over them, then the paddle
    /// 1.0 over both (the Python's drawing order), written into <paramref name="observation"/> (length ≥ 82).
    /// </summary>
    public static void WriteObservation(BreakoutState s, Span<double> observation)
    {
        if (observation.Length < ObservationSize)
            throw new ArgumentException($"observation needs {ObservationSize} values", nameof(observation));
        var pixels = observation[..(Rows * Cols)];
        pixels.Clear();
        var bricks = s.Bricks;
        while (bricks != 0)
        {
            var cell = BitOperations.TrailingZeroCount(bricks);
            pixels[cell] = BrickPixel;
            bricks &= bricks - 1;
        }
        if (s.BallRow >= 0 && s.BallRow < Rows && s.BallCol >= 0 && s.BallCol < Cols)
            pixels[s.BallRow * Cols + s.BallCol] = BallPixel;
        for (var c = s.PaddleCol; c < s.PaddleCol + PaddleWidth; c++)
            if (c >= 0 && c < Cols) pixels[PaddleRow * Cols + c] = PaddlePixel;
        observation[Rows * Cols] = s.BallDr;
        observation[Rows * Cols + 1] = s.BallDc;
    }

    /// <summary>The 82-value observation of <paramref name="s"/> (see <see cref="WriteObservation"/>).</summary>
    public static ImmutableArray<double> Observe(BreakoutState s)
    {
        var observation = new double[ObservationSize];
        WriteObservation(s, observation);
        return Immutable.Freeze(observation);
    }
}
