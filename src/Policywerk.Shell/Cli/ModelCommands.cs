using System.ComponentModel;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Policywerk.Shell.Cli;

/// <summary>Options of <c>evaluate</c> and <c>watch</c>: a lesson, the model file, and the episodes to play.</summary>
public class LoadSettings : CommandSettings
{
    [CommandArgument(0, "<N>")]
    [Description("Lesson number, 1 to 7.")]
    public string Lesson { get; init; } = "";

    [CommandOption("--load <FILE>")]
    [Description("The model file `lesson N --save FILE` wrote.")]
    public string? Load { get; init; }

    [CommandOption("--episodes <K>")]
    [Description("Greedy episodes to play (default: as many as the lesson's own evaluation); episode i uses seed SEED + i − 1 (lesson 7: the first K start layouts of its evaluation).")]
    public string? Episodes { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Seed of the first episode (default: the seed the model was trained with, so episode 1 is the lesson's own evaluation).")]
    public string? Seed { get; init; }
}

/// <summary>Options of <c>watch</c>.</summary>
public sealed class WatchSettings : LoadSettings
{
    [CommandOption("--delay <MS>")]
    [Description("Milliseconds each frame is shown on a terminal (default 120); 0, or output to a file or pipe, prints every frame at once.")]
    public string? Delay { get; init; }
}

/// <summary>What <c>evaluate</c> and <c>watch</c> share: the checked options and the loaded model.</summary>
public static class LoadedRun
{
    public static (LoadedModel Model, ulong Seed, int Episodes) Open(LoadSettings settings, string command)
    {
        var lesson = LessonRunner.Find(settings.Lesson);
        var number = lesson.Info.Number;
        if (string.IsNullOrWhiteSpace(settings.Load)) throw new UserError($"{command} {number} needs --load FILE (a model that `lesson {number} --save FILE` wrote)");
        var episodes = settings.Episodes is null ? (int?)null : Check.IntInRange("--episodes", settings.Episodes, 1, 10_000).OrThrow();
        var seed = settings.Seed is null ? (ulong?)null : Check.Seed(settings.Seed).OrThrow();
        var model = ModelFile.Load(settings.Load, number, $"{command} {number}");
        return (model, seed ?? model.Header.Seed, episodes ?? model.Kind.DefaultEpisodes);
    }
}

/// <summary><c>evaluate N --load FILE</c>: the lesson's greedy evaluation of a saved model, without training.</summary>
public sealed class EvaluateCommand(IAnsiConsole console) : Command<LoadSettings>
{
    public override int Execute(CommandContext context, LoadSettings settings, CancellationToken cancellationToken)
    {
        var (loaded, seed, episodes) = LoadedRun.Open(settings, "evaluate");
        console.WriteLine(loaded.Title);
        if (loaded.Kind.Acts) console.WriteLine($"greedy evaluation: {episodes} {(episodes == 1 ? "episode" : "episodes")}, seed {seed}");
        loaded.Kind.Evaluate(console, loaded.Lesson, loaded.Model, seed, episodes);
        return ExitCodes.Ok;
    }
}

/// <summary><c>watch N --load FILE</c>: a saved model's greedy episodes step by step in the terminal, without training.</summary>
public sealed class WatchCommand(IAnsiConsole console) : Command<WatchSettings>
{
    /// <summary>Milliseconds a frame is shown on a terminal unless <c>--delay</c> says otherwise.</summary>
    public const int DefaultDelay = 120;

    public override int Execute(CommandContext context, WatchSettings settings, CancellationToken cancellationToken)
    {
        var delay = settings.Delay is null ? DefaultDelay : Check.IntInRange("--delay", settings.Delay, 0, 10_000).OrThrow();
        var (loaded, seed, episodes) = LoadedRun.Open(settings, "watch");
        if (Console.IsOutputRedirected || !console.Profile.Capabilities.Interactive) delay = 0; // a file or a pipe gets every frame at once
        console.WriteLine(loaded.Title);
        loaded.Kind.Watch(new Frames(console, delay), loaded.Lesson, loaded.Model, seed, episodes);
        return ExitCodes.Ok;
    }
}
