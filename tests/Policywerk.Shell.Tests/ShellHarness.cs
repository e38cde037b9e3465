using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Spectre.Console;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Runs the program in-process with captured stdout and stderr.</summary>
public sealed record ShellResult(int ExitCode, string Out, string Err)
{
    public IReadOnlyList<string> ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

public static class ShellHarness
{
    public static ShellResult Run(params string[] args) => RunAt(120, args);

    /// <summary>The program on a console <paramref name="width"/> columns wide (long lines wrap there).</summary>
    public static ShellResult RunAt(int width, params string[] args)
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
        console.Profile.Width = width;
        var code = Program.Run(args, console, stderr);
        return new ShellResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The output with every run of white space as one space (long lines wrap at the console's width).</summary>
    public static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    /// <summary>The repository's top folder (where Policywerk.sln lives).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Policywerk.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Policywerk.sln not found above the test binaries");
    }

    /// <summary>A fresh temporary folder, deleted with what it holds when disposed (<c>using var dir = TempDir();</c>).</summary>
    public static TempFolder TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "policywerk-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return new TempFolder(dir);
    }

    /// <summary>Starts the built program as a child process (<c>dotnet Policywerk.Shell.dll ARGS</c>) with stdout and
    /// stderr captured; with <paramref name="stdoutTo"/>, stdout goes to that file instead (through <c>/bin/sh</c>).</summary>
    public static ChildRun Start(string? stdoutTo, params string[] args) => Start(stdoutTo, new Dictionary<string, string>(), args);

    /// <summary><see cref="Start(string?, string[])"/> with <paramref name="environment"/> added to the child's.</summary>
    public static ChildRun Start(string? stdoutTo, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var program = Path.Combine(AppContext.BaseDirectory, "Policywerk.Shell.dll");
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (stdoutTo is null)
        {
            info.FileName = dotnet;
            info.ArgumentList.Add(program);
        }
        else
        {
            info.FileName = "/bin/sh";
            foreach (var arg in new[] { "-c", $"exec \"$0\" \"$@\" >{stdoutTo}", dotnet, program }) info.ArgumentList.Add(arg);
        }
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return new ChildRun(Process.Start(info) ?? throw new InvalidOperationException($"cannot start {dotnet}"));
    }
}

/// <summary>A running child process of the program, its output read as it comes.</summary>
public sealed class ChildRun : IDisposable
{
    private readonly StringBuilder _out = new(), _err = new();
    private readonly Task _reading;

    public Process Process { get; }

    public ChildRun(Process process)
    {
        Process = process;
        _reading = Task.WhenAll(Copy(process.StandardOutput, _out), Copy(process.StandardError, _err));
    }

    private static async Task Copy(StreamReader from, StringBuilder to)
    {
        var buffer = new char[4096];
        for (int n; (n = await from.ReadAsync(buffer)) > 0;)
            lock (to) to.Append(buffer, 0, n);
    }

    public bool HasExited => Process.HasExited;

    /// <summary>Waits for the process to end (failing the test after <paramref name="timeout"/>) and returns what it did.</summary>
    public ShellResult WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
        {
            Process.Kill(entireProcessTree: true);
            Assert.Fail($"the program did not end within {timeout.TotalSeconds} s; stderr: {Err}");
        }
        _reading.Wait(timeout);
        return new ShellResult(Process.ExitCode, Out, Err);
    }

    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Err { get { lock (_err) return _err.ToString(); } }

    /// <summary>Sends a POSIX signal (2 SIGINT, 15 SIGTERM) to the process.</summary>
    public void Signal(int signal) => Assert.Equal(0, Kill(Process.Id, signal));

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Waits until <paramref name="ready"/> holds, polling every 20 ms; fails the test if the process ends first or
    /// <paramref name="timeout"/> passes.</summary>
    public void WaitUntil(Func<bool> ready, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (Process.HasExited) Assert.Fail($"the program ended (exit {Process.ExitCode}) before {what}; stderr: {Err}");
            if (clock.Elapsed > timeout) Assert.Fail($"no {what} within {timeout.TotalSeconds} s");
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}

/// <summary>A fact that needs a Unix system (signals, <c>/bin/sh</c>) and, if named, a device such as <c>/dev/full</c>;
/// skipped with the reason elsewhere.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute(string? device = null)
    {
        if (OperatingSystem.IsWindows()) Skip = "needs POSIX signals and /bin/sh (a Unix system)";
        else if (device is not null && !File.Exists(device)) Skip = $"needs {device}, which this system does not have";
    }
}

/// <summary>A temporary folder that is its path wherever a path is expected, and is deleted when disposed.</summary>
public sealed class TempFolder(string path) : IDisposable
{
    public string Path => path;

    public static implicit operator string(TempFolder folder) => folder.Path;

    public override string ToString() => path;

    public void Dispose()
    {
        Directory.Delete(path, recursive: true);
    }
}
