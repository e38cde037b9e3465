using System.Text;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Policywerk.Shell.Lessons;

/// <summary>
/// A lesson's guide, <c>docs/lessons/NN-name.md</c>: the lesson's narrative from its seed-42 run (the idea, the world,
/// the update, the worked example, the results, what to try), its pictures from <c>docs/img/</c>, and links to the code
/// of its equations. The committed guides are this program's output: a test regenerates them and compares.
/// </summary>
public static partial class Guides
{
    /// <summary>The seed every guide is written from.</summary>
    public const ulong Seed = 42;

    /// <summary>The width the guide's narrative is wrapped to.</summary>
    public const int Width = Narration.RedirectedWidth;

    /// <summary>The guide's file name: <c>04-q-learning.md</c> for the slug <c>04_q_learning</c>.</summary>
    public static string FileName(LessonInfo info) => info.Slug.Replace('_', '-') + ".md";

    /// <summary>The guide of <paramref name="lesson"/>, as Markdown; <paramref name="images"/> is the folder of the committed
    /// pictures (docs/img), to link those that exist for this lesson. A lesson with changed settings has them in its title
    /// (<paramref name="changed"/>) and links no pictures, since the committed ones are the default run's.</summary>
    public static string Write(ILesson lesson, string images, string? changed = null)
    {
        var info = lesson.Info;
        var run = lesson.Train(Seed, new Progress<double>());
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = Width;
        run.Narrate(console);
        var narrative = string.Join("\n", text.ToString().Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())).Trim('\n');

        var md = new StringBuilder();
        md.Append($"# Lesson {info.Number:00} · {info.Paper} — {info.Algorithm}{(changed is null ? "" : $" ({changed})")}\n\n");
        if (changed is null)
        {
            md.Append($"The world: {info.World}. This guide is the output of `dotnet run --project src/Policywerk.Shell -- guide {info.Number}`, ");
            md.Append($"the lesson's run with seed {Seed}; a test writes it again and compares, so every number in it is the program's.\n\n");
        }
        else
        {
            md.Append($"The world: {info.World}. This guide is the lesson's run with seed {Seed}, {changed}. ");
            md.Append("Every number in it is the program's.\n\n");
        }
        var pictures = changed is null && Directory.Exists(images)
            ? Directory.GetFiles(images, info.Slug.Split('_')[0] + "_*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()
            : [];
        foreach (var picture in pictures) md.Append($"![{Path.GetFileNameWithoutExtension(picture)}](../img/{picture})\n\n");
        md.Append("```text\n").Append(narrative).Append("\n```\n\n");
        var code = CodeLine().Matches(narrative).Select(m => (File: m.Groups["file"].Value, Symbol: m.Groups["symbol"].Value)).Distinct().ToArray();
        if (code.Length > 0)
        {
            md.Append("## The code of its equations\n\n");
            foreach (var (file, symbol) in code) md.Append($"- [`{symbol}`](../../{file})\n");
        }
        return md.ToString();
    }

    /// <summary>The narrative's "in the code: FILE: Class.Member" lines.</summary>
    [GeneratedRegex(@"in the code: (?<file>\S+\.cs): (?<symbol>[\w.]+)")]
    private static partial Regex CodeLine();
}
