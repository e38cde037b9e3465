using System.ComponentModel;
using LanguageExt;
using Spectre.Console.Cli;
using static LanguageExt.Prelude;

namespace Policywerk.Shell.Cli;

/// <summary>Options every run takes.</summary>
public class RunSettings : CommandSettings
{
    [CommandOption("--seed <SEED>")]
    [Description("Random seed (a non-negative integer). Same seed, same run, bit for bit.")]
    [DefaultValue("42")]
    public string Seed { get; init; } = "42";

    [CommandOption("--out <DIR>")]
    [Description("Folder the pictures are written to (one subfolder per lesson).")]
    [DefaultValue("output")]
    public string Out { get; init; } = "output";

    [CommandOption("--no-pictures")]
    [Description("Train and print, but write no pictures.")]
    public bool NoPictures { get; init; }

    [CommandOption("--quiet")]
    [Description("Print only the headline (a few lines): no tables, no progress bars.")]
    public bool Quiet { get; init; }

    [CommandOption("--brief")]
    [Description("Print the tables without the lesson's narrative.")]
    public bool Brief { get; init; }
}

/// <summary>The validated form of <see cref="RunSettings"/>.</summary>
public sealed record RunOptions(ulong Seed, string OutDir, bool Pictures, bool Quiet, bool Brief = false);

/// <summary>Validation of command-line values at the edge: every problem becomes a <see cref="UserError"/>.</summary>
public static class Check
{
    public const ulong MaxSeed = int.MaxValue;

    public static Validation<string, ulong> Seed(string text) =>
        ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed) && seed <= MaxSeed
            ? Success<string, ulong>(seed)
            : Fail<string, ulong>($"--seed must be an integer from 0 to {MaxSeed}, got '{text}'");

    public static Validation<string, int> IntInRange(string name, string text, int min, int max) =>
        int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? Success<string, int>(value)
            : Fail<string, int>($"{name} must be an integer from {min} to {max}, got '{text}'");

    /// <summary>The output folder must be creatable and writable; nothing is created here.</summary>
    public static Validation<string, string> OutDir(string dir, bool pictures)
    {
        if (!pictures) return Success<string, string>(dir);
        if (string.IsNullOrWhiteSpace(dir)) return Fail<string, string>("--out must name a folder");
        string full;
        try { full = Path.GetFullPath(dir); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { return Fail<string, string>($"--out '{dir}' is not a valid path"); }
        if (File.Exists(full)) return Fail<string, string>($"--out '{dir}' is a file, not a folder");
        return FolderProblem(full) is { } problem ? Fail<string, string>($"--out '{dir}' {problem}") : Success<string, string>(full);
    }

    /// <summary>Whether <paramref name="folder"/> accepts new files (a probe file is made and deleted).</summary>
    internal static bool IsWritable(string folder)
    {
        var probe = Path.Combine(folder, $".policywerk-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Why folder <paramref name="full"/> cannot be created (with the folders above it that are missing) and
    /// written to, or null if it can; nothing is created here.</summary>
    private static string? FolderProblem(string full)
    {
        var existing = full;
        while (!Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return "has no existing parent folder";
            if (File.Exists(parent)) return "is inside a file";
            existing = parent;
        }
        return IsWritable(existing) ? null : $"is not writable ({existing} does not accept new files)";
    }

    /// <summary><c>--log</c> if given, checked (<see cref="LogFile"/>; a problem is a <see cref="UserError"/>), else null.</summary>
    public static string? LogFileIfGiven(string? path) => path is null ? null : LogFile(path).OrThrow();

    /// <summary><c>--log FILE</c>: a <c>.csv</c> or <c>.jsonl</c> file (<see cref="Logs.LogFile"/>) that is not a folder, in a
    /// folder that exists or can be created, and that accepts new files. Checked before training; nothing is created here.</summary>
    public static Validation<string, string> LogFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return Fail<string, string>("--log must name a file");
        if (Logs.LogFile.FormatOf(path) is null)
            return Fail<string, string>($"--log '{path}' must end in .csv or .jsonl (the extension chooses the format)");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { return Fail<string, string>($"--log '{path}' is not a valid path"); }
        if (Directory.Exists(full)) return Fail<string, string>($"--log '{path}' is a folder, not a file");
        var folder = Path.GetDirectoryName(full);
        if (folder is null) return Fail<string, string>($"--log '{path}' has no folder");
        if (File.Exists(folder)) return Fail<string, string>($"--log '{path}' is inside a file");
        return FolderProblem(folder) is { } problem
            ? Fail<string, string>($"--log '{path}': its folder {problem}")
            : Success<string, string>(full);
    }

    public static RunOptions Run(RunSettings s) =>
        (Seed(s.Seed), OutDir(s.Out, !s.NoPictures))
            .Apply((seed, outDir) => new RunOptions(seed, outDir, !s.NoPictures, s.Quiet, s.Brief))
            .Match(Succ: o => o, Fail: errors => throw new UserError(errors.Head));

    /// <summary>Unwraps a validation or throws its first error as a <see cref="UserError"/>.</summary>
    public static T OrThrow<T>(this Validation<string, T> v) =>
        v.Match(Succ: x => x, Fail: errors => throw new UserError(errors.Head));
}
