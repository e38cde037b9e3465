using System.Text.RegularExpressions;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>One palette: every colour a picture uses is named in <c>Pictures/Palette.cs</c> and nowhere else.</summary>
public class PaletteTests
{
    /// <summary>A colour made from a literal: hex or channel values, a ScottPlot or SkiaSharp named colour.</summary>
    private static readonly Regex ColourLiteral =
        new(@"Color\.From\w*\(|(?<![\w.])Colors\.\w|SKColors\.\w|new\s+(ScottPlot\.)?Color\s*\(|new\s+SKColor\s*\(", RegexOptions.Compiled);

    [Fact]
    public void No_shell_source_outside_the_palette_makes_a_colour_from_a_literal()
    {
        var shell = Path.Combine(ShellHarness.RepoRoot(), "src", "Policywerk.Shell");
        var palette = Path.Combine(shell, "Pictures", "Palette.cs");
        Assert.True(File.Exists(palette), "Pictures/Palette.cs names the colours");
        var sources = Directory.EnumerateFiles(shell, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && f != palette)
            .ToList();
        Assert.NotEmpty(sources);
        var found = sources.SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//") && ColourLiteral.IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(shell, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "colours made outside Pictures/Palette.cs:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_palette_itself_names_its_colours_from_literals()
    {
        var palette = File.ReadAllText(Path.Combine(ShellHarness.RepoRoot(), "src", "Policywerk.Shell", "Pictures", "Palette.cs"));
        Assert.True(ColourLiteral.Matches(palette).Count >= 10, "the pattern recognises the palette's own colour literals");
    }
}
