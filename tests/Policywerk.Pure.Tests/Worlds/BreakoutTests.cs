using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Worlds;

public class BreakoutTests
{
    private static readonly Breakout World = new();
    private static readonly Key AnyKey = Key.FromSeed(7);

    private static BreakoutState Ball(int row, int col, int dr, int dc, int paddle = 2, ulong? bricks = null) =>
        Breakout.Start with
        {
            BallRow = row, BallCol = col, BallDr = dr, BallDc = dc, PaddleCol = paddle,
            Bricks = bricks ?? Breakout.StartBricks,
        };

    private static void AssertBall(BreakoutState s, int row, int col, int dr, int dc)
    {
        Assert.Equal((row, col, dr, dc), (s.BallRow, s.BallCol, s.BallDr, s.BallDc));
    }

    [Fact]
    public void Start_is_the_python_layout()
    {
        var (s, key) = World.Reset(AnyKey);
        Assert.Equal(AnyKey, key);
        AssertBall(s, 3, 4, 1, 1);
        Assert.Equal(2, s.PaddleCol);
        Assert.Equal(12, s.BricksRemaining);
        for (var r = 0; r < 10; r++)
            for (var c = 0; c < 8; c++)
                Assert.Equal(r <= 1 && c >= 1 && c <= 6, s.HasBrick(r, c));
        Assert.Equal((0, 0, false), (s.Steps, s.Score, s.Done));
    }

    [Fact]
    public void Free_flight_moves_one_cell_diagonally_and_costs_a_step()
    {
        var result = World.Step(Breakout.Start, Breakout.Stay, AnyKey);
        AssertBall(result.Next, 4, 5, 1, 1);
        Assert.Equal(-0.01, result.Reward);
        Assert.False(result.Last);
        Assert.Equal(1, result.Next.Steps);
        Assert.Equal(AnyKey, result.Key);
    }

    [Fact]
    public void Right_wall_clamps_the_column_and_flips_dc()
    {
        // (6,7) moving down-right: next (7,8) is off the board → column 7, dc = −1.
        var result = World.Step(Ball(6, 7, 1, 1), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 7, 7, 1, -1);
        Assert.Equal(-0.01, result.Reward);
    }

    [Fact]
    public void Left_wall_clamps_the_column_and_flips_dc()
    {
        // The Python test: (5,0) moving down-left → (6,0), dc = +1.
        var result = World.Step(Ball(5, 0, 1, -1), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 6, 0, 1, 1);
    }

    [Fact]
    public void Top_wall_clamps_the_row_and_flips_dr()
    {
        var result = World.Step(Ball(0, 3, -1, 1, bricks: 0), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 0, 4, 1, 1);
        Assert.Equal(-0.01, result.Reward);
        Assert.False(result.Last);
    }

    [Fact]
    public void A_brick_breaks_flips_dr_and_the_ball_keeps_its_row()
    {
        // (2,3) moving up-right: next (1,4) holds a brick → removed, dr = +1, ball at (2,4), +1.
        var result = World.Step(Ball(2, 3, -1, 1), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 2, 4, 1, 1);
        Assert.Equal(1.0, result.Reward);
        Assert.False(result.Last);
        Assert.False(result.Next.HasBrick(1, 4));
        Assert.Equal(11, result.Next.BricksRemaining);
        Assert.Equal(1, result.Next.Score);
    }

    [Fact]
    public void A_side_wall_bounce_moving_up_keeps_the_vertical_motion()
    {
        // (2,0) moving up-left: column clamps to 0 (dc = +1), next (1,0) is empty → ball (1,0), no brick.
        var result = World.Step(Ball(2, 0, -1, -1), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 1, 0, -1, 1);
        Assert.Equal(12, result.Next.BricksRemaining);
        // (2,7) moving up-right: column clamps to 7, (1,7) is empty too.
        var other = World.Step(Ball(2, 7, -1, 1), Breakout.Stay, AnyKey);
        AssertBall(other.Next, 1, 7, -1, -1);
    }

