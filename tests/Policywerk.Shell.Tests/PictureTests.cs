using ImageMagick;
using Xunit;

namespace Policywerk.Shell.Tests;

public class PictureTests
{
    [Fact]
    public void Lesson_1_writes_a_gif_a_poster_and_a_trace_that_read_back()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("lesson", "1", "--quiet", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["01_bellman"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName)); // no staging left behind
        PictureChecks.AssertWholeLesson1Set(Path.Combine(dir, "01_bellman"));
    }

    [Fact]
    public void A_run_with_changed_settings_says_so_on_top_of_every_picture_and_frame()
    {
        using var dir = ShellHarness.TempDir();
        Assert.Equal(0, ShellHarness.Run("lesson", "1", "--quiet", "--out", Path.Combine(dir, "default")).ExitCode);
        Assert.Equal(0, ShellHarness.Run("lesson", "1", "--quiet", "--set", "gamma=0.5", "--out", Path.Combine(dir, "changed")).ExitCode);
        foreach (var name in new[] { "poster.png", "trace.png" })
        {
            using var plain = new MagickImage(Path.Combine(dir, "default", "01_bellman", name));
            using var captioned = new MagickImage(Path.Combine(dir, "changed", "01_bellman", name));
            Assert.Equal((plain.Width, plain.Height + (uint)Pictures.Panels.CaptionHeight), (captioned.Width, captioned.Height));
            using var band = captioned.CloneArea(0, 0, captioned.Width, (uint)Pictures.Panels.CaptionHeight);
            Assert.True(band.TotalColors > 2, $"{name}: the caption band has no text");
        }
        using var gif = new MagickImageCollection(Path.Combine(dir, "changed", "01_bellman", "artifact.gif"));
        gif.Coalesce();
        Assert.All(gif, frame => Assert.Equal(740u + (uint)Pictures.Panels.CaptionHeight, frame.Height));
    }

    [Fact]
    public void Bench_times_writing_a_lessons_pictures_and_leaves_no_files_behind()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "policywerk-bench-*").Length;
        var result = ShellHarness.Run("bench", "1", "--pictures", "--runs", "2");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"01 value iteration, policy iteration\s+│\s+2 │\s+\d", result.Out);
        Assert.Equal(before, Directory.GetDirectories(Path.GetTempPath(), "policywerk-bench-*").Length);
    }
}
