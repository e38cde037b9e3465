using ScottPlot;
using SkiaSharp;

namespace Policywerk.Shell.Pictures;

/// <summary>One plot placed in a rectangle of a shared canvas (pixels, origin top left).</summary>
public sealed record PlacedPlot(Plot Plot, int X, int Y, int Width, int Height);

/// <summary>A drawn picture: <see cref="Width"/>×<see cref="Height"/> opaque pixels, 4 bytes each (R, G, B, A), row by row.</summary>
public sealed record Frame(int Width, int Height, byte[] Rgba)
{
    /// <summary>The picture as PNG bytes.</summary>
    public byte[] Png()
    {
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var image = SKImage.FromPixelCopy(info, Rgba);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}

/// <summary>
/// A picture not drawn yet: plots placed on a canvas of <see cref="Width"/>×<see cref="Height"/>. Lessons build their
/// pictures as compositions; the <see cref="PictureWriter"/> draws them (the frames of an animation on every core, in
/// their fixed order) and encodes them.
/// </summary>
public sealed class Composition(int width, int height, IReadOnlyList<PlacedPlot> panels)
{
    public int Width => width;
    public int Height => height;

    /// <summary>
    /// Draws every panel onto a canvas filled with <see cref="Palette.White"/>, each clipped to its rectangle so its
    /// background stays inside; with a <paramref name="caption"/>, a band of <see cref="Panels.CaptionHeight"/> pixels on
    /// top reads it (a run's changed settings), on as many lines of that height as it needs to fit. The plots are
    /// disposed: a composition is drawn once.
    /// </summary>
    public Frame Draw(string? caption = null)
    {
        var lines = caption is null ? [] : Panels.CaptionLines(caption, width);
        var top = Panels.CaptionHeight * lines.Count;
        var info = new SKImageInfo(width, height + top, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = new byte[info.BytesSize];
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(pixels, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            using var surface = SKSurface.Create(info, handle.AddrOfPinnedObject(), info.RowBytes);
            surface.Canvas.Clear(Palette.White.ToSKColor());
            for (var i = 0; i < lines.Count; i++)
                Place(surface.Canvas, new PlacedPlot(Panels.CaptionBand(lines[i]), 0, i * Panels.CaptionHeight, width, Panels.CaptionHeight));
            foreach (var p in panels) Place(surface.Canvas, p with { Y = p.Y + top });
            surface.Canvas.Flush();
        }
        finally
        {
            handle.Free();
        }
        return new Frame(width, height + top, pixels);
    }

    private static void Place(SKCanvas canvas, PlacedPlot p)
    {
        using (p.Plot)
        {
            canvas.Save();
            canvas.ClipRect(new SKRect(p.X, p.Y, p.X + p.Width, p.Y + p.Height));
            canvas.Translate(p.X, p.Y);
            p.Plot.Render(canvas, p.Width, p.Height);
            canvas.Restore();
        }
    }
}

/// <summary>The one way a picture is laid out: plots placed on a canvas (<see cref="Compose"/>), which the three-pane
/// frame (<see cref="ThreePane"/>), a single plot (<see cref="Render"/>) and a grid of plots (<see cref="Grid"/>) all
/// use. Nothing is drawn until the <see cref="PictureWriter"/> draws the <see cref="Composition"/>.</summary>
public static class Panels
{
    /// <summary>Plots placed on a canvas of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static Composition Compose(int width, int height, IEnumerable<PlacedPlot> panels) => new(width, height, panels.ToArray());

    /// <summary>A single plot of <paramref name="width"/>×<paramref name="height"/> (a poster or a trace).</summary>
    public static Composition Render(Plot plot, int width, int height) => Compose(width, height, [new PlacedPlot(plot, 0, 0, width, height)]);

    /// <summary>The height in pixels of one line of the band a caption adds on top of a picture (<see cref="Composition.Draw"/>).</summary>
    public const int CaptionHeight = 30;

    /// <summary>The widest a caption character is drawn, in pixels (14-point bold), so a line of them fits.</summary>
    private const double CaptionCharacterWidth = 9.0;

    /// <summary>The caption broken after its commas into lines that fit <paramref name="width"/> pixels (a single part
    /// longer than a line keeps a line of its own).</summary>
    internal static IReadOnlyList<string> CaptionLines(string caption, int width)
    {
        var fits = Math.Max(10, (int)(width / CaptionCharacterWidth));
        var lines = new List<string>();
        foreach (var part in caption.Split(", "))
            if (lines.Count > 0 && lines[^1].Length + 2 + part.Length <= fits) lines[^1] += ", " + part;
            else lines.Add(part);
        return lines;
    }

    /// <summary>The caption band: <paramref name="caption"/> in bold on a light grey ground.</summary>
    internal static Plot CaptionBand(string caption)
    {
        var band = new Plot();
        band.HideAxesAndGrid();
        band.Axes.SetLimits(0, 1, 0, 1);
        band.Layout.Frameless();
        band.FigureBackground.Color = Palette.Neutral;
        band.DataBackground.Color = Palette.Neutral;
        Charts.Label(band, caption, 0.5, 0.5, Alignment.MiddleCenter, 14, Palette.Negative, bold: true);
        return band;
    }

    /// <summary>Plots in a grid of <paramref name="cols"/> columns, each cell <paramref name="cellWidth"/>×<paramref name="cellHeight"/>.</summary>
    public static Composition Grid(IReadOnlyList<Plot> plots, int cols, int cellWidth, int cellHeight)
    {
        var rows = (plots.Count + cols - 1) / cols;
        return Compose(cols * cellWidth, rows * cellHeight,
            plots.Select((p, i) => new PlacedPlot(p, i % cols * cellWidth, i / cols * cellHeight, cellWidth, cellHeight)));
    }
}
