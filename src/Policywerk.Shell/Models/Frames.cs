using System.Text;
using Spectre.Console;

namespace Policywerk.Shell.Models;

/// <summary>Where <c>watch</c> shows its frames: on a terminal each frame replaces the last after a pause; redirected,
/// the frames follow one another with no pause.</summary>
public sealed class Frames(IAnsiConsole console, int delayMs)
{
    private int _shown; // lines of the frame on screen, to draw over

    private bool InPlace => delayMs > 0 && console.Profile.Capabilities.Ansi;

    /// <summary>A line that stays (a title, a result).</summary>
    public void Line(string text)
    {
        console.WriteLine(text);
        _shown = 0;
    }

    /// <summary>One frame: its lines, then the pause.</summary>
    public void Show(IReadOnlyList<string> lines)
    {
        if (InPlace && _shown > 0) console.Cursor.MoveUp(_shown);
        var width = console.Profile.Width - 1; // drawn over, a line must not wrap
        foreach (var line in lines) console.WriteLine(!InPlace ? line : line.Length > width ? line[..width] : line.PadRight(width));
        _shown = lines.Count;
        if (delayMs > 0) Thread.Sleep(delayMs);
    }

    /// <summary>Ends the episode's frames: the last one stays.</summary>
    public void EndEpisode() => _shown = 0;

    /// <summary>Shades for a brightness in [0, 1], dark to bright (a pixel observation as text).</summary>
    public static char Shade(double brightness) => " .:-=+*#%@"[Math.Clamp((int)Math.Round(brightness * 9), 0, 9)];

    /// <summary>A row-major pixel image as lines of text, each pixel two characters wide.</summary>
    public static IReadOnlyList<string> Pixels(ReadOnlySpan<double> pixels, int rows, int cols)
    {
        var lines = new List<string>(rows + 2) { "+" + new string('-', 2 * cols) + "+" };
        for (var r = 0; r < rows; r++)
        {
            var line = new StringBuilder("|");
            for (var c = 0; c < cols; c++) line.Append(Shade(pixels[r * cols + c]), 2);
            lines.Add(line.Append('|').ToString());
        }
        lines.Add(lines[0]);
        return lines;
    }
}
