using Spectre.Console;

namespace Policywerk.Shell.Lessons;

/// <summary>How a lesson's narrative is printed: titled sections of wrapped paragraphs, equations and code references.</summary>
public static class Narration
{
    /// <summary>The width narrative text wraps to when output is redirected to a file or a pipe.</summary>
    public const int RedirectedWidth = 100;

    /// <summary>A section: its title as a rule, then each paragraph wrapped to the console's width.</summary>
    public static void Section(IAnsiConsole console, string title, params string[] paragraphs)
    {
        console.WriteLine();
        console.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
        Text(console, paragraphs);
    }

    /// <summary>More paragraphs of the current section.</summary>
    public static void Text(IAnsiConsole console, params string[] paragraphs)
    {
        foreach (var p in paragraphs) console.Write(new Paragraph(p + "\n"));
    }

    /// <summary>A number as the narrative writes it: up to three decimals, and a real minus sign.</summary>
    public static string Number(double x) => x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture).Replace('-', '−');

    /// <summary>A number as a factor in a written-out product: negative ones in parentheses, 1·(−10).</summary>
    public static string Factor(double x) => x < 0 ? $"({Number(x)})" : Number(x);

    /// <summary>An equation or a command, indented and unwrapped.</summary>
    public static void Display(IAnsiConsole console, params string[] lines)
    {
        foreach (var line in lines) console.MarkupLine("    [bold]" + Markup.Escape(line) + "[/]");
        console.WriteLine();
    }

    /// <summary>Where the code of an equation lives: file and function.</summary>
    public static void Code(IAnsiConsole console, string file, string function) =>
        console.MarkupLine($"  [grey]in the code:[/] {Markup.Escape(file)}: [bold]{Markup.Escape(function)}[/]");
}
