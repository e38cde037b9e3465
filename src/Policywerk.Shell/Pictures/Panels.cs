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
/// pictures as compositions; the <see cref="PictureWriter"/> draws them (<see cref="Panels.Draw"/>) and encodes them.
/// A plot may be placed in several compositions (a pane that stays the same from frame to frame): it is drawn once.
/// </summary>
public sealed class Composition(int width, int height, IReadOnlyList<PlacedPlot> panes)
{
    public int Width => width;
    public int Height => height;

    /// <summary>The plots and where they go.</summary>
    public IReadOnlyList<PlacedPlot> Panes => panes;
}

/// <summary>The one way a picture is laid out: plots placed on a canvas (<see cref="Compose"/>), which the three-pane
/// frame (<see cref="ThreePane"/>), a single plot (<see cref="Render"/>) and a grid of plots (<see cref="Grid"/>) all
/// use. Nothing is drawn until the <see cref="PictureWriter"/> draws the <see cref="Composition"/>.</summary>
public static class Panels
{
    /// <summary>
    /// Draws the panes of <paramref name="pictures"/> — each distinct plot at a size once, however many pictures place it,
    /// on every core — ready for <see cref="DrawnPictures.Into"/> to compose any picture from them. With a
    /// <paramref name="caption"/>, a band on top of each picture reads it (a run's changed settings), on as many lines of
    /// <see cref="CaptionHeight"/> pixels as it needs. Disposing the result disposes the plots.
    /// </summary>
    public static DrawnPictures Draw(IReadOnlyList<Composition> pictures, string? caption = null)
    {
        var panes = pictures.Distinct().SelectMany(c => c.Panes).Select(p => new Pane(p.Plot, p.Width, p.Height)).Distinct().ToArray();
        var bands = pictures.Select(c => c.Width).Distinct().ToDictionary(w => w, w => caption is null ? []
            : CaptionLines(caption, w).Select(line => new Pane(CaptionBand(line), w, CaptionHeight)).ToArray());
        var all = panes.Concat(bands.Values.SelectMany(b => b)).ToArray();
        var images = new SKImage[all.Length];
        try
        {
            Parallel.For(0, all.Length, i => images[i] = Image(all[i]));
        }
        catch
        {
            foreach (var image in images) image?.Dispose();
            foreach (var plot in all.Select(p => p.Plot).Distinct()) plot.Dispose();
            throw;
        }
        return new DrawnPictures(pictures, bands, all.Zip(images).ToDictionary(x => x.Item1, x => x.Item2));
    }

    /// <summary>Pictures whose panes are drawn: each picture composed on demand into a buffer of its pixels.</summary>
    public sealed class DrawnPictures : IDisposable
    {
        private readonly IReadOnlyList<Composition> _pictures;
        private readonly Dictionary<int, Pane[]> _bands;
        private readonly Dictionary<Pane, SKImage> _drawn;

        internal DrawnPictures(IReadOnlyList<Composition> pictures, Dictionary<int, Pane[]> bands, Dictionary<Pane, SKImage> drawn) =>
            (_pictures, _bands, _drawn) = (pictures, bands, drawn);

        public int Count => _pictures.Count;
        public int Width(int index) => _pictures[index].Width;
        public int Height(int index) => _pictures[index].Height + CaptionHeight * _bands[_pictures[index].Width].Length;

        /// <summary>Picture <paramref name="index"/>'s RGBA pixels written into <paramref name="pixels"/> (Width·Height·4 bytes,
        /// from the pinned heap: the canvas draws straight into it): a white canvas, the caption's lines, the panes.</summary>
        public void Into(int index, byte[] pixels)
        {
            var c = _pictures[index];
            var lines = _bands[c.Width];
            var top = CaptionHeight * lines.Length;
            var info = new SKImageInfo(c.Width, c.Height + top, SKColorType.Rgba8888, SKAlphaType.Premul);
            if (pixels.Length != info.BytesSize) throw new ArgumentException($"picture {index} needs {info.BytesSize} bytes", nameof(pixels));
            using var surface = SKSurface.Create(info, System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(pixels, 0), info.RowBytes);
            surface.Canvas.Clear(Palette.White.ToSKColor());
            for (var k = 0; k < lines.Length; k++) surface.Canvas.DrawImage(_drawn[lines[k]], 0, k * CaptionHeight);
            foreach (var p in c.Panes) surface.Canvas.DrawImage(_drawn[new Pane(p.Plot, p.Width, p.Height)], p.X, p.Y + top);
            surface.Canvas.Flush();
        }

        /// <summary>Picture <paramref name="index"/> in a buffer of its own.</summary>
        public Frame Frame(int index)
        {
            var pixels = Buffer(Width(index), Height(index));
            Into(index, pixels);
            return new Frame(Width(index), Height(index), pixels);
        }

        /// <summary>A pixel buffer for a picture of this size, on the pinned heap (the collector never copies it).</summary>
        public static byte[] Buffer(int width, int height) => GC.AllocateUninitializedArray<byte>(width * height * 4, pinned: true);

        public void Dispose()
        {
            foreach (var image in _drawn.Values) image.Dispose();
            foreach (var plot in _drawn.Keys.Select(p => p.Plot).Distinct()) plot.Dispose();
        }
    }

    /// <summary>A plot at a size: what is drawn once.</summary>
    internal readonly record struct Pane(Plot Plot, int Width, int Height);

    /// <summary>The pane drawn on a canvas of its own.</summary>
    private static SKImage Image(Pane pane)
    {
        using var surface = SKSurface.Create(new SKImageInfo(pane.Width, pane.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(Palette.White.ToSKColor());
        pane.Plot.Render(surface.Canvas, pane.Width, pane.Height);
        return surface.Snapshot();
    }

    /// <summary>Plots placed on a canvas of <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static Composition Compose(int width, int height, IEnumerable<PlacedPlot> panels) => new(width, height, panels.ToArray());

    /// <summary>A single plot of <paramref name="width"/>×<paramref name="height"/> (a poster or a trace).</summary>
    public static Composition Render(Plot plot, int width, int height) => Compose(width, height, [new PlacedPlot(plot, 0, 0, width, height)]);

    /// <summary>The height in pixels of one line of the band a caption adds on top of a picture (<see cref="Draw"/>).</summary>
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
    private static Plot CaptionBand(string caption)
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
