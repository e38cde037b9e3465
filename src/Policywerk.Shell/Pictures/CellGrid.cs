using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// A grid of <paramref name="rows"/>×<paramref name="cols"/> equal cells, each filled with its own colour and outlined,
/// drawn as one plottable: cell (r, c) spans x ∈ [x0 + c·w, x0 + (c+1)·w], y ∈ [y0 + r·h, y0 + (r+1)·h] (row 0 at the
/// bottom), filled with <paramref name="fills"/>[r·cols + c]. It draws exactly what as many ScottPlot rectangles would,
/// in the same order, without a plottable (and its axis-limit and legend work) per cell: a 16×16 frame is 256 cells.
/// </summary>
public sealed class CellGrid(double x0, double y0, double w, double h, int rows, int cols, Color[] fills, Color line, float lineWidth) : IPlottable
{
    public bool IsVisible { get; set; } = true;
    public IAxes Axes { get; set; } = new Axes();
    public IEnumerable<LegendItem> LegendItems => [];

    public AxisLimits GetAxisLimits() => new(x0, x0 + cols * w, y0, y0 + rows * h);

    public void Render(RenderPack rp)
    {
        var fill = new FillStyle();
        var outline = new LineStyle { Width = lineWidth, Color = line };
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                fill.Color = fills[r * cols + c];
                var rect = Axes.GetPixelRect(new CoordinateRect(x0 + c * w, x0 + (c + 1) * w, y0 + r * h, y0 + (r + 1) * h));
                Drawing.FillRectangle(rp.Canvas, rect, rp.Paint, fill);
                Drawing.DrawRectangle(rp.Canvas, rect, rp.Paint, outline);
            }
    }
}
