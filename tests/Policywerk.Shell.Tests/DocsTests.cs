using System.Text.RegularExpressions;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>
/// The README and docs/ stay a guide of current facts: the README fits in 250 lines, nothing carries a date, every
/// repository path they name exists, and every link to a line of code points at the symbol it names.
/// </summary>
public partial class DocsTests
{
    private static readonly string Root = ShellHarness.RepoRoot();

    private static IEnumerable<string> Documents() =>
        new[] { Path.Combine(Root, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories));

    private static string Relative(string path) => Path.GetRelativePath(Root, path);

    [Fact]
    public void The_readme_is_a_guide_of_at_most_250_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md"));
        Assert.True(lines.Length <= 250, $"README.md has {lines.Length} lines");
        Assert.Contains(lines, l => l.StartsWith("dotnet test", StringComparison.Ordinal)); // .ci/run runs the README's test command
    }

    /// <summary>The README's worked examples: each "$ policywerk …" block and the output under it. Lesson 07's takes
    /// twelve Dreamer trainings, minutes in a Debug build, and is checked by hand.</summary>
    public static TheoryData<string> ReadmeExamples()
    {
        var data = new TheoryData<string>();
        foreach (Match m in Regex.Matches(File.ReadAllText(Path.Combine(Root, "README.md")), @"```text\n\$ policywerk (?<command>[^\n]+)\n"))
            if (!m.Groups["command"].Value.StartsWith("lesson 7 ", StringComparison.Ordinal)) data.Add(m.Groups["command"].Value);
        return data;
    }

    [Theory]
    [MemberData(nameof(ReadmeExamples))]
    public void A_worked_example_in_the_readme_is_what_the_program_prints(string command)
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var block = Regex.Match(readme, $@"```text\n\$ policywerk {Regex.Escape(command)}\n(?<output>.*?)```", RegexOptions.Singleline).Groups["output"].Value;
        Assert.NotEmpty(block.Trim());
        var result = ShellHarness.Run(command.Split(' '));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ShellHarness.Flat(block), ShellHarness.Flat(result.Out));
    }

    [Fact]
    public void No_document_carries_a_date()
    {
        var dated = Documents().SelectMany(d => File.ReadLines(d).Select((line, i) => (d, line, i)))
            .Where(x => DateLike().IsMatch(x.line)).Select(x => $"{Relative(x.d)}:{x.i + 1}").ToList();
        Assert.True(dated.Count == 0, "dated lines: " + string.Join(", ", dated));
    }

    [Fact]
    public void Every_link_and_path_a_document_names_exists()
    {
        var missing = new List<string>();
        foreach (var doc in Documents())
        {
            var text = File.ReadAllText(doc);
            var folder = Path.GetDirectoryName(doc)!;
            foreach (Match m in Link().Matches(text))
            {
                var target = m.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith('#')) continue;
                var file = target.Split('#')[0];
                if (!File.Exists(Path.Combine(folder, file)) && !Directory.Exists(Path.Combine(folder, file)))
                    missing.Add($"{Relative(doc)}: link {target}");
            }
            foreach (Match m in RepoPath().Matches(text))
            {
                var path = m.Groups["path"].Value.TrimEnd('/');
                if (!File.Exists(Path.Combine(Root, path)) && !Directory.Exists(Path.Combine(Root, path)))
                    missing.Add($"{Relative(doc)}: `{path}`");
            }
        }
        Assert.True(missing.Count == 0, "missing: " + string.Join("; ", missing));
    }

    [Fact]
    public void Every_link_to_a_line_of_code_lands_on_the_symbol_it_names()
    {
        var wrong = new List<string>();
        var links = 0;
        foreach (var doc in Documents())
        {
            var folder = Path.GetDirectoryName(doc)!;
            foreach (Match m in CodeLineLink().Matches(File.ReadAllText(doc)))
            {
                links++;
                var member = m.Groups["symbol"].Value.Split('.')[^1];
                var lines = File.ReadAllLines(Path.Combine(folder, m.Groups["file"].Value));
                var n = int.Parse(m.Groups["line"].Value);
                var declares = n >= 1 && n <= lines.Length && Regex.IsMatch(lines[n - 1], $@"\b{Regex.Escape(member)}\b\s*[(<]");
                if (!declares) wrong.Add($"{Relative(doc)}: {m.Value} (line {n} does not declare {member})");
            }
        }
        Assert.True(links >= 7, $"expected the lesson table's links to the central updates, found {links}");
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [Fact]
    public void Every_link_to_a_code_file_names_a_symbol_the_file_declares()
    {
        var wrong = new List<string>();
        var links = 0;
        foreach (var doc in Documents())
        {
            var folder = Path.GetDirectoryName(doc)!;
            foreach (Match m in CodeFileLink().Matches(File.ReadAllText(doc)))
            {
                links++;
                var path = Path.Combine(folder, m.Groups["file"].Value);
                if (!File.Exists(path)) continue; // reported by the path test
                var text = File.ReadAllText(path);
                var parts = m.Groups["symbol"].Value.Split('.');
                var member = parts[^1];
                var declared = Regex.IsMatch(text, $@"\b{Regex.Escape(member)}\b\s*[(<]")
                               || Regex.IsMatch(text, $@"\b(class|record|struct|interface|enum|delegate[^;]*)\s+(struct\s+)?{Regex.Escape(member)}\b")
                               || Regex.IsMatch(text, $@"\b{Regex.Escape(member)}\s*(=>|\{{|=|,|\))"); // a property, field or enum member
                if (parts.Length > 1 && !Regex.IsMatch(text, $@"\b(class|record|struct|interface)\s+(struct\s+)?{Regex.Escape(parts[^2])}\b"))
                    declared = false;
                if (!declared) wrong.Add($"{Relative(doc)}: {m.Value}");
            }
        }
        Assert.True(links >= 50, $"expected docs/CONCEPTS.md's links to the code, found {links}");
        Assert.True(wrong.Count == 0, "links naming a symbol their file does not declare: " + string.Join("; ", wrong));
    }

    /// <summary>A year-month-day date, or a year of this decade followed by a month (dated diary entries).</summary>
    [GeneratedRegex(@"\b20[2-3]\d-[01]\d(-[0-3]\d)?\b")]
    private static partial Regex DateLike();

    /// <summary>A Markdown link or image: [text](target).</summary>
    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    /// <summary>A backticked path in the repository's own folders (output/ is what the program writes, not a repository path).</summary>
    [GeneratedRegex(@"`(?<path>(src|tests|docs|snapshots|benchmarks|samples|\.ci)/[^`\s]*)`")]
    private static partial Regex RepoPath();

    /// <summary>A link to a code file (no line) whose text names a symbol: [`Class.Member`](path.cs).</summary>
    [GeneratedRegex(@"\[`(?<symbol>[A-Za-z_][\w.]*)`\]\((?<file>[^)#\s]+\.cs)\)")]
    private static partial Regex CodeFileLink();

    /// <summary>A link to a line of code whose text names the symbol: [`Class.Member`](path.cs#L123).</summary>
    [GeneratedRegex(@"\[`(?<symbol>[A-Za-z_][\w.]*)`\]\((?<file>[^)#\s]+\.cs)#L(?<line>\d+)\)")]
    private static partial Regex CodeLineLink();
}
