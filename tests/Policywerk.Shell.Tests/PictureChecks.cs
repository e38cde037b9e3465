using ImageMagick;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Checks of written pictures shared by several test classes.</summary>
public static class PictureChecks
{
    /// <summary>Lesson 01's three pictures, complete and readable: the GIF's 13 frames on one 960×740 canvas (the zero
    /// table, nine sweeps, three frames with the policy), a PNG poster and a trace that is not blank.</summary>
    public static void AssertWholeLesson1Set(string lessonDir)
    {
        Assert.Equal(["artifact.gif", "poster.png", "trace.png"], Directory.GetFileSystemEntries(lessonDir).Select(Path.GetFileName).Order());
        using var gif = new MagickImageCollection(Path.Combine(lessonDir, "artifact.gif"));
        Assert.Equal(1 + 9 + 3, gif.Count);
        Assert.All(gif, frame => Assert.Equal((960u, 740u), (frame.Page.Width, frame.Page.Height))); // one canvas
        gif.Coalesce(); // each frame after the first is the rectangle that changed, drawn over the one before
        Assert.All(gif, frame => Assert.Equal((960u, 740u), (frame.Width, frame.Height)));
        using var poster = new MagickImage(Path.Combine(lessonDir, "poster.png"));
        Assert.Equal(MagickFormat.Png, poster.Format);
        Assert.True(poster.Width >= 600 && poster.Height >= 600);
        using var trace = new MagickImage(Path.Combine(lessonDir, "trace.png"));
        Assert.True(trace.TotalColors > 10, "the trace is not a blank image");
    }
}
