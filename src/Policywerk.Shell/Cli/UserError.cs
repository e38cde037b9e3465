using Policywerk.Shell.Loops;

namespace Policywerk.Shell.Cli;

/// <summary>Bad input from the user: reported as one line on stderr with exit code 2, never a stack trace.</summary>
public sealed class UserError(string message) : Exception(message);

/// <summary>A file, folder or stream that cannot be written (a full disk, a lost permission, a closed or full standard
/// output): reported as <c>error: cannot write PATH: CAUSE</c> with exit code 1, never a stack trace.</summary>
public sealed class WriteError(string path, Exception cause) : Exception($"cannot write {path}: {Cause(cause)}", cause)
{
    /// <summary>The cause without the path .NET appends to an operating-system error (<c>No space left on device : 'PATH'</c>).</summary>
    private static string Cause(Exception e)
    {
        var message = e.Message.Trim();
        var appended = message.IndexOf(" : '", StringComparison.Ordinal);
        return appended > 0 && message.EndsWith('\'') ? message[..appended] : message;
    }
}

/// <summary>Exit codes of the program.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Internal = 1;
    /// <summary>A <see cref="WriteError"/>: the run failed, through no fault in its input.</summary>
    public const int CannotWrite = 1;
    public const int BadInput = 2;
    public const int Diverged = 3;
    /// <summary>Stopped by Ctrl-C (SIGINT): 128 + 2, as a shell reports it.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;

    /// <summary>Turns any exception that reaches the top into one line on stderr and an exit code.</summary>
    public static int Report(Exception exception, TextWriter stderr)
    {
        if (exception is AggregateException { InnerExceptions.Count: > 0 } many) // runs on several cores: report the first failure
            return Report(many.Flatten().InnerExceptions[0], stderr);
        var (code, line) = exception switch
        {
            UserError e => (BadInput, e.Message),
            Spectre.Console.Cli.CommandParseException e => (BadInput, OneLine(e.Message)),
            Spectre.Console.Cli.CommandRuntimeException e => (BadInput, OneLine(e.Message)),
            DivergenceError e => (Diverged, e.Message),
            WriteError e => (CannotWrite, OneLine(e.Message)),
            _ => (Internal, $"internal error ({exception.GetType().Name}): {OneLine(exception.Message)}"),
        };
        stderr.WriteLine($"error: {line}");
        return code;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
