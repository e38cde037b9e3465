using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>Drawing helpers shared by every lesson's pictures: the diverging colour map, grids of cells, arrows, and
/// log-scale traces (the colours themselves are <see cref="Palette"/>'s).</summary>
public static class Draw
{
    /// <summary>The diverging map (<see cref="Palette.Diverging"/>): orange for negative, near-white at 0, purple for
    /// positive, saturating at ±<paramref name="scale"/>.</summary>
    public static Color Diverging(double value, double scale)
    {
        var t = scale <= 0 ? 0 : Math.Clamp(value / scale, -1, 1);
        return Along(Palette.Diverging, (t + 1) / 2);
    }

    /// <summary>The ramp from earlier to later (<see cref="Palette.Ramp"/>): light for <paramref name="t"/> = 0 (the first
    /// of a sequence), dark for 1 (the last). For item i of n, <c>Ramp(i / (n − 1.0))</c>.</summary>
    public static Color Ramp(double t) => Along(Palette.Ramp, t);

    /// <summary>Item <paramref name="index"/> of <paramref name="count"/> on the ramp from earlier (light) to later (dark).</summary>
    public static Color Ramp(int index, int count) => Ramp(count <= 1 ? 1 : index / (count - 1.0));

    /// <summary>The colour at <paramref name="t"/> ∈ [0, 1] of a map through evenly spaced <paramref name="stops"/>.</summary>
    private static Color Along(IReadOnlyList<Color> stops, double t)
    {
        var x = Math.Clamp(double.IsFinite(t) ? t : 0.5, 0, 1) * (stops.Count - 1);
        var i = Math.Min((int)x, stops.Count - 2);
        return Mix(stops[i], stops[i + 1], x - i);
    }

    /// <summary>(1 − t)·a + t·b per channel, rounded: a colour between two of the palette's.</summary>
    public static Color Mix(Color a, Color b, double t) => new(
        (byte)Math.Round(a.R + (b.R - a.R) * t),
        (byte)Math.Round(a.G + (b.G - a.G) * t),
        (byte)Math.Round(a.B + (b.B - a.B) * t));

    /// <summary>A plot set up for drawing a grid of <paramref name="rows"/>×<paramref name="cols"/> unit cells,
    /// row 0 at the top, no axes.</summary>
    public static Plot GridPlot(string title, int rows, int cols)
    {
        var plot = new Plot();
        plot.HideAxesAndGrid();
        plot.Title(title, 15);
        plot.Axes.SetLimits(-0.05, cols + 0.05, -rows - 0.05, 0.05);
        plot.Axes.SquareUnits();
        return plot;
    }

    /// <summary>Fills cell (row, col) with a colour and an optional centred label.</summary>
    public static void Cell(Plot plot, int row, int col, Color fill, string? label = null, Color? ink = null, float size = 13, bool bold = false)
    {
        var rect = plot.Add.Rectangle(col, col + 1, -row - 1, -row);
        rect.FillColor = fill;
        rect.LineColor = Palette.CellLine;
        rect.LineWidth = 1;
        if (label is null) return;
        var text = plot.Add.Text(label, col + 0.5, -row - 0.5);
        text.Alignment = Alignment.MiddleCenter;
        text.LabelFontSize = size;
        text.LabelFontColor = ink ?? Palette.Ink;
        text.LabelBold = bold;
    }

    /// <summary>An arrow inside cell (row, col) pointing by (dRow, dCol); <paramref name="scale"/> shrinks its line and head
    /// for small cells (see <see cref="CellScale"/>).</summary>
    public static void CellArrow(Plot plot, int row, int col, int dRow, int dCol, Color color, float scale = 1f)
    {
        var cx = col + 0.5;
        var cy = -row - 0.45;
        var arrow = plot.Add.Arrow(cx - 0.25 * dCol, cy + 0.25 * dRow, cx + 0.3 * dCol, cy - 0.3 * dRow);
        arrow.ArrowFillColor = color;
        arrow.ArrowLineColor = color;
        var k = MathF.Sqrt(scale); // a small cell still needs a head one can see
        arrow.ArrowWidth = Math.Max(1f, 3 * k);
        arrow.ArrowheadWidth = Math.Max(4f, 14 * k);
        arrow.ArrowheadLength = Math.Max(4f, 14 * k);
    }

