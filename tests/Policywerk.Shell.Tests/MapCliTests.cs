using ImageMagick;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary><c>--map</c> on lessons 1 and 4: built-in maps, map files, <c>--map list</c>, and one error line (exit 2,
/// nothing written) for every malformed map.</summary>
public class MapCliTests
{
    /// <summary>Our own 12×8 map (two rooms joined by one door, three pits) as a file would hold it.</summary>
    private static string TwelveByEight => Policywerk.Pure.Worlds.GridMaps.Rooms.Map.Text;

    private static ShellResult WithMapFile(byte[] content, Func<string, string, ShellResult> run)
    {
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "my.map");
        File.WriteAllBytes(file, content);
        var output = Path.Combine(dir, "out");
        var result = run(file, output);
        if (result.ExitCode != 0) Assert.False(Directory.Exists(output), "a refused map writes nothing");
        return result;
    }

    private static byte[] Text(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    public static TheoryData<string, byte[], string> Malformed()
    {
        var data = new TheoryData<string, byte[], string>();
        foreach (var lesson in new[] { "1", "4" })
        {
            data.Add(lesson, Text(""), "line 1, column 1: the map is empty");
            data.Add(lesson, Text("...\n..G\n"), "line 1, column 1: the map has no start S");
            data.Add(lesson, Text("S.G\n.S.\n"), "line 2, column 2: a second start S");
            data.Add(lesson, Text("S..\n...\n"), "line 1, column 1: the map has no goal G");
            data.Add(lesson, Text("S#.\n##G\n"), "line 2, column 3: this goal cannot be reached");
            data.Add(lesson, Text("S..\n..\n..G\n"), "line 2, column 3: this row has 2 cells");
            data.Add(lesson, Text("S..\n.k.\n..G\n"), "line 2, column 2: unknown character 'k'");
            data.Add(lesson, Text("S" + new string('.', 30) + "G\n"), "line 1, column 31: a row has more than 30 cells");
            data.Add(lesson, Text(string.Concat(Enumerable.Repeat("S.G\n", 1)) + string.Concat(Enumerable.Repeat("...\n", 30))), "line 31, column 1: the map has more than 30 rows");
            data.Add(lesson, [0x53, 0x2E, 0x47, 0x0A, 0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF], "line 2, column 1: a byte that is not UTF-8");
            data.Add(lesson, [0x53, 0x2E, 0x47, 0x0A, 0x2E, 0x00, 0x2E], "line 2, column 2: a binary or control character");
            data.Add(lesson, Text("S.G\nslip=2\n"), "line 2, column 6: slip must be a number from 0 to 1");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_map_is_one_error_line_naming_line_and_column_exit_2_and_nothing_written(string lesson, byte[] content, string message)
    {
        var result = WithMapFile(content, (file, output) => ShellHarness.Run("lesson", lesson, "--map", file, "--out", output));
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrLines);
        Assert.StartsWith("error:", line);
        Assert.Contains("my.map: ", line);
        Assert.Contains(message, line);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void A_missing_file_or_unknown_name_is_one_error_line()
    {
        var result = ShellHarness.Run("lesson", "1", "--map", "no-such-map-anywhere", "--no-pictures");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --map 'no-such-map-anywhere' is neither a built-in map", Assert.Single(result.ErrLines));
    }

    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    [InlineData("7")]
    public void Only_lessons_1_and_4_take_a_map(string lesson)
    {
        var result = ShellHarness.Run("lesson", lesson, "--map", "rooms", "--no-pictures");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: lesson {lesson} does not take a map; --map works with lessons 1 and 4", Assert.Single(result.ErrLines));
    }

    [Fact]
    public void Map_list_names_every_built_in_map_with_its_size()
    {
        var result = ShellHarness.Run("lesson", "1", "--map", "list");
        Assert.Equal(0, result.ExitCode);
        foreach (var (name, size) in new[] { ("classic", "5×5"), ("cliff", "4×12"), ("rooms", "12×8"), ("maze", "9×9"), ("ice", "10×14"), ("field", "30×30") })
            Assert.Matches($"{name}\\s*│\\s*{size}", result.Out);
    }

    [Fact]
    public void Lesson_1_on_our_12_by_8_map_converges_and_draws_it()
    {
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "rooms.map");
        File.WriteAllText(file, TwelveByEight);
        var result = ShellHarness.Run("lesson", "1", "--map", file, "--out", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"map: {file}, 12×8", result.Out);
        Assert.Contains("A 12×8 grid", result.Out);
        Assert.Matches(@"Converged in \d+ sweeps", result.Out);
        Assert.Contains("values match", result.Out);
        Assert.Contains("policies match", result.Out);
        var lessonDir = Path.Combine(dir, "01_bellman");
        using var gif = new MagickImageCollection(Path.Combine(lessonDir, "artifact.gif"));
        Assert.True(gif.Count > 5);
        using var poster = new MagickImage(Path.Combine(lessonDir, "poster.png"));
        Assert.True(poster.Height > poster.Width, "a 12-row, 8-column map makes a tall poster");
        using var trace = new MagickImage(Path.Combine(lessonDir, "trace.png"));
        Assert.Equal((900u, 480u), (trace.Width, trace.Height));
    }

    [Fact]
    public void Lesson_1_on_the_same_map_by_name_gives_the_same_values()
    {
        var byName = ShellHarness.Run("lesson", "1", "--map", "rooms", "--brief", "--no-pictures");
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "rooms.map");
        File.WriteAllText(file, TwelveByEight);
        var byFile = ShellHarness.Run("lesson", "1", "--map", file, "--brief", "--no-pictures");
        static IEnumerable<string> Tables(string output) => output.Split('\n').SkipWhile(l => !l.Contains("max change per sweep"));
        Assert.NotEmpty(Tables(byName.Out));
        Assert.Equal(Tables(byName.Out), Tables(byFile.Out)); // the headers name the map
    }

    [Fact]
    public void Lesson_4_runs_on_a_small_slippery_map_and_keeps_settings()
    {
        var result = WithMapFile(Text("S..\n.X.\n..G\nslip=0.1\nstep=-1\ngoal=10\n"),
            (file, _) => ShellHarness.Run("lesson", "4", "--map", file, "--set", "episodes=50", "--quiet", "--no-pictures"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("map: ", result.Out);
        Assert.Contains("changed: episodes = 50", result.Out);
        Assert.Contains("episodes 1–50 mean reward", result.Out);
    }

    [Fact]
    public void Lesson_4_on_a_built_in_map_writes_its_pictures()
    {
        using var dir = ShellHarness.TempDir();
        var result = ShellHarness.Run("lesson", "4", "--map", "maze", "--set", "episodes=100", "--out", dir);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("the map maze", result.Out);
        foreach (var name in new[] { "artifact.gif", "poster.png", "trace.png" })
            Assert.True(File.Exists(Path.Combine(dir, "04_q_learning", name)), name);
    }

    [Fact]
    public void The_default_maps_by_name_print_what_the_default_runs_print()
    {
        foreach (var (lesson, name) in new[] { ("1", "classic"), ("4", "cliff") })
        {
            var plain = ShellHarness.Run("lesson", lesson, "--brief", "--no-pictures");
            var named = ShellHarness.Run("lesson", lesson, "--map", name, "--brief", "--no-pictures");
            Assert.Equal(plain.Out, string.Join('\n', named.Out.Split('\n').Skip(1)));
        }
    }

    [Fact]
    public void The_example_map_in_the_docs_runs_on_both_lessons()
    {
        var file = Path.Combine(ShellHarness.RepoRoot(), "docs", "maps", "lake.map");
        foreach (var lesson in new[] { "1", "4" })
        {
            var result = ShellHarness.Run("lesson", lesson, "--map", file, "--quiet", "--no-pictures");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("9×10", result.Out);
        }
    }
}
