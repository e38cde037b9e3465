using Policywerk.Shell.Loops;

namespace Policywerk.Shell.Cli;

/// <summary>Bad input from the user: reported as one line on stderr with exit code 2, never a stack trace.</summary>
public sealed class UserError(string message) : Exception(message);

/// <summary>Exit codes of the program.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Internal = 1;
    public const int BadInput = 2;
    public const int Diverged = 3;

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
            _ => (Internal, $"internal error ({exception.GetType().Name}): {OneLine(exception.Message)}"),
        };
        stderr.WriteLine($"error: {line}");
        return code;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
