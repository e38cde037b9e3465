namespace Policywerk.Shell.Loops;

/// <summary>
/// Training stopped because a value became NaN or infinite. The loops and lessons throw it; the command line
/// (<c>Cli.ExitCodes</c>) reports it as one line with exit code 3. It lives beside the loops, not in <c>Cli</c>, so
/// that the lessons need nothing from the command line that runs them.
/// </summary>
public sealed class DivergenceError(string message) : Exception(message);