    [Fact]
    public void The_last_brick_ends_the_episode_with_plus_one()
    {
        var only = BreakoutState.BrickBit(0, 4);
        var result = World.Step(Ball(1, 3, -1, 1, bricks: only), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 1, 4, 1, 1);
        Assert.Equal(1.0, result.Reward);
        Assert.True(result.Last);
        Assert.Equal(0, result.Next.BricksRemaining);
    }

    [Fact]
    public void The_paddle_bounces_the_ball_back_to_row_8()
    {
        // (8,3) moving down-right, paddle on columns 2–4: next (9,4) is covered → ball (8,4), dr = −1.
        var result = World.Step(Ball(8, 3, 1, 1, paddle: 2), Breakout.Stay, AnyKey);
        AssertBall(result.Next, 8, 4, -1, 1);
        Assert.Equal(-0.01, result.Reward);
        Assert.False(result.Last);
    }

    [Fact]
    public void The_paddle_moves_before_the_ball()
    {
        // (8,4) moving down-right towards column 5; paddle 2 covers 2–4. Moving right covers 3–5: a bounce.
        var caught = World.Step(Ball(8, 4, 1, 1, paddle: 2), Breakout.Right, AnyKey);
        AssertBall(caught.Next, 8, 5, -1, 1);
        Assert.Equal(3, caught.Next.PaddleCol);
        Assert.False(caught.Last);
        // Staying is a miss: the ball passes to (9,5), −1, the end.
        var missed = World.Step(Ball(8, 4, 1, 1, paddle: 2), Breakout.Stay, AnyKey);
        AssertBall(missed.Next, 9, 5, 1, 1);
        Assert.Equal(-1.0, missed.Reward);
        Assert.True(missed.Last);
    }

    [Fact]
    public void A_corner_bounces_from_wall_and_paddle_in_one_step()
    {
        // (8,7) moving down-right: column clamps to 7 (dc = −1), paddle 5 covers 5–7 → (8,7), dr = −1.
        var result = World.Step(Ball(8, 7, 1, 1, paddle: 5), Breakout.Right, AnyKey);
        AssertBall(result.Next, 8, 7, -1, -1);
        Assert.Equal(5, result.Next.PaddleCol); // clamped at the right edge
    }

    [Fact]
    public void The_paddle_stops_at_the_edges()
    {
        Assert.Equal(0, World.Step(Ball(4, 4, 1, 1, paddle: 0), Breakout.Left, AnyKey).Next.PaddleCol);
        Assert.Equal(5, World.Step(Ball(4, 4, 1, 1, paddle: 5), Breakout.Right, AnyKey).Next.PaddleCol);
        Assert.Equal(1, World.Step(Ball(4, 4, 1, 1, paddle: 2), Breakout.Left, AnyKey).Next.PaddleCol);
    }

    [Fact]
    public void Staying_still_misses_on_step_6_with_minus_one()
    {
        // (3,4) → (4,5) → (5,6) → (6,7) → (7,7) wall → (8,6) → (9,5): paddle 2–4 misses.
        var s = Breakout.Start;
        var rewards = new List<double>();
        var done = false;
        while (!done)
        {
            var result = World.Step(s, Breakout.Stay, AnyKey);
            rewards.Add(result.Reward);
            (s, done) = (result.Next, result.Last);
        }
        Assert.Equal(new[] { -0.01, -0.01, -0.01, -0.01, -0.01, -1.0 }, rewards);
        AssertBall(s, 9, 5, 1, -1);
        Assert.Equal(6, s.Steps);
    }

    [Fact]
    public void The_step_cap_ends_the_episode_without_a_miss_penalty()
    {
        var world = new Breakout(MaxSteps: 5);
        var s = Breakout.Start;
        for (var t = 1; t <= 5; t++)
        {
            var result = world.Step(s, Breakout.Stay, AnyKey);
            Assert.Equal(-0.01, result.Reward);
            Assert.Equal(t == 5, result.Last);
            s = result.Next;
        }
    }

