using Policywerk.Pure.Worlds;
using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>Mini Breakout drawn as its 8×10 board, and a DQN's Q-values as three bars.</summary>
public static class BreakoutPicture
{
    private static readonly string[] ActionNames = ["left", "stay", "right"];

    /// <summary>The board: bricks (red row 0, orange row 1), the ball, the paddle; the title says what is shown.</summary>
    public static Plot Board(BreakoutState s, string title)
    {
        var plot = Draw.GridPlot(title, Breakout.Rows, Breakout.Cols);
        for (var r = 0; r < Breakout.Rows; r++)
            for (var c = 0; c < Breakout.Cols; c++)
            {
                var fill = s.HasBrick(r, c) ? (r == 0 ? Palette.TopBricks : Palette.LowerBricks)
                         : r == Breakout.PaddleRow && c >= s.PaddleCol && c < s.PaddleCol + Breakout.PaddleWidth ? Palette.Paddle
                         : Palette.Board;
                var rect = plot.Add.Rectangle(c, c + 1, -r - 1, -r);
                rect.FillColor = fill;
                rect.LineColor = Palette.BoardLine;
                rect.LineWidth = 1;
            }
        if (s.BallRow >= 0 && s.BallRow < Breakout.Rows)
        {
            var ball = plot.Add.Circle(s.BallCol + 0.5, -s.BallRow - 0.5, 0.32);
            ball.FillColor = Palette.White;
            ball.LineColor = Palette.White;
        }
        var score = plot.Add.Text($"bricks {s.Score}/12   step {s.Steps}", 0.1, -Breakout.Rows - 0.15);
        score.LabelFontSize = 13;
        score.LabelFontColor = Palette.Ink;
        score.Alignment = Alignment.UpperLeft;
        plot.Axes.SetLimits(-0.05, Breakout.Cols + 0.05, -Breakout.Rows - 0.9, 0.05);
        return plot;
    }

    /// <summary>Q(s, left/stay/right) as bars, the greedy action highlighted (or "random" when the action was explored).</summary>
    public static Plot QBars(IReadOnlyList<double> q, string title, (double Low, double High) range, int? taken = null)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        var best = 0;
        for (var a = 1; a < q.Count; a++) if (q[a] > q[best]) best = a;
        for (var a = 0; a < q.Count; a++)
        {
            var bar = plot.Add.Bar(position: a, value: q[a]);
            bar.Color = a == best ? Palette.Positive : Palette.Accent.WithAlpha(0.55);
            var label = plot.Add.Text(q[a].ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture), a, q[a]);
            label.Alignment = q[a] >= 0 ? Alignment.LowerCenter : Alignment.UpperCenter;
            label.LabelFontSize = 13;
            label.LabelFontColor = Palette.Ink;
        }
        if (taken is int t && t != best)
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
        plot.Axes.SetLimits(-0.6, 2.6, range.Low, range.High);
        plot.Add.HorizontalLine(0, 1, Palette.Ink);
        return plot;
    }
}
