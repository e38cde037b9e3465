using System.Runtime.InteropServices;
using Policywerk.Shell.Pictures;

namespace Policywerk.Shell.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM. Training is a pure fold that cannot be asked to stop, so the process ends itself: the
/// handler removes this process's staging folders (waiting for a commit in progress, see <see cref="StagingFolder"/>),
/// prints <c>interrupted</c> on stderr and exits with <see cref="ExitCodes.Interrupted"/> (130) or
/// <see cref="ExitCodes.Terminated"/> (143). Pictures committed earlier stay as they are.
/// </summary>
public static class Interrupts
{
    private static volatile bool s_stopping;

    /// <summary>Handles SIGINT and SIGTERM until the result is disposed; <paramref name="stderr"/> gets the one line.</summary>
    public static IDisposable Register(TextWriter stderr)
    {
        try
        {
            return new Registrations(
                PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stderr)),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stderr)));
        }
        catch (PlatformNotSupportedException)
        {
            return new Registrations(); // the runtime's own handling: the process ends, a staging folder may stay
        }
    }

    /// <summary>Called by the main thread before it reports an error or returns: once the handler has begun, the process
    /// ends with its exit code and its line, not with the main thread's (whose files the handler may just have removed).</summary>
    public static void Hold()
    {
        if (s_stopping) Thread.Sleep(Timeout.Infinite);
    }

    private static void Stop(PosixSignalContext context, TextWriter stderr)
    {
        context.Cancel = true;
        s_stopping = true;
        var code = context.Signal == PosixSignal.SIGINT ? ExitCodes.Interrupted : ExitCodes.Terminated;
        StagingFolder.RemoveAllThen(() =>
        {
            try
            {
                if (!Console.IsOutputRedirected) Console.CursorVisible = true; // a progress bar hides it
                if (!Console.IsErrorRedirected) stderr.WriteLine(); // not after ^C or the progress bar on the same line
                stderr.WriteLine("interrupted");
                stderr.Flush();
            }
            catch (Exception e) when (e is IOException or PlatformNotSupportedException)
            {
                // nowhere to say it; the exit code still does
            }
            Environment.Exit(code);
        });
    }

    private sealed class Registrations(params IDisposable[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations) registration.Dispose();
        }
    }
}
