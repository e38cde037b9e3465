using Policywerk.Shell.Lessons;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>The committed lesson guides are the program's output: each is written again from its lesson's seed-42 run
/// and must match byte for byte, so a change that moves a number must update the guide in the same commit.</summary>
public class GuideTests
{
    public static TheoryData<int> Lessons => [.. Enumerable.Range(1, Catalog.Lessons.Count)];

    [Theory]
    [MemberData(nameof(Lessons))]
    public void The_committed_guide_is_what_the_program_writes(int number)
    {
        var root = ShellHarness.RepoRoot();
        var lesson = Catalog.Lesson(number);
        var path = Path.Combine(root, "docs", "lessons", Guides.FileName(lesson.Info));
        Assert.True(File.Exists(path), $"missing {path}: run `dotnet run --project src/Policywerk.Shell -- guide {number}`");
        var written = Guides.Write(lesson, Path.Combine(root, "docs", "img"));
        Assert.True(written == File.ReadAllText(path),
            $"docs/lessons/{Guides.FileName(lesson.Info)} differs from the program's output: run `dotnet run --project src/Policywerk.Shell -- guide {number}`");
    }

    [Fact]
    public void Guide_writes_the_file_and_a_bad_lesson_is_one_error_line()
    {
        using var dir = ShellHarness.TempDir();
        var ok = ShellHarness.Run("guide", "1", "--out", dir);
        Assert.Equal(0, ok.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "01-bellman.md")));
        var bad = ShellHarness.Run("guide", "9", "--out", dir);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error:", bad.Err.Trim());
    }

    [Fact]
    public void A_guide_with_changed_settings_carries_them_in_its_title_and_links_no_default_pictures()
    {
        using var dir = ShellHarness.TempDir();
        var ok = ShellHarness.Run("guide", "1", "--set", "gamma=0.5", "--out", dir);
        Assert.Equal(0, ok.ExitCode);
        var text = File.ReadAllLines(Path.Combine(dir, "01-bellman.md"));
        Assert.EndsWith("(changed: γ = 0.5 (default 0.9))", text[0]);
        Assert.DoesNotContain(text, line => line.StartsWith("!["));
        Assert.Contains(text, line => line.Contains("γ = 0.5"));
        var all = ShellHarness.Run("guide", "all", "--set", "gamma=0.5", "--out", dir);
        Assert.Equal(2, all.ExitCode);
        Assert.StartsWith("error:", all.Err.Trim());
    }
}
