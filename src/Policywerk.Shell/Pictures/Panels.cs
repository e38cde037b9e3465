using ScottPlot;
using SkiaSharp;

namespace Policywerk.Shell.Pictures;

/// <summary>One plot placed in a rectangle of a shared canvas (pixels, origin top left).</summary>
public sealed record PlacedPlot(Plot Plot, int X, int Y, int Width, int Height);

/// <summary>Free placement of several plots on one canvas: the three-pane layout with a bottom row split into
/// several traces, or a grid of traces for a trace picture.</summary>
public static class Panels
{
    /// <summary>Renders every panel onto a white canvas of <paramref name="width"/>×<paramref name="height"/> and returns PNG bytes.</summary>
    public static byte[] Compose(int width, int height, IEnumerable<PlacedPlot> panels)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        foreach (var p in panels)
            using (p.Plot)
            {
                surface.Canvas.Save();
                surface.Canvas.ClipRect(new SKRect(p.X, p.Y, p.X + p.Width, p.Y + p.Height));
                surface.Canvas.Translate(p.X, p.Y);
                p.Plot.Render(surface.Canvas, p.Width, p.Height);
                surface.Canvas.Restore();
            }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>The shared three-pane frame (<see cref="ThreePane"/>'s geometry) with its bottom pane split evenly
    /// into <paramref name="traces"/> side by side.</summary>
    public static byte[] ThreePaneSplit(Plot world, Plot internals, IReadOnlyList<Plot> traces)
    {
        var panels = new List<PlacedPlot>
        {
            new(world, 0, 0, ThreePane.Width / 2, ThreePane.TopHeight),
            new(internals, ThreePane.Width / 2, 0, ThreePane.Width / 2, ThreePane.TopHeight),
        };
        var w = ThreePane.Width / traces.Count;
        for (var i = 0; i < traces.Count; i++)
            panels.Add(new PlacedPlot(traces[i], i * w, ThreePane.TopHeight, i == traces.Count - 1 ? ThreePane.Width - i * w : w, ThreePane.BottomHeight));
        return Compose(ThreePane.Width, ThreePane.Height, panels);
    }

    /// <summary>Plots in a grid of <paramref name="cols"/> columns, each cell <paramref name="cellWidth"/>×<paramref name="cellHeight"/>.</summary>
    public static byte[] Grid(IReadOnlyList<Plot> plots, int cols, int cellWidth, int cellHeight)
    {
        var rows = (plots.Count + cols - 1) / cols;
        return Compose(cols * cellWidth, rows * cellHeight,
            plots.Select((p, i) => new PlacedPlot(p, i % cols * cellWidth, i / cols * cellHeight, cellWidth, cellHeight)));
    }
}
