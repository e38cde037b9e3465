using ImageMagick;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Progress;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>
/// What a viewer sees is what was drawn: every frame of each lesson's animation, decoded as a viewer decodes it (the
/// frames composed over each other), shows the drawn frame through the animation's one palette. The palette maps a
/// colour to one palette entry wherever and whenever it is drawn, so a pixel that shows another colour than every other
/// pixel drawn in its colour is left over from an earlier frame (a ghost) or lost in encoding.
/// </summary>
public class GifFramesTests
{
    /// <summary>A channel of a palette colour may differ this much from the drawn colour it stands for: plots draw few
    /// colours besides their anti-aliased edges, and 256 palette entries cover those closely.</summary>
    private const int MostQuantisationError = 48;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Every_decoded_frame_of_a_lessons_animation_is_its_drawn_frame_through_one_palette(int number)
    {
        var frames = 0;
        WriteLessonPictures(number, (name, drawn, gif) =>
        {
            Assert.Null(Mismatch(name, drawn, gif));
            frames += drawn.Count;
        });
        Assert.True(frames > 1, $"lesson {number} drew {frames} animation frames");
    }

    /// <summary>The check sees the ghosts of the frame optimisation lesson 04's animation was written with before: each
    /// frame quantized to its own palette, and every pixel equal to the previous frame's made transparent. A transparent
    /// pixel keeps the earlier frame's palette colour while its redrawn neighbours take the new one, so a route that was
    /// drawn and erased stays on the grid as a faint copy.</summary>
    [Fact]
    public void The_check_fails_on_lesson_04s_frames_written_with_the_old_frame_optimisation()
    {
        var failures = new List<string?>();
        WriteLessonPictures(4, (name, drawn, _) =>
        {
            using var frames = new MagickImageCollection();
            byte[]? previous = null;
            for (var i = 0; i < drawn.Count; i++)
            {
                var (width, height) = (drawn.Width(i), drawn.Height(i));
                var pixels = Panels.DrawnPictures.Buffer(width, height);
                drawn.Into(i, pixels);
                var rgba = (byte[])pixels.Clone();
                if (previous is not null)
                    for (var p = 0; p < rgba.Length; p += 4)
                        if (pixels.AsSpan(p, 4).SequenceEqual(previous.AsSpan(p, 4))) rgba[p + 3] = 0;
                var image = new MagickImage(rgba, new PixelReadSettings((uint)width, (uint)height, StorageType.Char, PixelMapping.RGBA))
                    { GifDisposeMethod = GifDisposeMethod.None };
                image.Quantize(new QuantizeSettings { Colors = 256, DitherMethod = DitherMethod.No });
                frames.Add(image);
                previous = pixels;
            }
            failures.Add(Mismatch(name, drawn, frames.ToByteArray(MagickFormat.Gif)));
        });
        Assert.Contains(" shows as #", Assert.Single(failures));
    }

    /// <summary>Trains lesson <paramref name="number"/> with seed 42 and writes its pictures into a scratch folder,
    /// handing its animation to <paramref name="inspect"/>.</summary>
    private static void WriteLessonPictures(int number, Action<string, Panels.DrawnPictures, byte[]> inspect)
    {
        var lesson = Catalog.Lesson(number);
        var run = lesson.Train(42, ProgressBar.None);
        using var dir = ShellHarness.TempDir();
        PictureWriter.Write(dir, lesson.Info.Slug, null, run.WritePictures, inspect);
    }

    /// <summary>Where the decoded <paramref name="gif"/> does not show the <paramref name="drawn"/> frames through one
    /// palette: the first pixel whose drawn colour shows as another colour than before, or the worst quantisation error
    /// if it is too large; null when every frame is right.</summary>
    private static string? Mismatch(string name, Panels.DrawnPictures drawn, byte[] gif)
    {
        using var decoded = new MagickImageCollection(gif);
        if (decoded.Count != drawn.Count) return $"{name}: {decoded.Count} frames decoded, {drawn.Count} drawn";
        decoded.Coalesce();
        var palette = new Dictionary<int, (int Colour, int Frame, int X, int Y)>();
        var worst = 0;
        for (var i = 0; i < drawn.Count; i++)
        {
            var (width, height) = (drawn.Width(i), drawn.Height(i));
            var want = Panels.DrawnPictures.Buffer(width, height);
            drawn.Into(i, want);
            using var pixels = decoded[i].GetPixels();
            var got = pixels.ToByteArray(PixelMapping.RGBA)!;
            if (got.Length != want.Length) return $"{name} frame {i}: {got.Length / 4} pixels decoded, {want.Length / 4} drawn";
            for (var p = 0; p < want.Length; p += 4)
            {
                var colour = want[p] << 16 | want[p + 1] << 8 | want[p + 2];
                var shown = got[p] << 16 | got[p + 1] << 8 | got[p + 2];
                var (x, y) = (p / 4 % width, p / 4 / width);
                if (!palette.TryGetValue(colour, out var first)) palette[colour] = (shown, i, x, y);
                else if (first.Colour != shown)
                    return $"{name} frame {i} at ({x}, {y}): drawn #{colour:X6} shows as #{shown:X6}, but as " +
                           $"#{first.Colour:X6} in frame {first.Frame} at ({first.X}, {first.Y})";
                for (var k = 0; k < 3; k++) worst = Math.Max(worst, Math.Abs(got[p + k] - want[p + k]));
            }
        }
        return worst <= MostQuantisationError ? null : $"{name}: a channel is off by {worst} after quantisation";
    }
}
