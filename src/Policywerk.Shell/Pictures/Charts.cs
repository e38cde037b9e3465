using Policywerk.Pure.Numerics;
using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>A value reported by a paper, read off its printed figure, drawn as a reference marker.</summary>
public sealed record PaperPoint(double X, double Y);

/// <summary>Chart pieces shared by lessons and experiments: lines, mean ± 95% confidence bands, the paper's
/// reference points, and labelled heatmaps of small weight tables.</summary>
public static class Charts
{
    /// <summary>A plain line (no markers unless <paramref name="markerSize"/> &gt; 0).</summary>
    public static ScottPlot.Plottables.Scatter Line(Plot plot, double[] xs, double[] ys, Color color, string? legend = null,
                                                    float width = 2f, float markerSize = 0f)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = width;
        line.MarkerSize = markerSize;
        if (legend is not null) line.LegendText = legend;
        return line;
    }

    /// <summary>The mean as a line with markers and its 95% confidence interval as a translucent band; a quantity that
    /// cannot go below <paramref name="floor"/> (an error ≥ 0) has its band clipped there.</summary>
    public static void Band(Plot plot, double[] xs, IReadOnlyList<Summary> ys, Color color, string? legend, float markerSize = 7f,
                            double floor = double.NegativeInfinity)
    {
        var fill = plot.Add.FillY(xs, ys.Select(s => Math.Max(floor, s.Lower)).ToArray(), ys.Select(s => s.Upper).ToArray());
        fill.FillColor = color.WithAlpha(0.22);
        fill.LineWidth = 0;
        fill.MarkerSize = 0;
        Line(plot, xs, ys.Select(s => s.Mean).ToArray(), color, legend, 2.5f, markerSize);
    }

    /// <summary>The paper's values as open black markers (one legend entry).</summary>
    public static void Paper(Plot plot, IReadOnlyList<PaperPoint> points, string legend, float size = 11f)
    {
        if (points.Count == 0) return;
        var markers = plot.Add.Markers(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(),
                                       MarkerShape.OpenSquare, size, Palette.Ink);
        markers.MarkerLineWidth = 2;
        markers.LegendText = legend;
    }

    /// <summary>
    /// A rows×cols table of numbers as coloured cells (orange negative, purple positive, saturating at ±scale, with a colour bar), each
    /// labelled with its value; row labels on the left, column labels on top, and an optional cell outlined. The colour
    /// bar spans <paramref name="range"/> (one range for every frame of an animation) or, without it, the values' own.
    /// </summary>
    public static Plot Heatmap(string title, IReadOnlyList<double> values, int rows, int cols, double scale,
                               IReadOnlyList<string> rowLabels, IReadOnlyList<string> colLabels,
                               string rowTitle, string colTitle, string meaning, int? outlined = null,
                               (double Low, double High)? range = null)
    {
        var plot = new Plot();
        plot.HideAxesAndGrid();
        plot.Title(title, 15);
        plot.Axes.SetLimits(-2.1, cols + 0.1, -rows - 0.15, 1.35);
        plot.Axes.SquareUnits();
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                var v = values[r * cols + c];
                Draw.Cell(plot, r, c, Draw.Diverging(v, scale),
                          v.ToString("+0.00;-0.00;0", System.Globalization.CultureInfo.InvariantCulture),
                          Math.Abs(v) > 0.7 * scale ? Palette.White : Palette.Ink, 10);
            }
        for (var r = 0; r < rows; r++) Label(plot, rowLabels[r], -0.1, -r - 0.5, Alignment.MiddleRight, 10);
        for (var c = 0; c < cols; c++) Label(plot, colLabels[c], c + 0.5, 0.08, Alignment.LowerCenter, 10);
        Label(plot, colTitle, cols / 2.0, 0.62, Alignment.LowerCenter, 12, bold: true);
        var side = Label(plot, rowTitle, -1.85, -rows / 2.0, Alignment.MiddleCenter, 12, bold: true);
        side.LabelRotation = -90;
        var (low, high) = range ?? (values.Min(), values.Max());
        ColourBar(plot, low, high, scale, meaning);
        if (outlined is { } index)
        {
            var (r, c) = (index / cols, index % cols);
            var box = plot.Add.Rectangle(c, c + 1, -r - 1, -r);
            box.FillColor = Palette.Transparent;
            box.LineColor = Palette.Accent;
            box.LineWidth = 4;
        }
        return plot;
    }

    /// <summary>
    /// The colour bar of a heatmap shaded by <see cref="Draw.Diverging"/> at ±<paramref name="scale"/>: a strip beside the
    /// plot (<paramref name="edge"/>) showing the colours of the values from <paramref name="low"/> to
    /// <paramref name="high"/> (the data's range; pass the smallest and largest value shown), ticked at both ends and at 0
    /// when 0 lies between, and titled with what the colour means (<paramref name="meaning"/>).
    /// </summary>
    public static void ColourBar(Plot plot, double low, double high, double scale, string meaning, Edge edge = Edge.Right,
                                 string format = "+0.00;-0.00;0")
    {
        if (!(low < high)) (low, high) = (Math.Min(low, high) - 0.5, Math.Max(low, high) + 0.5); // one value: a bar around it
        var bar = new ScottPlot.Panels.ColorBar(new DivergingBar(low, high, scale), edge) { Width = 14, Label = meaning };
        bar.LabelStyle.FontSize = 11;
        bar.LabelStyle.Bold = false;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        string Text(double v) => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        ticks.AddMajor(low, Text(low));
        ticks.AddMajor(high, Text(high));
        // between the ends, the round values (0 among them) a few ticks apart, none crowding an end's label
        var step = Draw.NiceStep((high - low) / 4);
        for (var v = Math.Ceiling(low / step) * step; v < high; v += step)
            if (Math.Min(v - low, high - v) > 0.12 * (high - low)) ticks.AddMajor(v, Text(Math.Abs(v) < step / 1e6 ? 0 : v));
        bar.Axis.TickGenerator = ticks;
        bar.Axis.TickLabelStyle.FontSize = 10;
        plot.Axes.AddPanel(bar);
        // the plot's axes are hidden: leave room for the title, the bar and its end labels
        plot.Layout.Fixed(edge == Edge.Bottom ? new PixelPadding(30, 30, 80, 40) : new PixelPadding(10, 90, 22, 40));
    }

    /// <summary>The values [low, high] coloured as <see cref="Draw.Diverging"/> colours them, for a colour bar.</summary>
    private sealed class DivergingBar(double low, double high, double scale) : IHasColorAxis, IColormap
    {
        public ScottPlot.Range GetRange() => new(low, high);
        public IColormap Colormap => this;
        public string Name => "diverging";
        public Color GetColor(double position) => Draw.Diverging(low + Math.Clamp(position, 0, 1) * (high - low), scale);
    }

    /// <summary>An end card: bold text in a bordered, padded box at (x, y), on <paramref name="background"/> (the neutral
    /// grey unless given): how an animation says what an episode or a stage came to.</summary>
    public static ScottPlot.Plottables.Text Card(Plot plot, string text, double x, double y, Alignment alignment = Alignment.MiddleCenter,
                                                 float size = 14, Color? background = null)
    {
        var card = Label(plot, text, x, y, alignment, size, Palette.Ink, bold: true);
        card.LabelBackgroundColor = background ?? Palette.Neutral;
        card.LabelBorderColor = Palette.Ink;
        card.LabelBorderWidth = 1;
        card.LabelPadding = 8;
        return card;
    }

    /// <summary>A text label at (x, y) in plot units.</summary>
    public static ScottPlot.Plottables.Text Label(Plot plot, string text, double x, double y, Alignment alignment,
                                                  float size = 12, Color? color = null, bool bold = false)
    {
        var label = plot.Add.Text(text, x, y);
        label.Alignment = alignment;
        label.LabelFontSize = size;
        label.LabelFontColor = color ?? Palette.Ink;
        label.LabelBold = bold;
        return label;
    }
}
