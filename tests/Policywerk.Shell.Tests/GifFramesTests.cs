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
        var lesson = Catalog.Lesson(number);
        var run = lesson.Train(42, ProgressBar.None);
        var dir = ShellHarness.TempDir();
        var checkedFrames = 0;
        try
        {
            PictureWriter.Write(dir, lesson.Info.Slug, null, run.WritePictures, (name, drawn, gif) =>
            {
                using var decoded = new MagickImageCollection(gif);
                Assert.Equal(drawn.Count, decoded.Count);
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
                    Assert.Equal(want.Length, got.Length);
                    for (var p = 0; p < want.Length; p += 4)
                    {
                        var colour = want[p] << 16 | want[p + 1] << 8 | want[p + 2];
                        var shown = got[p] << 16 | got[p + 1] << 8 | got[p + 2];
                        var (x, y) = (p / 4 % width, p / 4 / width);
                        if (!palette.TryGetValue(colour, out var first)) palette[colour] = first = (shown, i, x, y);
                        else if (first.Colour != shown)
                            Assert.Fail($"{name} frame {i} at ({x}, {y}): drawn #{colour:X6} shows as #{shown:X6}, but as " +
                                        $"#{first.Colour:X6} in frame {first.Frame} at ({first.X}, {first.Y})");
                        for (var k = 0; k < 3; k++) worst = Math.Max(worst, Math.Abs(got[p + k] - want[p + k]));
                    }
                    checkedFrames++;
                }
                Assert.True(worst <= MostQuantisationError, $"{name}: a channel is off by {worst} after quantisation");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.True(checkedFrames > 1, $"lesson {number} drew {checkedFrames} animation frames");
    }
}
