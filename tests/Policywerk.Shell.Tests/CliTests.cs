using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Bad input: one clear line on stderr, exit code 2, no stack trace, no output folder.</summary>
public class CliTests
{
    [Theory]
    [InlineData("lesson 9", "lesson must be an integer from 1 to 7")]
    [InlineData("lesson x", "lesson must be an integer from 1 to 7")]
    [InlineData("lesson 0", "lesson must be an integer from 1 to 7")]
    [InlineData("lesson 1 --seed -1", "--seed")]
    [InlineData("lesson 1 --seed abc", "--seed must be an integer")]
    [InlineData("lesson 1 --seed 99999999999999", "--seed must be an integer")]
    [InlineData("lesson 1 --out /proc/forbidden", "--out '/proc/forbidden'")]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("lesson 1 --frobnicate", "frobnicate")]
    [InlineData("bench 1 --runs 0", "--runs must be an integer from 1 to 1000")]
    [InlineData("lesson", "lesson")]
    public void Bad_input_exits_2_with_one_line_on_stderr(string commandLine, string expected)
    {
        using var outDir = ShellHarness.TempDir();
        var args = commandLine.Split(' ').Select(a => a == "OUT" ? outDir : a).ToArray();
        var result = ShellHarness.Run(args);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain(" at ", result.Err + result.Out);
        Assert.DoesNotContain("Exception", result.Err + result.Out);
    }

    [Fact]
    public void An_unwritable_out_folder_creates_nothing_and_a_file_is_refused()
    {
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "x");
        var result = ShellHarness.Run("lesson", "1", "--out", file);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is a file, not a folder", Assert.Single(result.ErrLines));

        var nested = Path.Combine(file, "below");
        Assert.Equal(2, ShellHarness.Run("lesson", "1", "--out", nested).ExitCode);
        Assert.Equal(["a-file"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void List_shows_the_seven_lessons_once_each_and_in_order()
    {
        var result = ShellHarness.Run("list");
        Assert.Equal(0, result.ExitCode);
        var numbers = result.Out.Split('\n').Select(line => System.Text.RegularExpressions.Regex.Match(line, @"^│ (0\d) │"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value);
        Assert.Equal(["01", "02", "03", "04", "05", "06", "07"], numbers);
        foreach (var paper in new[] { "Bellman 1957", "Barto, Sutton & Anderson 1983", "Sutton 1988", "Watkins 1989", "Mnih et al. 2013", "Schulman et al. 2017", "Hafner et al. 2023" })
            Assert.Contains(paper, result.Out);
    }

    [Fact]
    public void Help_is_available_for_every_command()
    {
        foreach (var args in new[] { new[] { "--help" }, ["lesson", "--help"], ["all", "--help"], ["bench", "--help"], ["list", "--help"] })
        {
            var result = ShellHarness.Run(args);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("USAGE", result.Out);
        }
        Assert.Contains("--no-pictures", ShellHarness.Run("lesson", "--help").Out);
    }

    [Fact]
    public void Bench_times_the_chosen_lessons_and_reports_time_in_GC()
    {
        var result = ShellHarness.Run("bench", "1", "3", "--runs", "2");
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Err);
        foreach (var column in new[] { "min", "median", "max", "in GC", "GCs/run (gen 0/1/2)" }) Assert.Contains(column, result.Out);
        var rows = result.Out.Split('\n').Where(l => l.Contains(" 01 ") || l.Contains(" 03 ")).ToList();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows) Assert.Matches(@"│\s+2 │ .* ms │ .* ms │ .* ms │\s+\d+% │\s+\d+/\d+/\d+ │", row);
        Assert.DoesNotContain(" 02 ", result.Out);
    }

    [Fact]
    public void Quiet_lesson_without_pictures_prints_its_headline_and_writes_nothing()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("lesson", "1", "--quiet", "--no-pictures", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("value iteration: 9 sweeps, V(start) = +0.270", result.Out);
        Assert.Contains("policy iteration: 7 cycles; values match, policies match", result.Out);
        Assert.DoesNotContain("┌", result.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Lesson_1_prints_the_spec_numbers()
    {
        var result = ShellHarness.Run("lesson", "1", "--no-pictures");
        Assert.Equal(0, result.ExitCode);
        foreach (var expected in new[] { "1.000000", "0.900000", "0.810000", "0.729000", "0.478297", "0.000000",
                                         "+0.621", "+0.734", "+0.860", "+1.000", "+0.270",
                                         "Converged in 9 sweeps", "Converged in 7 cycles", "values match", "policies match" })
            Assert.Contains(expected, result.Out);
        Assert.Empty(result.Err);
    }
}
