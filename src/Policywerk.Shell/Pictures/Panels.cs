using ScottPlot;
using SkiaSharp;

namespace Policywerk.Shell.Pictures;

/// <summary>One plot placed in a rectangle of a shared canvas (pixels, origin top left).</summary>
public sealed record PlacedPlot(Plot Plot, int X, int Y, int Width, int Height);

/// <summary>The one way a picture becomes PNG bytes: plots placed on a canvas (<see cref="Compose"/>), which the
/// three-pane frame (<see cref="ThreePane"/>), a single plot (<see cref="Render"/>) and a grid of plots
/// (<see cref="Grid"/>) all use.</summary>
public static class Panels
{
    /// <summary>Renders every panel onto a canvas of <paramref name="width"/>×<paramref name="height"/> filled with
    /// <see cref="Palette.White"/>, each clipped to its rectangle so its background stays inside; returns PNG bytes.
    /// The plots are disposed.</summary>
    public static byte[] Compose(int width, int height, IEnumerable<PlacedPlot> panels)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(Palette.White.ToSKColor());
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

    /// <summary>A single plot of <paramref name="width"/>×<paramref name="height"/> as PNG bytes (a poster or a trace).</summary>
    public static byte[] Render(Plot plot, int width, int height) => Compose(width, height, [new PlacedPlot(plot, 0, 0, width, height)]);

    /// <summary>The height in pixels of the band <see cref="Captioned"/> adds on top of a picture.</summary>
    public const int CaptionHeight = 30;

    /// <summary>The picture with a band of <see cref="CaptionHeight"/> pixels on top that reads <paramref name="caption"/>
    /// (a run's changed settings), as PNG bytes.</summary>
    public static byte[] Captioned(byte[] png, string caption)
    {
        using var picture = SKBitmap.Decode(png) ?? throw new ArgumentException("not a PNG", nameof(png));
        var band = new Plot();
        band.HideAxesAndGrid();
        band.Axes.SetLimits(0, 1, 0, 1);
        band.Layout.Frameless();
        band.FigureBackground.Color = Palette.Neutral;
        band.DataBackground.Color = Palette.Neutral;
        Charts.Label(band, caption, 0.5, 0.5, Alignment.MiddleCenter, 14, Palette.Negative, bold: true);
        using var surface = SKSurface.Create(new SKImageInfo(picture.Width, picture.Height + CaptionHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(Palette.White.ToSKColor());
        using (band) band.Render(surface.Canvas, picture.Width, CaptionHeight);
        surface.Canvas.DrawBitmap(picture, 0, CaptionHeight);
        using var image = surface.Snapshot();
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    /// <summary>Plots in a grid of <paramref name="cols"/> columns, each cell <paramref name="cellWidth"/>×<paramref name="cellHeight"/>.</summary>
    public static byte[] Grid(IReadOnlyList<Plot> plots, int cols, int cellWidth, int cellHeight)
    {
        var rows = (plots.Count + cols - 1) / cols;
        return Compose(cols * cellWidth, rows * cellHeight,
            plots.Select((p, i) => new PlacedPlot(p, i % cols * cellWidth, i / cols * cellHeight, cellWidth, cellHeight)));
    }
}
