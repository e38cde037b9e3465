using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Policywerk.Shell.Experiments;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Models;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Progress;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Policywerk.Shell.Cli;

/// <summary><c>list</c>: the seven lessons.</summary>
public sealed class ListCommand(IAnsiConsole console) : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumn("#").AddColumn("paper").AddColumn("algorithm").AddColumn("world");
        foreach (var (info, _) in Catalog.Lessons)
            table.AddRow($"{info.Number:00}", Markup.Escape(info.Paper), Markup.Escape(info.Algorithm), Markup.Escape(info.World));
        console.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class LessonSettings : RunSettings
{
    [CommandArgument(0, "<N>")]
    [Description("Lesson number, 1 to 7.")]
    public string Lesson { get; init; } = "";

    [CommandOption("--set <NAME=VALUE>")]
    [Description("Change a hyperparameter (repeatable; also a=1,b=2). `--params` lists them.")]
    public string[] Set { get; init; } = [];

    [CommandOption("--params")]
    [Description("List the lesson's hyperparameters with their defaults, ranges and meanings, and stop.")]
    public bool Params { get; init; }

    [CommandOption("--log <FILE>")]
    [Description("Write what the run recorded, one row per sweep, episode or iteration, to FILE.csv or FILE.jsonl (columns: docs/logs.md).")]
    public string? Log { get; init; }

    [CommandOption("--runs <K>")]
    [Description("Train the lesson K times (run i with seed SEED + i) and print its headline numbers over the runs.")]
    public string? Runs { get; init; }

    [CommandOption("--vs <NAME=VALUE>")]
    [Description("With --runs (default 10): the same runs with these settings too, compared run by run.")]
    public string[] Vs { get; init; } = [];

    [CommandOption("--map <FILE|NAME|list>")]
    [Description("Run lesson 1 or 4 on another grid: a map file, a built-in map's name, or `list` to see them.")]
    public string? Map { get; init; }

    [CommandOption("--save <FILE>")]
    [Description("Write the trained model to FILE (JSON, docs/models.md) for `evaluate N --load FILE` and `watch N --load FILE`.")]
    public string? Save { get; init; }
}

/// <summary>Runs one lesson and shows what it learned.</summary>
public static class LessonRunner
{
    /// <summary>Trains, shows and draws <paramref name="lesson"/>; <paramref name="caption"/> (the changed settings, if any)
    /// goes on top of every picture.</summary>
    public static int Run(IAnsiConsole console, ILesson lesson, RunOptions options, string? caption = null, Action<ILessonRun>? trained = null)
    {
        var info = lesson.Info;
        if (options.Pictures) PictureWriter.WarmUp(); // on the core training leaves idle
        var run = ProgressBar.Run(console, $"Lesson {info.Number:00} · {info.Paper}", !options.Quiet,
                                  progress => lesson.Train(options.Seed, progress));
        if (options.Quiet)
        {
            console.WriteLine($"Lesson {info.Number:00} · {info.Paper} — {info.Algorithm}");
            foreach (var line in run.Headline()) console.WriteLine($"  {line}");
        }
        else if (options.Brief)
        {
            run.Print(console);
        }
        else
        {
            run.Narrate(console);
        }
        trained?.Invoke(run);
        if (options.Pictures)
        {
            var written = PictureWriter.Write(options.OutDir, info.Slug, caption, run.WritePictures);
            var folder = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(options.OutDir, info.Slug));
            console.WriteLine($"  pictures: {folder}{Path.DirectorySeparatorChar} ({string.Join(", ", written.Select(Path.GetFileName))})");
        }
        console.WriteLine();
        return ExitCodes.Ok;
    }

    /// <summary>Parses a lesson number and finds the lesson, or throws a <see cref="UserError"/> that says why not.</summary>
    public static ILesson Find(string text) =>
        Catalog.Lesson(Check.IntInRange("lesson", text, 1, Catalog.Lessons.Count).OrThrow());
}

