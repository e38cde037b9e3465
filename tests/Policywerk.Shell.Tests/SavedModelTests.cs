using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Shell.Cli;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Models;
using Policywerk.Shell.Progress;
using Spectre.Console;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Saved agents (issue 23, part 6): every lesson's model survives the file bit for bit and acts as the trained one;
/// <c>evaluate</c> prints the lesson's own greedy result; every damaged file is one <c>error:</c> line and exit 2.</summary>
public class SavedModelTests
{
    /// <summary>Each lesson with settings small enough for a test (lessons 5 to 7 train briefly; lesson 5 also changes its
    /// network's width, which the file's settings must rebuild).</summary>
    private static readonly Dictionary<int, (string Name, double Value)[]> Short = new()
    {
        [1] = [], [2] = [], [3] = [], [4] = [],
        [5] = [("episodes", 40), ("hidden", 16)],
        [6] = [("iterations", 6), ("steps", 200), ("minibatch", 100)],
        [7] = [("prefill", 300), ("warmup", 5), ("iterations", 3), ("updates", 2)],
    };

    /// <summary>One trained run per lesson, shared by the tests (seed 42).</summary>
    private static readonly Dictionary<int, Lazy<(ILesson Lesson, ILessonRun Run)>> Trained =
        Short.ToDictionary(e => e.Key, e => new Lazy<(ILesson, ILessonRun)>(() =>
        {
            var lesson = e.Value.Length == 0 ? Catalog.Lesson(e.Key) : Catalog.Lesson(e.Key).With(e.Value);
            return (lesson, lesson.Train(42, ProgressBar.None));
        }));

    private static byte[] Saved(int number)
    {
        var (lesson, run) = Trained[number].Value;
        return ModelFile.Serialize(lesson, ModelFile.Kind(number).ModelOf(run), 42, Short[number]);
    }