    [Fact]
    public void A_finished_episode_steps_to_itself_with_reward_0()
    {
        var end = World.Step(Ball(8, 4, 1, 1, paddle: 2), Breakout.Stay, AnyKey).Next;
        var again = World.Step(end, Breakout.Left, AnyKey);
        Assert.Same(end, again.Next);
        Assert.Equal(0.0, again.Reward);
        Assert.True(again.Last);
    }

    [Fact]
    public void The_observation_is_80_pixels_then_the_velocity()
    {
        var o = Breakout.Observe(Breakout.Start);
        Assert.Equal(82, o.Length);
        var expected = new double[82];
        for (var c = 1; c <= 6; c++) { expected[c] = 0.5; expected[8 + c] = 0.5; }
        expected[3 * 8 + 4] = 0.7;
        expected[9 * 8 + 2] = expected[9 * 8 + 3] = expected[9 * 8 + 4] = 1.0;
        expected[80] = 1.0;
        expected[81] = 1.0;
        Assert.Equal(expected, o.ToArray());
    }

    [Fact]
    public void The_ball_is_drawn_over_a_brick_and_the_paddle_over_the_ball()
    {
        var s = Ball(1, 1, -1, -1);
        var o = Breakout.Observe(s);
        Assert.Equal(0.7, o[1 * 8 + 1]);
        Assert.Equal(-1.0, o[80]);
        Assert.Equal(-1.0, o[81]);
        var missed = Ball(9, 3, 1, 1, paddle: 2);
        Assert.Equal(1.0, Breakout.Observe(missed)[9 * 8 + 3]);
    }

    [Fact]
    public void WriteObservation_fills_a_slice_of_a_batch_and_clears_old_values()
    {
        var batch = new double[3 * 82];
        Array.Fill(batch, 9.0);
        Breakout.WriteObservation(Breakout.Start, batch.AsSpan(82, 82));
        Assert.Equal(Breakout.Observe(Breakout.Start).ToArray(), batch.AsSpan(82, 82).ToArray());
        Assert.Equal(9.0, batch[81]);
        Assert.Equal(9.0, batch[164]);
    }

    /// <summary>Move the paddle's centre under the ball's column.</summary>
    private static int Follow(BreakoutState s) =>
        s.BallCol < s.PaddleCol + 1 ? Breakout.Left : s.BallCol > s.PaddleCol + 1 ? Breakout.Right : Breakout.Stay;

    [Fact]
    public void Following_the_ball_breaks_bricks()
    {
        var s = Breakout.Start;
        var total = 0.0;
        var broke = false;
        while (!s.Done)
        {
            var result = World.Step(s, Follow(s), AnyKey);
            total += result.Reward;
            broke |= result.Reward == 1.0;
            s = result.Next;
        }
        Assert.True(broke);
        Assert.True(s.Score >= 1);
        Assert.Equal(12 - s.Score, s.BricksRemaining);
    }

    [Property(MaxTest = 200)]
    public void Invariants_hold_under_any_actions(ulong seed)
    {
        var key = Key.FromSeed(seed);
        var s = Breakout.Start;
        while (!s.Done)
        {
            var (action, next) = key.NextInt(Breakout.ActionCount);
            key = next;
            var result = World.Step(s, action, key);
            var n = result.Next;
            Assert.InRange(n.PaddleCol, 0, Breakout.Cols - Breakout.PaddleWidth);
            Assert.InRange(n.BallCol, 0, Breakout.Cols - 1);
            Assert.InRange(n.BallRow, 0, result.Reward == -1.0 ? 9 : 8);
            Assert.Equal(1, Math.Abs(n.BallDr));
            Assert.Equal(1, Math.Abs(n.BallDc));
            Assert.Equal(12, n.Score + n.BricksRemaining);
            Assert.Equal(0UL, n.Bricks & ~s.Bricks); // bricks only disappear
            Assert.Contains(result.Reward, new[] { -0.01, 1.0, -1.0 });
            Assert.Equal(result.Reward == -1.0 || n.BricksRemaining == 0 || n.Steps >= 200, result.Last);
            Assert.Equal(s.Steps + 1, n.Steps);
            s = n;
        }
    }
}
