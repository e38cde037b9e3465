using ImageMagick;
using Policywerk.Shell.Pictures;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>The GIF encoder: what a decoder shows is what was drawn (exactly, when the animation has at most 255 colours).</summary>
public class GifEncoderTests
{
    /// <summary>A frame of noise over <paramref name="colours"/> colours, with a moving block, so frames differ in a rectangle.</summary>
    private static Frame Noise(int width, int height, int colours, int seed, int block)
    {
        var random = new Random(seed);
        var rgba = new byte[width * height * 4];
        for (var p = 0; p < rgba.Length; p += 4)
        {
            var c = random.Next(colours);
            (rgba[p], rgba[p + 1], rgba[p + 2], rgba[p + 3]) = ((byte)(c * 37), (byte)(c * 11), (byte)(255 - c), 255);
        }
        for (var y = 10; y < 20; y++)
            for (var x = block; x < block + 10; x++)
                (rgba[(y * width + x) * 4], rgba[(y * width + x) * 4 + 1], rgba[(y * width + x) * 4 + 2]) = ((byte)250, (byte)1, (byte)2);
        return new Frame(width, height, rgba);
    }

    [Fact]
    public void Every_decoded_frame_is_the_drawn_frame_when_it_has_few_colours()
    {
        // noise over 200 colours fills the 4096-code LZW table many times; later frames change only where the block moved
        var first = Noise(120, 90, 200, 1, 5);
        var frames = new[] { first, first with { Rgba = Noise(120, 90, 200, 1, 30).Rgba }, first with { Rgba = Noise(120, 90, 200, 1, 60).Rgba },
                             first, Noise(120, 90, 200, 2, 5) };
        var bytes = GifEncoder.Encode(frames, [10, 20, 30, 40, 300]);
        using var gif = new MagickImageCollection(bytes);
        Assert.Equal(frames.Length, gif.Count);
        Assert.Equal([10u, 20u, 30u, 40u, 300u], gif.Select(f => f.AnimationDelay));
        Assert.True(gif[1].Width < 120, "a frame after the first holds only the rectangle that changed");
        gif.Coalesce();
        for (var i = 0; i < frames.Length; i++)
        {
            using var pixels = gif[i].GetPixels();
            var rgba = pixels.ToByteArray(PixelMapping.RGBA)!;
            Assert.Equal(frames[i].Rgba, rgba);
        }
    }

    [Fact]
    public void More_colours_than_a_palette_holds_come_out_close()
    {
        var frame = Noise(64, 64, 4000, 3, 0);
        using var gif = new MagickImageCollection(GifEncoder.Encode([frame], [100]));
        using var pixels = gif[0].GetPixels();
        var rgba = pixels.ToByteArray(PixelMapping.RGBA)!;
        var worst = 0;
        for (var p = 0; p < rgba.Length; p += 4)
            for (var k = 0; k < 3; k++) worst = Math.Max(worst, Math.Abs(rgba[p + k] - frame.Rgba[p + k]));
        Assert.InRange(worst, 1, 64); // quantized (not exact), but every channel within a quarter of its range
    }

    [Fact]
    public void A_frame_held_by_listing_it_again_is_drawn_once_and_shown_each_time()
    {
        using var dir = ShellHarness.TempDir();
        var held = Panels.Render(new ScottPlot.Plot(), 80, 60);
        var names = PictureWriter.Write(dir, "held", null, writer =>
            writer.Gif("a.gif", [Panels.Render(new ScottPlot.Plot(), 80, 60), held, held, held], delayCs: 10, holdLastCs: 50));
        using var gif = new MagickImageCollection(names.Single());
        Assert.Equal(4, gif.Count);
        Assert.Equal([10u, 10u, 10u, 50u], gif.Select(f => f.AnimationDelay));
    }
}
