using Policywerk.Shell.Cli;
using Policywerk.Shell.Lessons;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Policywerk.Shell;

public static class Program
{
    public static int Main(string[] args)
    {
        WriteGuard.GuardStandardOutput(); // before the console is made from it
        var console = AnsiConsole.Console;
        // redirected output wraps at a fixed width instead of the 80 columns a console without a terminal assumes
        if (Console.IsOutputRedirected) console.Profile.Width = Narration.RedirectedWidth;
        using var interrupts = Interrupts.Register(Console.Error);
        var code = Run(args, console, Console.Error);
        Interrupts.Hold();
        return code;
    }

    /// <summary>The whole program, with its console and error stream passed in (so tests can run it).</summary>
    public static int Run(string[] args, IAnsiConsole console, TextWriter stderr)
    {
        var app = new Spectre.Console.Cli.CommandApp(new Registrar(console));
        app.Configure(config =>
        {
            config.SetApplicationName("policywerk");
            config.ConfigureConsole(console);
            config.UseStrictParsing();
            config.SetExceptionHandler((exception, _) =>
            {
                Interrupts.Hold();
                return ExitCodes.Report(exception, stderr);
            });
            config.AddCommand<ListCommand>("list").WithDescription("List the seven lessons.");
            config.AddCommand<LessonCommand>("lesson").WithDescription("Run one lesson: train, print what it learned, write its pictures. What if? --set changes a setting (--params lists them); --runs K --vs name=value trains K seeds with the defaults and with the variant and compares them run by run.")
                .WithExample("lesson", "1").WithExample("lesson", "1", "--seed", "7", "--out", "pictures")
                .WithExample("lesson", "4", "--params").WithExample("lesson", "4", "--set", "epsilon=0.01")
                .WithExample("lesson", "3", "--runs", "20", "--vs", "lambda=0.9").WithExample("lesson", "5", "--save", "dqn.json").WithExample("lesson", "7", "--runs", "6", "--vs", "horizon=5");
            config.AddCommand<EvaluateCommand>("evaluate").WithDescription("Evaluate a saved model (lesson N --save FILE) with the lesson's greedy evaluation, without training.")
                .WithExample("evaluate", "5", "--load", "dqn.json").WithExample("evaluate", "4", "--load", "q.json", "--episodes", "5");
            config.AddCommand<WatchCommand>("watch").WithDescription("Replay a saved model's greedy episodes step by step in the terminal, without training.")
                .WithExample("watch", "4", "--load", "q.json").WithExample("watch", "5", "--load", "dqn.json", "--delay", "50");
            config.AddCommand<AllCommand>("all").WithDescription("Run every lesson in order.");
            config.AddCommand<ExperimentCommand>("experiment").WithDescription("Run a many-seed experiment (a paper figure): table with mean and 95% interval, and a PNG; `experiment list` names them. --vs name=value runs it again with the variant on the same run keys and compares them run by run.")
                .WithExample("experiment", "list").WithExample("experiment", "cliff", "--params")
                .WithExample("experiment", "cliff", "--runs", "20", "--vs", "epsilon=0.01");
            config.AddCommand<GuideCommand>("guide").WithDescription("Write a lesson's guide (docs/lessons/NN-name.md) from its seed-42 run; `guide all` for every lesson.")
                .WithExample("guide", "4").WithExample("guide", "all");
            config.AddCommand<BenchCommand>("bench").WithDescription("Time each lesson's training and evaluation (pictures excluded), or with --pictures the writing of its three pictures; use a Release build.")
                .WithExample("bench", "1", "--runs", "10").WithExample("bench", "--pictures");
        });
        return app.Run(args);
    }
}
