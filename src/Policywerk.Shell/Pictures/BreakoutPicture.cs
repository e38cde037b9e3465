using Policywerk.Pure.Worlds;
using ScottPlot;

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
        var score = plot.Add.Text($"bricks {s.Score}/12   step {s.Steps}", 0.1, -Breakout.Rows - 0.15);
        score.LabelFontSize = 13;
        score.LabelFontColor = Palette.Ink;
        score.Alignment = Alignment.UpperLeft;
        if (card is not null)
        {
            var text = Charts.Label(plot, card, Breakout.Cols / 2.0, -Breakout.Rows / 2.0, Alignment.MiddleCenter, 14, Palette.Ink, bold: true);
            text.LabelBackgroundColor = Palette.Neutral;
            text.LabelBorderColor = Palette.Ink;
            text.LabelBorderWidth = 1;
            text.LabelPadding = 8;
        }
        plot.Axes.SetLimits(-0.05, Breakout.Cols + 0.05, -Breakout.Rows - 0.9, 0.05);
        return plot;
    }

    /// <summary>Q(s, left/stay/right) as bars over a fixed <paramref name="range"/>. With <paramref name="greedy"/> the
    /// greedy action's bar is green (and the action taken, if another, is marked "explored"); without, the actions are
    /// not chosen from these values (random play) and every bar is grey.</summary>
    public static Plot QBars(IReadOnlyList<double> q, string title, (double Low, double High) range, bool greedy = true, int? taken = null)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        var best = 0;
        for (var a = 1; a < q.Count; a++) if (q[a] > q[best]) best = a;
        for (var a = 0; a < q.Count; a++)
        {
            var bar = plot.Add.Bar(position: a, value: q[a]);
            bar.Color = !greedy ? Palette.Gray.WithAlpha(0.6) : a == best ? Palette.Positive : Palette.Accent.WithAlpha(0.55);
            var label = plot.Add.Text(q[a].ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture), a, q[a]);
            label.Alignment = q[a] >= 0 ? Alignment.LowerCenter : Alignment.UpperCenter;
            label.LabelFontSize = 13;
            label.LabelFontColor = Palette.Ink;
        }
        if (greedy && taken is int t && t != best)
        {
            var note = plot.Add.Text("explored", t, range.Low);
            note.Alignment = Alignment.LowerCenter;
            note.LabelFontColor = Palette.Second;
            note.LabelFontSize = 12;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [0, 1, 2], ActionNames);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.YLabel("Q(s, a)", 13);
        var span = range.High - range.Low;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(span > 8 ? 2 : span > 3 ? 1 : 0.5);
        plot.Axes.SetLimits(-0.6, 2.6, range.Low, range.High);
        plot.Add.HorizontalLine(0, 1, Palette.Ink);
        return plot;
    }

    /// <summary>A y range that holds every value in <paramref name="qs"/> and 0, with room above and below for the bars'
    /// labels: one range for all frames of an animation, so bars of different frames compare.</summary>
    public static (double Low, double High) QRange(IEnumerable<IReadOnlyList<double>> qs)
    {
        var (low, high) = (0.0, 0.0);
        foreach (var q in qs)
            foreach (var v in q) (low, high) = (Math.Min(low, v), Math.Max(high, v));
        var pad = 0.15 * Math.Max(high - low, 0.1);
        return (low - pad, high + pad);
    }
}
