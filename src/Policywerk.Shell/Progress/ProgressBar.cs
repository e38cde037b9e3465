using Spectre.Console;

namespace Policywerk.Shell.Progress;

/// <summary>Runs long work behind a Spectre progress bar on a terminal; silently when output is redirected
/// or <c>--quiet</c> is given.</summary>
public static class ProgressBar
{
    /// <summary>Runs <paramref name="work"/>, showing its reports in [0, 1] as a bar labelled <paramref name="label"/> when
    /// <paramref name="show"/> is set and the console is an interactive terminal, and returns what the work returns.</summary>
    public static T Run<T>(IAnsiConsole console, string label, bool show, Func<IProgress<double>, T> work)
    {
        var interactive = show && console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        if (!interactive) return work(None);
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1.0);
                result = work(new Reporter(task));
                task.Value = 1.0;
            });
        return result;
    }

    /// <summary>Reports synchronously (System.Progress posts to the thread pool, which would lag the bar).</summary>
    private sealed class Reporter(ProgressTask task) : IProgress<double>
    {
        public void Report(double value) => task.Value = Math.Clamp(value, 0, 1);
    }

    /// <summary>A progress sink that ignores every report (for bench and tests).</summary>
    public static readonly IProgress<double> None = new Silent();

    private sealed class Silent : IProgress<double>
    {
        public void Report(double value) { }
    }
}
