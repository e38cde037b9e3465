using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Cli;
using Policywerk.Shell.Experiments;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Logs;
using Policywerk.Shell.Progress;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary><c>--log FILE</c>: what each run logs (as data, from the run object), that docs/logs.md names exactly those
/// columns, that CSV and JSON Lines hold the same numbers bit for bit, and how bad paths and failed writes end.</summary>
public partial class LogTests
{
    /// <summary>The tables of docs/logs.md: under each "### lesson N" or "### experiment NAME" heading, the backticked
    /// names in its table's first column, in order.</summary>
    private static Dictionary<string, List<string>> DocumentedColumns()
    {
        var documented = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var line in File.ReadLines(Path.Combine(ShellHarness.RepoRoot(), "docs", "logs.md")))
        {
            if (Heading().Match(line) is { Success: true } heading) documented[heading.Groups["name"].Value] = current = [];
            else if (line.StartsWith("## ", StringComparison.Ordinal)) current = null;
            else if (current is not null && Row().Match(line) is { Success: true } row) current.Add(row.Groups["column"].Value);
        }
        return documented;
    }

    /// <summary>The static <c>LogColumns</c> every lesson and experiment type declares (what its log is built with).</summary>
    private static IReadOnlyList<string> ColumnsOf(Type type) =>
        (IReadOnlyList<string>)(type.GetField("LogColumns", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"{type.Name} declares no LogColumns"));

    private static IEnumerable<(string Name, IReadOnlyList<string> Columns)> DeclaredColumns() =>
        Catalog.Lessons.Select(e => ($"lesson {e.Info.Number}", ColumnsOf(e.Lesson.GetType())))
            .Concat(ExperimentCatalog.All.Select(e => ($"experiment {e.Name}", ColumnsOf(e.GetType()))));

    [Fact]
    public void Docs_name_exactly_the_columns_every_lesson_and_experiment_writes()
    {
        var documented = DocumentedColumns();
        foreach (var (name, columns) in DeclaredColumns())
        {
            Assert.True(documented.ContainsKey(name), $"docs/logs.md has no table for {name}");
            Assert.Equal(columns, documented[name]);
        }
        Assert.Equal(DeclaredColumns().Select(d => d.Name).Order(), documented.Keys.Order());
    }

    [Fact]
    public void Lesson_5_logs_its_300_episodes_with_the_documented_columns()
    {
        var log = Lesson05Dqn.LogOf(Lesson05PicturesTests.Training); // the run object's log: the cached seed-42 training
        Assert.Equal(300, log.Count);
        Assert.Equal(DocumentedColumns()["lesson 5"], log.Columns);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (double?)i), log.Rows.Select(r => r[0].Number));
        for (var i = 0; i < log.Count; i++)
        {
            var episode = Lesson05PicturesTests.Training.Episodes[i];
            Assert.Equal(episode.Reward, log[i, "reward"].Number);
            Assert.Equal(episode.Epsilon, log[i, "epsilon"].Number);
            Assert.Equal(episode.Updates > 0 ? episode.MeanLoss : (double?)null, log[i, "mean_loss"].Number);
        }
        Assert.True(log[0, "mean_loss"].IsEmpty); // no update before the replay buffer holds enough
        Assert.Equal(RunLog.PerRun([log], _ => 42).Columns, DqnExperiment.LogColumns);
    }

    [Fact]
    public void Each_lesson_run_logs_its_declared_columns_one_row_per_unit()
    {
        var expectedRows = new Dictionary<int, int> { [1] = 9 + 49, [2] = 100, [3] = 7 * 100, [4] = 2 * 500 };
        foreach (var (number, rows) in expectedRows)
        {
            var log = Catalog.Lesson(number).Train(42, ProgressBar.None).Log;
            Assert.Equal(ColumnsOf(Catalog.Lesson(number).GetType()), log.Columns);
            Assert.Equal(rows, log.Count);
        }
        var ppo = new Lesson06Ppo(Lesson06Ppo.Config with { Iterations = 6, RolloutSteps = 200 }).Train(42, ProgressBar.None).Log;
        Assert.Equal(Lesson06Ppo.LogColumns, ppo.Columns);
        Assert.Equal(6, ppo.Count);
        var shortDreamer = Lesson07Dreamer.Config with { PrefillSteps = 300, WarmupUpdates = 5, Iterations = 3, UpdatesPerIteration = 2 };
        var dreamer = Lesson07Dreamer.LogOf(Lesson07Dreamer.TrainAndEvaluate(Key.FromSeed(42), shortDreamer, episodes: 1).Logs);
        Assert.Equal(Lesson07Dreamer.LogColumns, dreamer.Columns);
        Assert.Equal([1.0, 2.0, 3.0], dreamer.Rows.Select(r => r[0].Number!.Value));
    }

    [Fact]
    public void Csv_and_jsonl_hold_the_same_numbers_bit_for_bit()
    {
        var log = Catalog.Lesson(3).Train(42, ProgressBar.None).Log; // words, empty cells and doubles of every size
        var csv = LogFile.Format(log, LogFormat.Csv).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var jsonl = LogFile.Format(log, LogFormat.Jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', log.Columns), csv[0]);
        Assert.Equal(log.Count + 1, csv.Length);
        Assert.Equal(log.Count, jsonl.Length);
        for (var i = 0; i < log.Count; i++)
        {
            var fields = csv[i + 1].Split(','); // no value of this log needs quoting
            using var json = JsonDocument.Parse(jsonl[i]);
            Assert.Equal(log.Columns, json.RootElement.EnumerateObject().Select(p => p.Name));
            for (var j = 0; j < log.Columns.Length; j++)
            {
                var value = log.Rows[i][j];
                var property = json.RootElement.GetProperty(log.Columns[j]);
                if (value.Number is { } x)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(double.Parse(fields[j], CultureInfo.InvariantCulture)));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(property.GetDouble()));
                }
                else if (value.Text is { } word)
                {
                    Assert.Equal(word, fields[j]);
                    Assert.Equal(word, property.GetString());
                }
                else
                {
                    Assert.Equal("", fields[j]);
                    Assert.Equal(JsonValueKind.Null, property.ValueKind);
                }
            }
        }
    }

    [Fact]
    public void Csv_quotes_a_value_as_rfc_4180_says_and_json_escapes_it()
    {
        var log = RunLog.Of(["name", "x"], [["a,b", 0.1], ["say \"hi\"", double.NaN], ["plain", -0.0], ["λ = 0.9", 1e-300]]);
        Assert.Equal("name,x\n\"a,b\",0.1\n\"say \"\"hi\"\"\",\nplain,-0\nλ = 0.9,1E-300\n", LogFile.Format(log, LogFormat.Csv));
        var lines = LogFile.Format(log, LogFormat.Jsonl).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("{\"name\":\"a,b\",\"x\":0.1}", lines[0]);
        Assert.Equal("{\"name\":\"say \\\"hi\\\"\",\"x\":null}", lines[1]);
        Assert.Equal("λ = 0.9", JsonDocument.Parse(lines[3]).RootElement.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("lesson 1 --log DIR/run.txt", "must end in .csv or .jsonl")]
    [InlineData("lesson 1 --log DIR/run", "must end in .csv or .jsonl")]
    [InlineData("lesson 1 --log DIR/folder.csv", "is a folder, not a file")]
    [InlineData("lesson 1 --log DIR/a-file/run.csv", "is inside a file")]
    [InlineData("lesson 1 --log /proc/policywerk/run.csv", "is not writable")]
    [InlineData("lesson 4 --runs 2 --log DIR/run.tsv", "must end in .csv or .jsonl")]
    [InlineData("experiment cliff --runs 2 --log DIR/run.json", "must end in .csv or .jsonl")]
    public void A_bad_log_path_is_one_error_line_and_exit_2_before_anything_runs(string commandLine, string expected)
    {
        using var dir = ShellHarness.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "folder.csv"));
        File.WriteAllText(Path.Combine(dir, "a-file"), "x");
        var result = ShellHarness.Run([.. commandLine.Replace("DIR", dir).Split(' '), "--no-pictures"]);
        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.ErrLines);
        Assert.StartsWith("error: --log '", line);
        Assert.Contains(expected, line);
        Assert.Equal("", result.Out); // nothing trained
        Assert.Equal(["a-file", "folder.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_failed_write_leaves_no_file_and_no_staging_folder()
    {
        using var dir = ShellHarness.TempDir();
        var target = Path.Combine(dir, "run.csv");
        Directory.CreateDirectory(Path.Combine(target, "inside")); // the path became a folder after the check: the rename fails
        var log = RunLog.Of(["x"], [[1.0]]);
        var error = Assert.Throws<WriteError>(() => LogFile.Write(target, log));
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.CannotWrite, ExitCodes.Report(error, stderr));
        Assert.StartsWith($"error: cannot write {target}: ", Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(["run.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
        Assert.Equal(["inside"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));

        var other = Path.Combine(dir, "other.csv");
        File.WriteAllText(other, "earlier");
        LogFile.Write(other, log); // replaces the earlier file, leaves nothing else behind
        Assert.Equal("x\n1\n", File.ReadAllText(other));
        Assert.Equal(["other.csv", "run.csv"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Lesson_1_writes_its_log_into_a_new_folder_and_says_where()
    {
        using var dir = ShellHarness.TempDir();
        var path = Path.Combine(dir, "logs", "run.csv");
        var result = ShellHarness.Run("lesson", "1", "--quiet", "--no-pictures", "--log", path);
        Assert.Equal(0, result.ExitCode);
        // one row per value-iteration sweep, then one per evaluation sweep of each policy-iteration cycle, solved here
        var world = new Gridworld(GridMaps.Classic.Map);
        var rows = Bellman.ValueIteration(world, Lesson01Bellman.Config).Sweeps.Length
                   + Bellman.PolicyIteration(world, Lesson01Bellman.Config).Cycles.Sum(c => c.Evaluation.Sweeps.Length);
        Assert.Contains($"({rows} rows, 6 columns)", result.Out);
        var lines = File.ReadAllLines(path);
        Assert.Equal("algorithm,cycle,sweep,max_change,v_start,policy_changes", lines[0]);
        Assert.Equal("value_iteration,,1,1,-0.04,", lines[1]);
        Assert.Equal(rows + 1, lines.Length);
        Assert.Equal(["run.csv"], Directory.GetFileSystemEntries(Path.Combine(dir, "logs")).Select(Path.GetFileName));
    }

    [Fact]
    public void Many_runs_log_every_run_with_its_seed_and_a_comparison_both_arms()
    {
        using var dir = ShellHarness.TempDir();
        var runs = Path.Combine(dir, "runs.jsonl");
        Assert.Equal(0, ShellHarness.Run("lesson", "4", "--runs", "2", "--seed", "7", "--quiet", "--no-pictures", "--log", runs).ExitCode);
        var rows = File.ReadAllLines(runs).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2 * 2 * 500, rows.Count);
        Assert.Equal(["run", "seed", .. Lesson04QLearning.LogColumns], rows[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal([(0, 7), (1, 8)], rows.Select(r => (r.GetProperty("run").GetInt32(), r.GetProperty("seed").GetInt32())).Distinct());
        var alone = Catalog.Lesson(4).Train(8, ProgressBar.None).Log; // run 1 is lesson 4 with seed 8
        Assert.Equal(alone.Rows.Select(r => r[2].Number), rows.Skip(1000).Select(r => (double?)r.GetProperty("reward").GetDouble()));

        var compared = Path.Combine(dir, "vs.csv");
        var result = ShellHarness.Run("experiment", "cliff", "--runs", "2", "--vs", "epsilon=0.01", "--quiet", "--no-pictures", "--log", compared);
        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(compared);
        Assert.Equal(string.Join(',', ["arm", .. CliffExperiment.LogColumns]), lines[0]);
        Assert.Equal(2 * 2 * 3 * 500, lines.Length - 1);
        Assert.Equal(["defaults", "variant"], lines.Skip(1).Select(l => l.Split(',')[0]).Distinct());
    }

    [Fact]
    public void The_quick_experiments_log_one_row_per_run_and_point_of_their_table()
    {
        var expected = new Dictionary<string, int> { ["sutton88-fig5"] = 2 * 11 * 13, ["nstep"] = 2 * 10 * 21, ["exploration"] = 2 * 6 * 500 };
        foreach (var (name, rows) in expected)
        {
            var experiment = ExperimentCatalog.Find(name)!;
            var log = experiment.Compute(2, 42, ProgressBar.None).Log;
            Assert.Equal(ColumnsOf(experiment.GetType()), log.Columns);
            Assert.Equal(rows, log.Count);
            Assert.Equal([0.0, 1.0], log.Rows.Select(r => r[0].Number!.Value).Distinct());
            Assert.All(log.Rows, r => Assert.Equal(42.0, r[1].Number));
        }
    }

    [Fact]
    public void An_experiment_without_a_log_of_its_own_logs_its_metrics_one_row_per_run_and_metric()
    {
        var log = RunLog.OfMetrics([new RunMetric("a", [1.0, 2.0], true), new RunMetric("b", [3.0, 4.0], false)]);
        Assert.Equal(["run", "metric", "value"], log.Columns.ToArray());
        Assert.Equal(["0 a 1", "0 b 3", "1 a 2", "1 b 4"], log.Rows.Select(r => string.Join(' ', r)));
    }

    [GeneratedRegex(@"^### (?<name>lesson \d+|experiment [\w-]+)\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\| `(?<column>\w+)` \|")]
    private static partial Regex Row();
}