    /// <summary>What <paramref name="write"/> prints on a plain 120-column console.</summary>
    private static string Printed(Action<IAnsiConsole> write)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 120;
        write(console);
        return text.ToString();
    }

    /// <summary>The model's numbers, in a fixed order, as their bits.</summary>
    private static long[] Bits(object model)
    {
        IEnumerable<double> numbers = model switch
        {
            GridValues g => [.. g.Values, .. g.Policy.Select(a => (double)a)],
            BartoSuttonModel b => [.. b.ActorWeights, .. b.CriticWeights],
            WalkEstimates w => w.Estimates.SelectMany(e => e.Values.Values.Prepend(e.Lambda ?? -1)),
            QTables q => [.. q.QLearning.Values, .. q.Sarsa.Values],
            DqnModel d => d.Online.Values,
            PpoModel p => [.. p.Theta.Values, .. p.Phi.Values],
            DreamerModel m => [.. m.World.Flat.Values, .. m.Actor.Values, .. m.Critic.Values],
            _ => throw new ArgumentException($"no numbers for {model.GetType().Name}"),
        };
        return numbers.Select(BitConverter.DoubleToInt64Bits).ToArray();
    }

    public static TheoryData<int> Lessons => [1, 2, 3, 4, 5, 6, 7];

    [Theory]
    [MemberData(nameof(Lessons))]
    public void A_saved_then_loaded_model_holds_the_same_bits_and_plays_as_the_trained_one(int number)
    {
        var (lesson, run) = Trained[number].Value;
        var kind = ModelFile.Kind(number);
        var trained = kind.ModelOf(run);
        var loaded = ModelFile.Parse("model.json", Saved(number), number, $"evaluate {number}");
        Assert.Equal(lesson.Info, loaded.Lesson.Info);
        Assert.Equal(Short[number], loaded.Header.Settings);
        Assert.Equal(Bits(trained), Bits(loaded.Model));
        var episodes = Math.Min(kind.DefaultEpisodes, 5);
        Assert.Equal(Printed(c => kind.Evaluate(c, lesson, trained, 42, episodes)),
                     Printed(c => kind.Evaluate(c, loaded.Lesson, loaded.Model, 42, episodes)));
        Assert.Equal(Printed(c => kind.Watch(new Frames(c, 0), lesson, trained, 42, 1)),
                     Printed(c => kind.Watch(new Frames(c, 0), loaded.Lesson, loaded.Model, 42, 1)));
        // saved again, the loaded model gives the same file
        Assert.Equal(Saved(number), ModelFile.Serialize(loaded.Lesson, loaded.Model, 42, loaded.Header.Settings));
    }

    /// <summary>With the lesson's seed and episodes, <c>evaluate</c> prints the greedy numbers the lesson printed.</summary>
    [Theory]
    [MemberData(nameof(Lessons))]
    public void Evaluate_prints_the_greedy_result_the_lesson_printed(int number)
    {
        var (lesson, run) = Trained[number].Value;
        var loaded = ModelFile.Parse("model.json", Saved(number), number, $"evaluate {number}");
        var output = ShellHarness.Flat(Printed(c => loaded.Kind.Evaluate(c, loaded.Lesson, loaded.Model, 42, loaded.Kind.DefaultEpisodes)));
        string Inv(double x, string format) => x.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        var expected = run.Results switch
        {
            BellmanResults r => [r.Path, $"│ {r.PathSteps} │ {Inv(r.PathReward, "+0.00;-0.00;0.00")} │"],
            BartoSuttonResults r => [$"{r.EvaluationSteps} of 500"],
            TemporalDifferenceResults r => [$"│ TD(0) │ {Inv(r.FinalRmsTdZero, "0.000")} │", $"│ Monte Carlo (first-visit) │ {Inv(r.FinalRmsMonteCarlo, "0.000")} │"],
            QLearningResults r => [$"│ Q-learning │ {r.QLearningGreedy.Steps} │", r.QLearningGreedy.Moves, $"│ SARSA │ {r.SarsaGreedy.Steps} │", r.SarsaGreedy.Moves],
            DqnResults r => [$"│ steps │ {r.GreedySteps} │", $"│ bricks hit │ {r.BricksHit}/12 │", $"│ reward │ {Inv(r.GreedyReward, "+0.00;-0.00;0.00")} │"],
            PpoResults r => [$"│ steps survived │ {r.StepsSurvived} of 500 │", $"│ max |angle| │ {Inv(r.MaxAbsAngle, "0.0000")} rad │"],
            DreamerResults r => r.Evaluation.Select(p => $"│ {p.Policy} │ {Inv(p.Mean, "0.0")} │").ToArray(),
            _ => throw new ArgumentException("unknown results"),
        };
        Assert.All(expected, part => Assert.Contains(ShellHarness.Flat(part), output));
    }

    [Fact]
    public void Lesson_5_save_then_evaluate_prints_the_lessons_greedy_game_and_q_values()
    {
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "dqn.json");
        var lesson = ShellHarness.Run("lesson", "5", "--brief", "--no-pictures", "--save", file);
        Assert.Equal(0, lesson.ExitCode);
        Assert.Contains("model: ", lesson.Out);
        Assert.Equal(["dqn.json"], Directory.GetFiles(dir).Select(Path.GetFileName)); // no temporary file left behind
        var evaluate = ShellHarness.Run("evaluate", "5", "--load", file);
        Assert.Equal(0, evaluate.ExitCode);
        var start = lesson.Out.IndexOf("Greedy game (ε = 0)", StringComparison.Ordinal);
        var end = lesson.Out.IndexOf("The ball starts", start, StringComparison.Ordinal);
        var greedy = lesson.Out[start..end].TrimEnd();
        Assert.Equal(greedy, evaluate.Out[evaluate.Out.IndexOf("Greedy game (ε = 0)", StringComparison.Ordinal)..].TrimEnd());
        var watch = ShellHarness.Run("watch", "5", "--load", file, "--delay", "0");
        Assert.Equal(0, watch.ExitCode);
        Assert.Contains("step 1:", watch.Out);
    }

    /// <summary>A damaged copy of a saved model: its JSON changed by <paramref name="change"/>.</summary>
    private static byte[] Changed(int number, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Saved(number))!.AsObject();
        change(json);
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    public static TheoryData<string, string, int, string> Damaged => new()
    {
        { "truncated", "truncated", 4, "not valid JSON" },
        { "not JSON", "bad json", 4, "not valid JSON" },
        { "empty", "empty", 4, "not valid JSON" },
        { "a JSON array", "array", 4, "is not a model file" },
        { "another format", "format", 4, "its format is 'other-model'" },
        { "another version", "version", 4, "is a version 2 model; this program reads version 1" },
        { "another lesson", "lesson", 4, "holds a lesson 4 model; evaluate 5 needs lesson 5's" },
        { "a wrong shape", "shape", 5, "has shape [82, 17]; the lesson's network (82 → 16 → 3) needs [82, 16]" },
        { "a missing layer", "layer", 5, "has 3 parameter blocks; the lesson's network (82 → 16 → 3) has 4" },
        { "a NaN", "nan", 4, "is not a number; a trained model holds finite numbers only" },
        { "an infinity", "infinity", 4, "is not a finite number" },
        { "a missing field", "missing", 4, "model has no 'sarsa' field" },
        { "a table of the wrong size", "size", 4, "values has 191 numbers; the model needs 192" },
        { "an unknown setting", "setting", 4, "lesson 4 has no setting 'nosuch'" },
        { "a setting out of range", "range", 4, "epsilon=2: epsilon must be" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void A_damaged_model_file_is_one_error_line_and_exit_2(string what, string damage, int saved, string message)
    {
        var bytes = Saved(saved);
        var text = Encoding.UTF8.GetString(bytes);
        var target = damage == "lesson" ? 5 : saved;
        byte[] file = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "bad json" => Encoding.UTF8.GetBytes("{ this is not json"),
            "empty" => [],
            "array" => Encoding.UTF8.GetBytes("[1, 2, 3]"),
            "format" => Changed(saved, j => j["format"] = "other-model"),
            "version" => Changed(saved, j => j["version"] = 2),
            "lesson" => bytes,
            "shape" => Changed(saved, j => j["model"]!["online"]![0]!["shape"] = new JsonArray(82, 17)),
            "layer" => Changed(saved, j => j["model"]!["online"]!.AsArray().RemoveAt(3)),
            "nan" => Changed(saved, j => j["model"]!["q_learning"]!["values"]![5] = "NaN"),
            "infinity" => Encoding.UTF8.GetBytes(System.Text.RegularExpressions.Regex.Replace(text, @"(""values"": \[)[^,]+", "${1}1e400")),
            "missing" => Changed(saved, j => j["model"]!.AsObject().Remove("sarsa")),
            "size" => Changed(saved, j => j["model"]!["sarsa"]!["values"]!.AsArray().RemoveAt(0)),
            "setting" => Changed(saved, j => j["settings"]!["nosuch"] = 1),
            "range" => Changed(saved, j => j["settings"]!["epsilon"] = 2),
            _ => throw new ArgumentException(what),
        };
        using var dir = ShellHarness.TempDir();
        var path = Path.Combine(dir, "model.json");
        File.WriteAllBytes(path, file);
        foreach (var command in new[] { "evaluate", "watch" })
        {
            var result = ShellHarness.Run([command, $"{target}", "--load", path, .. command == "watch" ? new[] { "--delay", "0" } : []]);
            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            var line = Assert.Single(result.ErrLines);
            Assert.StartsWith("error: ", line);
            Assert.Contains(message.Replace("evaluate", command), line);
            Assert.Empty(result.Out);
        }
    }

    [Fact]
    public void A_missing_file_or_a_folder_to_load_is_one_error_line_and_exit_2()
    {
        using var dir = ShellHarness.TempDir();
        foreach (var (path, message) in new[] { (Path.Combine(dir, "none.json"), "no such file"), (dir, "is a folder") })
        {
            var result = ShellHarness.Run("evaluate", "4", "--load", path);
            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            Assert.Contains(message, Assert.Single(result.ErrLines));
        }
        var none = ShellHarness.Run("watch", "4");
        Assert.Equal(ExitCodes.BadInput, none.ExitCode);
        Assert.Contains("needs --load FILE", Assert.Single(none.ErrLines));
    }

    [Fact]
    public void A_bad_save_path_is_one_error_line_and_exit_2_before_training()
    {
        using var dir = ShellHarness.TempDir();
        foreach (var (path, message) in new[]
                 {
                     (Path.Combine(dir, "no", "such", "folder", "m.json"), "does not exist"),
                     (dir, "is a folder"),
                 })
        {
            var result = ShellHarness.Run("lesson", "7", "--no-pictures", "--quiet", "--save", path); // lesson 7 would take seconds
            Assert.Equal(ExitCodes.BadInput, result.ExitCode);
            Assert.Contains(message, Assert.Single(result.ErrLines));
            Assert.Empty(result.Out);
        }
        var runs = ShellHarness.Run("lesson", "1", "--runs", "2", "--save", Path.Combine(dir, "m.json"));
        Assert.Equal(ExitCodes.BadInput, runs.ExitCode);
        Assert.Contains("does not go with --runs", Assert.Single(runs.ErrLines));
    }

    [Fact]
    public void Every_lesson_has_its_model_kind_in_lesson_order() =>
        Assert.Equal(Catalog.Lessons.Select(e => e.Info.Number), ModelFile.Kinds.Select(k => k.Lesson));

    [Fact]
    public void Every_finite_double_survives_the_file_bit_for_bit()
    {
        double[] numbers = [0.0, -0.0, 0.1, 1.0 / 3, -2.5e-300, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue,
                            Math.PI, 1e16 + 2, 123456789.000000123, BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF)];
        var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            new ModelWriter(json).Numbers("x", numbers);
            json.WriteEndObject();
        }
        using var document = JsonDocument.Parse(stream.ToArray());
        var read = ModelField.Top("test.json", document.RootElement).Field("x").Numbers(numbers.Length);
        Assert.Equal(numbers.Select(BitConverter.DoubleToInt64Bits), read.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Saving_again_replaces_the_file_whole_and_leaves_no_temporary_file()
    {
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "cliff.json");
        File.WriteAllText(file, "an older file");
        Assert.Equal(0, ShellHarness.Run("lesson", "4", "--quiet", "--no-pictures", "--seed", "7", "--save", file).ExitCode);
        Assert.Equal(7UL, ModelFile.Load(file, 4, "evaluate 4").Header.Seed);
        Assert.Equal(["cliff.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_saved_map_comes_back_with_the_model()
    {
        using var dir = ShellHarness.TempDir();
        var file = Path.Combine(dir, "rooms.json");
        Assert.Equal(0, ShellHarness.Run("lesson", "1", "--map", "rooms", "--quiet", "--no-pictures", "--save", file).ExitCode);
        var loaded = ModelFile.Load(file, 1, "evaluate 1");
        Assert.Equal("rooms", loaded.Header.Map?.Name);
        Assert.Same(Policywerk.Pure.Worlds.GridMaps.Rooms, ((IMappableLesson)loaded.Lesson).Map);
        var evaluate = ShellHarness.Run("evaluate", "1", "--load", file, "--episodes", "2");
        Assert.Equal(0, evaluate.ExitCode);
        Assert.Contains("map rooms", evaluate.Out);
    }
}