/// <summary><c>lesson N</c></summary>
public sealed class LessonCommand(IAnsiConsole console) : Command<LessonSettings>
{
    public override int Execute(CommandContext context, LessonSettings settings, CancellationToken cancellationToken)
    {
        var lesson = LessonRunner.Find(settings.Lesson);
        if (settings.Map is "list")
        {
            MapFiles.Print(console);
            return ExitCodes.Ok;
        }
        if (settings.Map is not null) lesson = MapFiles.Apply(lesson, settings.Map);
        if (settings.Params)
        {
            LessonSettingsCli.Print(console, lesson);
            return ExitCodes.Ok;
        }
        var values = LessonSettingsCli.Parse(lesson, settings.Set);
        if (settings.Save is not null && (settings.Runs is not null || settings.Vs.Length > 0))
            throw new UserError("--save writes the model of one run; it does not go with --runs or --vs");
        if (settings.Runs is not null || settings.Vs.Length > 0) return Repeated(lesson, values, settings);
        var options = Check.Run(settings);
        var save = settings.Save is null ? null : ModelFile.CheckSavePath(settings.Save);
        var caption = LessonSettingsCli.Caption(lesson, values);
        var log = Check.LogFileIfGiven(settings.Log);
        if (values.Count > 0)
        {
            foreach (var line in LessonSettingsCli.Changes(lesson, values)) console.WriteLine(line);
            lesson = lesson.With(values);
        }
        if (settings.Map is not null && lesson is IMappableLesson { Map: var map })
            console.WriteLine($"map: {map.Name}, {map.Map.Rows}×{map.Map.Cols} ({map.Description})");
        Action<ILessonRun>? trained = null;
        if (log is not null) trained += run => Logs.LogFile.Write(console, log, run.Log);
        if (save is not null)
            trained += run =>
            {
                ModelFile.Save(save, ModelFile.Serialize(lesson, ModelFile.Kind(lesson.Info.Number).ModelOf(run), options.Seed, values));
                console.WriteLine($"  model: {settings.Save} (evaluate {lesson.Info.Number} --load {settings.Save}; watch {lesson.Info.Number} --load {settings.Save})");
            };
        return LessonRunner.Run(console, lesson, options, caption, trained);
    }

    /// <summary><c>--runs K</c> (and <c>--vs</c>): the lesson over K seeds, alone or against a variant.</summary>
    private int Repeated(ILesson lesson, IReadOnlyList<(string Name, double Value)> values, LessonSettings settings)
    {
        if (values.Count > 0 && settings.Vs.Length > 0) throw new UserError("--set and --vs do not go together: put every change in --vs");
        var runs = settings.Runs is null ? 10 : Check.IntInRange("--runs", settings.Runs, 1, 10_000).OrThrow();
        var baseline = new LessonRuns(values.Count > 0 ? lesson.With(values) : lesson, keepLogs: settings.Log is not null);
        var vs = LessonSettingsCli.Parse($"lesson {lesson.Info.Number}", baseline, settings.Vs, "--vs");
        var options = Check.Run(settings);
        var log = Check.LogFileIfGiven(settings.Log);
        var info = lesson.Info;
        if (vs.Count > 0)
        {
            var variant = LessonSettingsCli.Variant(baseline.Settings, vs);
            var comparison = ProgressBar.Run(console, $"Lesson {info.Number:00}: defaults vs {variant} ({runs} paired runs)", !options.Quiet,
                progress => Comparison.Run($"lesson {info.Number}", variant, baseline, baseline.With(vs), runs, options.Seed, progress));
            return ResultOutput.Show(console, comparison, options, $"{info.Slug}_vs", log);
        }
        foreach (var line in LessonSettingsCli.Changes(lesson, values)) console.WriteLine(line);
        var result = ProgressBar.Run(console, $"Lesson {info.Number:00} over {runs} runs", !options.Quiet, progress => baseline.Compute(runs, options.Seed, progress));
        return ResultOutput.Show(console, options, null, result.Headline(), result.Print, $"{info.Slug}_runs",
                                 LessonSettingsCli.Caption(lesson, values), result.WritePictures, log, () => result.Log);
    }
}

/// <summary><c>all</c>: every lesson in order.</summary>
public sealed class AllCommand(IAnsiConsole console) : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var options = Check.Run(settings);
        foreach (var (_, lesson) in Catalog.Lessons) LessonRunner.Run(console, lesson, options);
        return ExitCodes.Ok;
    }
}

