using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>What the narration tests share: the sections a narrated lesson prints, running a lesson, its worked example,
/// and the check that the sections come in order (their positions in the output).</summary>
public static class Narrated
{
    public static readonly string[] Sections = ["The idea", "The world", "The update", "A worked example from this run", "What the results mean", "Try next"];

    /// <summary><c>lesson N --no-pictures</c> plus <paramref name="extra"/>; it must succeed.</summary>
    public static string Lesson(int number, params string[] extra)
    {
        var result = ShellHarness.Run(["lesson", $"{number}", "--no-pictures", .. extra]);
        Assert.Equal(0, result.ExitCode);
        return result.Out;
    }

    /// <summary>The worked example's lines: from its section's title to the next section.</summary>
    public static string Example(string output)
    {
        var start = output.IndexOf("A worked example from this run", StringComparison.Ordinal);
        var end = output.IndexOf("What the results mean", start, StringComparison.Ordinal);
        return output[start..end];
    }

    /// <summary>Every section is printed, in order; returns their positions.</summary>
    public static int[] SectionsInOrder(string output)
    {
        var positions = Sections.Select(s => output.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        return positions;
    }
}
