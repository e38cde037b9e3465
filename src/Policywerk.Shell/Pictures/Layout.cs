using ScottPlot;
using SkiaSharp;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// The one picture layout every lesson shares: top left the world, top right the algorithm's internals,
/// bottom the training trace. Each pane is a ScottPlot plot; Magick.NET composes them into one frame.
/// </summary>
public static class ThreePane
{
    public const int Width = 960;
    public const int TopHeight = 440;
    public const int BottomHeight = 300;
    public const int Height = TopHeight + BottomHeight;

    /// <summary>Renders the three panes onto one canvas and returns the frame as PNG bytes.</summary>
    public static byte[] Compose(Plot world, Plot internals, Plot trace)
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        RenderAt(surface.Canvas, world, 0, 0, Width / 2, TopHeight);
        RenderAt(surface.Canvas, internals, Width / 2, 0, Width / 2, TopHeight);
        RenderAt(surface.Canvas, trace, 0, TopHeight, Width, BottomHeight);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Draws a plot into one rectangle of a shared canvas (clipped, so its background fill stays inside).</summary>
    private static void RenderAt(SKCanvas canvas, Plot plot, int x, int y, int width, int height)
    {
        using (plot)
        {
            canvas.Save();
            canvas.ClipRect(new SKRect(x, y, x + width, y + height));
            canvas.Translate(x, y);
            plot.Render(canvas, width, height);
            canvas.Restore();
        }
    }

    /// <summary>A single plot as PNG bytes.</summary>
    public static byte[] Render(Plot plot, int width, int height)
    {
        using (plot) return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