public sealed class GuideSettings : CommandSettings
{
    [CommandArgument(0, "<N>")]
    [Description("Lesson number, 1 to 7, or `all`.")]
    public string Lesson { get; init; } = "";

    [CommandOption("--out <DIR>")]
    [Description("Folder the guides are written to.")]
    [DefaultValue("docs/lessons")]
    public string Out { get; init; } = "docs/lessons";

    [CommandOption("--set <NAME=VALUE>")]
    [Description("Write the guide of a run with changed hyperparameters (one lesson only; its title says what changed).")]
    public string[] Set { get; init; } = [];
}

/// <summary><c>guide N|all</c>: writes each lesson's guide (<see cref="Guides"/>) from its seed-42 run.</summary>
public sealed class GuideCommand(IAnsiConsole console) : Command<GuideSettings>
{
    public override int Execute(CommandContext context, GuideSettings settings, CancellationToken cancellationToken)
    {
        var all = settings.Lesson.Equals("all", StringComparison.OrdinalIgnoreCase);
        if (all && settings.Set.Length > 0) throw new UserError("guide all takes no --set: give one lesson's number");
        var lessons = all ? Catalog.Lessons.Select(e => e.Lesson).ToList() : [LessonRunner.Find(settings.Lesson)];
        var values = all ? [] : LessonSettingsCli.Parse(lessons[0], settings.Set);
        var caption = all ? null : LessonSettingsCli.Caption(lessons[0], values);
        if (values.Count > 0) lessons = [lessons[0].With(values)];
        var images = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Out.TrimEnd('/', '\\'))) ?? ".", "img");
        var written = lessons.Select(l => (Info: l.Info, Text: Guides.Write(l, images, caption))).ToList(); // every guide before any file
        try
        {
            Directory.CreateDirectory(settings.Out);
            foreach (var (info, text) in written) File.WriteAllText(Path.Combine(settings.Out, Guides.FileName(info)), text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"cannot write the guides to {settings.Out}: {e.Message}");
        }
        foreach (var (info, _) in written) console.WriteLine($"  {Path.Combine(settings.Out, Guides.FileName(info))}");
        return ExitCodes.Ok;
    }
}

public sealed class BenchSettings : CommandSettings
{
    [CommandArgument(0, "[N]")]
    [Description("Lesson numbers to time (default: every lesson).")]
    public string[] Lessons { get; init; } = [];

    [CommandOption("--runs <K>")]
    [Description("Timed runs per lesson (after one warm-up run).")]
    [DefaultValue("5")]
    public string Runs { get; init; } = "5";

    [CommandOption("--seed <SEED>")]
    [Description("Random seed.")]
    [DefaultValue("42")]
    public string Seed { get; init; } = "42";

    [CommandOption("--pictures")]
    [Description("Time writing each lesson's three pictures (artifact.gif, poster.png, trace.png) instead of its training.")]
    public bool Pictures { get; init; }
}

/// <summary><c>bench</c>: times training plus evaluation of each lesson, pictures and printing excluded; with
/// <c>--pictures</c>, writing its pictures from one trained run.</summary>
public sealed class BenchCommand(IAnsiConsole console) : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var runs = Check.IntInRange("--runs", settings.Runs, 1, 1000).OrThrow();
        var seed = Check.Seed(settings.Seed).OrThrow();
        var lessons = settings.Lessons.Length == 0
            ? Catalog.Lessons.Select(entry => entry.Lesson).ToList()
            : settings.Lessons.Select(LessonRunner.Find).ToList();
#if DEBUG
        console.MarkupLine("[yellow]warning: a Debug build; time with `dotnet run -c Release --project src/Policywerk.Shell -- bench`[/]");
