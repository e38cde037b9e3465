using System.Globalization;
using Policywerk.Shell.Lessons;
using Spectre.Console;

namespace Policywerk.Shell.Cli;

/// <summary><c>--set name=value</c>, <c>--vs name=value</c> and <c>--params</c>: a lesson's or an experiment's hyperparameters
/// from the command line.</summary>
public static class LessonSettingsCli
{
    /// <summary>name=value pairs from every <c>--set</c> (each may hold several, separated by commas), checked against the
    /// lesson's settings; any problem is one <see cref="UserError"/>.</summary>
    public static IReadOnlyList<(string Name, double Value)> Parse(ILesson lesson, IReadOnlyList<string> sets) =>
        Parse($"lesson {lesson.Info.Number}", lesson, sets);

    /// <summary>name=value pairs for <paramref name="target"/> (called <paramref name="subject"/> in messages), checked against
    /// its settings and its conflicts; any problem is one <see cref="UserError"/>.</summary>
    public static IReadOnlyList<(string Name, double Value)> Parse<T>(string subject, ISettable<T> target, IReadOnlyList<string> sets, string option = "--set")
    {
        if (sets.Count == 0) return [];
        var settings = target.Settings;
        var values = new List<(string, double)>();
        foreach (var item in sets.SelectMany(s => s.Split(',', StringSplitOptions.TrimEntries)))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0) throw new UserError($"{option} takes name=value, got '{item}'");
            var name = item[..eq].Trim().ToLowerInvariant();
            var text = item[(eq + 1)..].Trim();
            var setting = settings.FirstOrDefault(s => s.Name == name)
                ?? throw new UserError($"{subject} has no setting '{name}' (did you mean '{Closest(name, settings)}'?); " +
                                       $"its settings: {string.Join(", ", settings.Select(s => s.Name))}");
            if (text.Length == 0) throw new UserError($"{option} {name}= needs a value ({Range(setting)})");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new UserError($"{option} {name}={text}: not a number ({Range(setting)})");
            if (!setting.Allows(value)) throw new UserError($"{option} {name}={text}: {setting.Name} must be {Range(setting)}");
            if (values.Any(v => v.Item1 == name)) throw new UserError($"{option} sets {name} twice: give each setting once");
            values.Add((name, value));
        }
        if (target.Conflict(values) is { } conflict) throw new UserError($"{option}: {conflict}");
        return values;
    }

    /// <summary>"changed: ε = 0.01 (default 0.1)" for each value that differs from its default.</summary>
    public static IEnumerable<string> Changes(ILesson lesson, IReadOnlyList<(string Name, double Value)> values) =>
        Each(lesson.Settings, values).Select(change => $"changed: {change}");

    /// <summary>One line for pictures and guides: "changed: ε = 0.01 (default 0.1), γ = 0.9 (default 1)"; null if nothing
    /// differs from its default.</summary>
    public static string? Caption(ILesson lesson, IReadOnlyList<(string Name, double Value)> values) =>
        Each(lesson.Settings, values).ToArray() is { Length: > 0 } changes ? $"changed: {string.Join(", ", changes)}" : null;

    /// <summary>The variant of a comparison in short: "ε = 0.01, γ = 0.9".</summary>
    public static string Variant(IReadOnlyList<Setting> settings, IReadOnlyList<(string Name, double Value)> values) =>
        string.Join(", ", values.Select(v => $"{settings.Single(s => s.Name == v.Name).Symbol} = {N(v.Value)}"));

    private static IEnumerable<string> Each(IReadOnlyList<Setting> settings, IReadOnlyList<(string Name, double Value)> values) =>
        values.Select(v => (Setting: settings.Single(s => s.Name == v.Name), v.Value))
            .Where(x => x.Value != x.Setting.Default)
            .Select(x => $"{x.Setting.Symbol} = {N(x.Value)} (default {N(x.Setting.Default)})");

    /// <summary>The table <c>--params</c> prints.</summary>
    public static void Print(IAnsiConsole console, ILesson lesson) =>
        Print(console, $"Lesson {lesson.Info.Number:00}: settings for --set name=value (and --vs with --runs)", lesson.Settings);

    /// <summary>A table of settings under <paramref name="title"/>.</summary>
    public static void Print(IAnsiConsole console, string title, IReadOnlyList<Setting> settings)
    {
        var table = new Table().Title($"[bold]{Markup.Escape(title)}[/]")
            .AddColumn("name").AddColumn("symbol").AddColumn(new TableColumn("default").RightAligned()).AddColumn("range").AddColumn("meaning");
        foreach (var s in settings)
            table.AddRow(s.Name, Markup.Escape(s.Symbol), N(s.Default), Markup.Escape(Range(s)), Markup.Escape(s.Meaning));
        console.Write(table);
    }

    private static string Range(Setting s) => $"{(s.Integer ? "a whole number" : "a number")} from {N(s.Min)} to {N(s.Max)}";

    /// <summary>Up to six decimals; a number smaller than that shows in exponent form (1E-15), never as 0.</summary>
    private static string N(double x) =>
        x != 0 && Math.Abs(x) < 1e-4 ? x.ToString("0.###E+0", CultureInfo.InvariantCulture) : x.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>The setting whose name is the fewest single-character edits away.</summary>
    private static string Closest(string name, IReadOnlyList<Setting> settings) => settings.MinBy(s => Distance(name, s.Name))!.Name;

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
