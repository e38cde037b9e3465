using Spectre.Console;

namespace Policywerk.Shell.Tests;

/// <summary>Runs the program in-process with captured stdout and stderr.</summary>
public sealed record ShellResult(int ExitCode, string Out, string Err)
{
    public IReadOnlyList<string> ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

public static class ShellHarness
{
    public static ShellResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        console.Profile.Width = 120;
        var code = Program.Run(args, console, stderr);
        return new ShellResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The repository's top folder (where Policywerk.sln lives).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Policywerk.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Policywerk.sln not found above the test binaries");
    }

    /// <summary>A fresh temporary folder, deleted by the caller.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "policywerk-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