#endif
        var table = new Table().AddColumn("lesson").AddColumn(new TableColumn("runs").RightAligned())
            .AddColumn(new TableColumn("min").RightAligned()).AddColumn(new TableColumn("median").RightAligned())
            .AddColumn(new TableColumn("max").RightAligned())
            .AddColumn(new TableColumn("in GC").RightAligned()).AddColumn(new TableColumn("GCs/run (gen 0/1/2)").RightAligned());
        var scratch = Path.Combine(Path.GetTempPath(), $"policywerk-bench-{Guid.NewGuid():N}");
        try
        {
            foreach (var lesson in lessons) Row(table, lesson, runs, seed, settings.Pictures ? scratch : null);
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
        console.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>One lesson's row: <paramref name="runs"/> timed runs after a warm-up, of its training, or (with a
    /// <paramref name="pictures"/> folder) of writing its pictures from one trained run.</summary>
    private static void Row(Table table, ILesson lesson, int runs, ulong seed, string? pictures)
    {
        var trained = lesson.Train(seed, ProgressBar.None); // warm-up: JIT and caches
        Action work = pictures is null
            ? () => lesson.Train(seed, ProgressBar.None)
            : () => PictureWriter.Write(pictures, lesson.Info.Slug, null, trained.WritePictures);
        if (pictures is not null) work(); // warm-up of the picture code
        var seconds = new double[runs];
        var paused = GC.GetTotalPauseDuration();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }
        var gcShare = (GC.GetTotalPauseDuration() - paused).TotalSeconds / seconds.Sum();
        string PerRun(int before, int generation) =>
            ((GC.CollectionCount(generation) - before) / (double)runs).ToString("0", CultureInfo.InvariantCulture);
        var collections = $"{PerRun(gen0, 0)}/{PerRun(gen1, 1)}/{PerRun(gen2, 2)}";
        Array.Sort(seconds);
        table.AddRow($"{lesson.Info.Number:00} {Markup.Escape(lesson.Info.Algorithm)}", $"{runs}",
                     Format(seconds[0]), Format(seconds[runs / 2]), Format(seconds[^1]),
                     gcShare.ToString("0%", CultureInfo.InvariantCulture), collections);
    }

    private static string Format(double seconds) =>
        seconds < 1 ? $"{(seconds * 1000).ToString("0.0", CultureInfo.InvariantCulture)} ms"
                    : $"{seconds.ToString("0.000", CultureInfo.InvariantCulture)} s";
}

public sealed class ExperimentSettings : RunSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("Experiment name; `experiment list` shows them.")]
    public string Name { get; init; } = "";

    [CommandOption("--runs <K>")]
    [Description("Independent runs (seeds); default: the experiment's own.")]
    public string? Runs { get; init; }

    [CommandOption("--log <FILE>")]
    [Description("Write one row per run and λ, α, n, episode… to FILE.csv or FILE.jsonl; with --vs both arms, in an `arm` column (columns: docs/logs.md).")]
    public string? Log { get; init; }

    [CommandOption("--vs <NAME=VALUE>")]
    [Description("Run the protocol twice on the same run keys, defaults and this variant (repeatable; also a=1,b=2), and compare them run by run.")]
    public string[] Vs { get; init; } = [];

    [CommandOption("--params")]
    [Description("List the settings --vs can change, with their defaults, ranges and meanings, and stop.")]
    public bool Params { get; init; }

    [CommandOption("--world <WORLD>")]
    [Description("The world an experiment with several runs on (dqn: breakout, the default, or catcher).")]
    public string? World { get; init; }
}

/// <summary>How a computed result reaches the user: its headline with <c>--quiet</c> (after an optional title line), else
/// its full tables; then its figure in <c>OUT/SLUG/</c>, whose paths are printed, and its log (<c>--log</c>) if asked for. The one way experiments, comparisons and a
/// lesson's runs are shown.</summary>
public static class ResultOutput
{
    public static int Show(IAnsiConsole console, RunOptions options, string? quietTitle, IEnumerable<string> headline,
                           Action<IAnsiConsole> print, string slug, string? caption, Action<PictureWriter> pictures,
                           string? logPath = null, Func<Logs.RunLog>? log = null)
    {
        if (options.Quiet)
        {
            if (quietTitle is not null) console.WriteLine(quietTitle);
            foreach (var line in headline) console.WriteLine($"  {line}");
        }
        else
        {
            print(console);
        }
        if (options.Pictures)
        {
            var written = PictureWriter.Write(options.OutDir, slug, caption, pictures);
            console.WriteLine($"  figure: {string.Join(", ", written.Select(p => Path.GetRelativePath(Environment.CurrentDirectory, p)))}");
        }
        if (logPath is not null && log is not null) Logs.LogFile.Write(console, logPath, log());
        return ExitCodes.Ok;
    }