    /// <summary>The side in pixels of one cell when a <paramref name="rows"/>×<paramref name="cols"/> grid fills a
    /// <paramref name="width"/>×<paramref name="height"/> pane (room left for the title).</summary>
    public static double CellPixels(int rows, int cols, int width, int height) =>
        Math.Min((width - 20.0) / cols, (height - 50.0) / rows);

    /// <summary>Cells smaller than this many pixels get no arrow: the colour alone says what the cell holds.</summary>
    public const double ArrowPixels = 10;

    /// <summary>How much to shrink labels and arrows drawn for cells of <paramref name="cellPixels"/>: 1 for cells of
    /// 70 pixels or more (the classic maps' panes), in proportion below.</summary>
    public static float CellScale(double cellPixels) => cellPixels >= 70 ? 1f : (float)(cellPixels / 70);

    /// <summary>
    /// A log-scaled y axis fitted to positive values from <paramref name="low"/> to <paramref name="high"/>: values are
    /// drawn as log10 (a zero has no place on it: stop the line at the last positive value and say "0" in words), the
    /// axis spans the range with a margin, and a few ticks are labelled with the values they stand for — 1, 2 and 5 times
    /// powers of ten, or every digit when the range is under a decade.
    /// </summary>
    public static void LogScaleY(Plot plot, double low, double high)
    {
        var (lo, hi) = (Math.Log10(low), Math.Log10(high));
        var margin = Math.Max(0.04, 0.08 * (hi - lo));
        plot.Axes.SetLimitsY(lo - margin, hi + margin);
        var digits = hi - lo < 1 ? new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } : hi - lo < 3 ? new[] { 1, 2, 5 } : new[] { 1 };
        var ticks = Enumerable.Range((int)Math.Floor(lo - margin) - 1, (int)Math.Ceiling(hi - lo + 2 * margin) + 3)
            .SelectMany(e => digits.Select(d => d * Math.Pow(10, e)))
            .Where(v => Math.Log10(v) >= lo - margin && Math.Log10(v) <= hi + margin).ToArray();
        var every = Math.Max(1, (int)Math.Ceiling(ticks.Length / (double)TickCount));
        var generator = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < ticks.Length; i++)
            if (i % every == 0) generator.AddMajor(Math.Log10(ticks[i]), FormatValue(ticks[i]));
        plot.Axes.Left.TickGenerator = generator;
    }

    private static string FormatValue(double value) =>
        value >= 0.01 ? value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)
                      : value.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many labelled ticks an axis of a trace aims for: a few, so labels never crowd.</summary>
    public const int TickCount = 6;

    /// <summary>Whole-number ticks on the x axis (sweeps, episodes, iterations), a few of them.</summary>
    public static void IntegerTicksX(Plot plot) =>
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, TargetTickCount = TickCount };

    /// <summary>A plot for a training trace with labelled axes, each with a few ticks.</summary>
    public static Plot TracePlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        FewTicks(plot);
        return plot;
    }

    /// <summary>The round step (1, 2 or 5 times a power of ten) nearest above <paramref name="rough"/>: where ticks go.</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return new[] { 1.0, 2, 5, 10 }.Select(d => d * power).First(step => step >= rough * (1 - 1e-12));
    }

    /// <summary>About <see cref="TickCount"/> labelled ticks on the bottom and left axes, so labels never crowd.</summary>
    public static void FewTicks(Plot plot)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = TickCount };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = TickCount };
    }
}
