using Policywerk.Pure.Worlds;
using ScottPlot;
using Policywerk.Shell.Tables;

namespace Policywerk.Shell.Pictures;

/// <summary>Mini Breakout drawn as its 8×10 board, and a DQN's Q-values as three bars.</summary>
public static class BreakoutPicture
{
    private static readonly string[] ActionNames = ["left", "stay", "right"];

    /// <summary>True when the game ended with the ball past the paddle (a miss ends the game on the paddle row).</summary>
    public static bool Missed(BreakoutState s) => s.Done && s.BallRow >= Breakout.PaddleRow;

    /// <summary>The board: bricks (red row 0, orange row 1), the ball, the paddle; the title says what is shown. The
    /// ball's earlier cells in <paramref name="trail"/> (oldest first) are drawn as fading dots, a missed ball in red
    /// with "miss" beside it, and <paramref name="card"/>, if any, as a card across the middle of the board.</summary>
    public static Plot Board(BreakoutState s, string title, IReadOnlyList<BreakoutState>? trail = null, string? card = null)
    {
        var plot = Draw.GridPlot(title, Breakout.Rows, Breakout.Cols);
        // the board, its bricks and the paddle as one grid of cells (CellGrid counts rows from the bottom)
        var fills = new Color[Breakout.Rows * Breakout.Cols];
        for (var r = 0; r < Breakout.Rows; r++)
            for (var c = 0; c < Breakout.Cols; c++)
                fills[(Breakout.Rows - 1 - r) * Breakout.Cols + c] =
                    s.HasBrick(r, c) ? (r == 0 ? Palette.TopBricks : Palette.LowerBricks)
                    : r == Breakout.PaddleRow && c >= s.PaddleCol && c < s.PaddleCol + Breakout.PaddleWidth ? Palette.Paddle
                    : Palette.Board;
        plot.PlottableList.Add(new CellGrid(0, -Breakout.Rows, 1, 1, Breakout.Rows, Breakout.Cols, fills, Palette.BoardLine, 1));
        var path = trail ?? [];
        for (var i = 0; i < path.Count; i++)
        {
            var dot = plot.Add.Circle(path[i].BallCol + 0.5, -path[i].BallRow - 0.5, 0.12 + 0.1 * (i + 1) / path.Count);
            dot.FillColor = Palette.BallTrail.WithAlpha(0.25 + 0.6 * (i + 1) / path.Count);
            dot.LineWidth = 0;
        }
        var missed = Missed(s);
        if (s.BallRow >= 0 && s.BallRow < Breakout.Rows)
        {
            var ball = plot.Add.Circle(s.BallCol + 0.5, -s.BallRow - 0.5, 0.32);
            ball.FillColor = missed ? Palette.Negative : Palette.White;
            ball.LineColor = ball.FillColor;
            if (missed)
            {
                var miss = Charts.Label(plot, "miss", s.BallCol + 0.5, -s.BallRow + 0.15, Alignment.LowerCenter, 14, Palette.Negative, bold: true);
                miss.LabelBackgroundColor = Palette.Neutral;
                miss.LabelPadding = 3;
            }
        }
        var score = plot.Add.Text($"bricks {s.Score}/{TotalBricks}   step {s.Steps}", 0.1, -Breakout.Rows - 0.15);
        score.LabelFontSize = 13;
        score.LabelFontColor = Palette.Ink;
        score.Alignment = Alignment.UpperLeft;
        if (card is not null) Charts.Card(plot, card, Breakout.Cols / 2.0, -Breakout.Rows / 2.0);
        plot.Axes.SetLimits(-0.05, Breakout.Cols + 0.05, -Breakout.Rows - 0.9, 0.05);
        return plot;
    }

    /// <summary>The bricks a game starts with (12 on mini Breakout's board).</summary>
    public static int TotalBricks { get; } = System.Numerics.BitOperations.PopCount(Breakout.StartBricks);

    /// <summary>Q(s, left/stay/right) as bars of Q(s, a) − mean_a′ Q(s, a′), how much better or worse than the average
    /// action each action looks, over a fixed symmetric range ±<paramref name="spread"/>, cut at its edges; each bar is labelled with Q(s, a)
    /// itself. The actions' values differ by far less than they vary from state to state, so bars of Q itself on an axis
    /// that holds every frame would all look the same height. With <paramref name="greedy"/> the greedy action's bar (the
    /// tallest) is green; without, the actions are not chosen from these values (random play) and every bar is grey.</summary>
    public static Plot QBars(IReadOnlyList<double> q, string title, double spread, bool greedy = true)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        var best = 0;
        for (var a = 1; a < q.Count; a++) if (q[a] > q[best]) best = a;
        var mean = q.Average();
        for (var a = 0; a < q.Count; a++)
        {
            var centred = Math.Clamp(q[a] - mean, -spread, spread); // cut at the axis's edge (QSpread)
            var bar = plot.Add.Bar(position: a, value: centred);
            bar.Color = !greedy ? Palette.Gray.WithAlpha(0.6) : a == best ? Palette.Positive : Palette.Accent.WithAlpha(0.55);
            var cut = Math.Abs(centred) == spread;
            var value = "Q = " + Rounding.Signed(q[a], 2);
            var label = plot.Add.Text(cut ? $"{value} {(centred > 0 ? "▲" : "▼")}" : value, a, centred); // ▲/▼: the bar goes on
            label.Alignment = centred >= 0 ^ cut ? Alignment.LowerCenter : Alignment.UpperCenter;
            label.LabelFontSize = 13;
            label.LabelFontColor = Palette.Ink;
            if (cut) label.LabelBackgroundColor = Palette.White.WithAlpha(0.85);
        }
        Draw.FewTicks(plot);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0, 1, 2], ActionNames);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.YLabel("Q(s, a) − mean of the three", 13);
        plot.Axes.SetLimits(-0.6, 2.6, -spread, spread);
        plot.Add.HorizontalLine(0, 1, Palette.Ink);
        return plot;
    }

    /// <summary>The half-height of the Q bars' axis, one for all frames of an animation so bars of different frames
    /// compare: the <see cref="SpreadQuantile"/> quantile over the frames of each frame's largest |Q(s, a) − mean_a′ Q(s, a′)|,
    /// with room for the labels. The few frames beyond it (a state where one action is clearly worse) have their bars cut at
    /// the axis's edge, and their labels say so and still give Q.</summary>
    public static double QSpread(IEnumerable<IReadOnlyList<double>> qs)
    {
        var largest = qs.Select(q => (Values: q, Mean: q.Average())).Select(q => q.Values.Max(v => Math.Abs(v - q.Mean))).Order().ToArray();
        if (largest.Length == 0) return 0.1;
        return 1.3 * Math.Max(largest[(int)Math.Floor(SpreadQuantile * (largest.Length - 1))], 0.01);
    }

    /// <summary>Which quantile of the frames' largest bar sets the Q axis (<see cref="QSpread"/>).</summary>
    public const double SpreadQuantile = 0.9;
}