    /// <summary>An A/B comparison (<c>--vs</c>): both arms' tables and the paired differences, or the headline.</summary>
    public static int Show(IAnsiConsole console, Comparison comparison, RunOptions options, string slug, string? logPath = null) =>
        Show(console, options,
             $"{comparison.Table.Subject}: defaults vs {comparison.Table.Variant}, {comparison.Table.Runs} paired runs, seed {comparison.Table.Seed}",
             comparison.Headline(), comparison.Print, slug,
             $"defaults (blue) vs {comparison.Table.Variant} (orange), {comparison.Table.Runs} paired runs", comparison.WritePictures,
             logPath, () => comparison.Log);
}

/// <summary><c>experiment NAME</c>: many seeds, a table with mean and 95% interval, and a figure.</summary>
public sealed class ExperimentCommand(IAnsiConsole console) : Command<ExperimentSettings>
{
    public override int Execute(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Name.Equals("list", StringComparison.OrdinalIgnoreCase))
        {
            var table = new Table().AddColumn("name").AddColumn("runs").AddColumn("what it shows");
            foreach (var e in Experiments.ExperimentCatalog.All)
                table.AddRow(e.Name, $"{e.DefaultRuns}", Markup.Escape(e.Description + (e.Worlds.Count > 0 ? $" (--world {string.Join(" | ", e.Worlds)})" : "")));
            console.Write(table);
            return ExitCodes.Ok;
        }
        var experiment = Experiments.ExperimentCatalog.Find(settings.Name)
            ?? throw new UserError($"unknown experiment '{settings.Name}'; known: {string.Join(", ", Experiments.ExperimentCatalog.All.Select(e => e.Name))}");
        var (title, slug) = (experiment.Name, experiment.Name);
        if (settings.World is not null)
        {
            if (experiment.Worlds.Count == 0)
                throw new UserError($"experiment {experiment.Name} runs on one world and takes no --world; " +
                                    $"--world is for {string.Join(", ", Experiments.ExperimentCatalog.All.Where(e => e.Worlds.Count > 0).Select(e => e.Name))}");
            var world = experiment.Worlds.FirstOrDefault(w => w.Equals(settings.World, StringComparison.OrdinalIgnoreCase))
                ?? throw new UserError($"unknown world '{settings.World}' for experiment {experiment.Name}; known: {string.Join(", ", experiment.Worlds)}");
            if (world != experiment.Worlds[0]) (title, slug) = ($"{experiment.Name} --world {world}", $"{experiment.Name}_{world}");
            experiment = experiment.OnWorld(world);
        }
        if (settings.Params)
        {
            LessonSettingsCli.Print(console, $"experiment {title}: settings for --vs name=value", experiment.Settings);
            return ExitCodes.Ok;
        }
        var runs = settings.Runs is null ? experiment.DefaultRuns : Check.IntInRange("--runs", settings.Runs, 1, 100_000).OrThrow();
        var vs = LessonSettingsCli.Parse($"experiment {title}", experiment, settings.Vs, "--vs");
        var options = Check.Run(settings);
        var log = Check.LogFileIfGiven(settings.Log);
        if (vs.Count > 0)
        {
            var variant = LessonSettingsCli.Variant(experiment.Settings, vs);
            var comparison = ProgressBar.Run(console, $"experiment {title}: defaults vs {variant} ({runs} paired runs)", !options.Quiet,
                progress => Comparison.Run($"experiment {title}", variant, experiment, experiment.With(vs), runs, options.Seed, progress));
            return ResultOutput.Show(console, comparison, options, $"experiment_{slug}_vs", log);
        }
        var result = ProgressBar.Run(console, $"experiment {title} ({runs} runs)", !options.Quiet,
                                     progress => experiment.Compute(runs, options.Seed, progress));
        return ResultOutput.Show(console, options, $"experiment {title}: {runs} runs, seed {options.Seed}", result.Headline(),
                                 result.Print, $"experiment_{slug}", null, result.WritePictures, log, () => result.Log);
    }
}
