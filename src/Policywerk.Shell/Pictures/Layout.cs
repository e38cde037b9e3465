using ImageMagick;
using ScottPlot;

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

    /// <summary>Renders the three panes and joins them into one PNG frame.</summary>
    public static byte[] Compose(Plot world, Plot internals, Plot trace)
    {
        using var canvas = new MagickImage(MagickColors.White, Width, Height);
        using var left = new MagickImage(Render(world, Width / 2, TopHeight));
        using var right = new MagickImage(Render(internals, Width / 2, TopHeight));
        using var bottom = new MagickImage(Render(trace, Width, BottomHeight));
        canvas.Composite(left, 0, 0, CompositeOperator.Over);
        canvas.Composite(right, Width / 2, 0, CompositeOperator.Over);
        canvas.Composite(bottom, 0, TopHeight, CompositeOperator.Over);
        canvas.Format = MagickFormat.Png;
        return canvas.ToByteArray();
    }

    /// <summary>A single plot as PNG bytes.</summary>
    public static byte[] Render(Plot plot, int width, int height)
    {
        using (plot) return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
