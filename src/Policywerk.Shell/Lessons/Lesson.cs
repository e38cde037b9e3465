using Policywerk.Shell.Pictures;
using Spectre.Console;

namespace Policywerk.Shell.Lessons;

/// <summary>What the shell knows about a lesson before running it.</summary>
public sealed record LessonInfo(int Number, string Slug, string Paper, string Algorithm, string World);

/// <summary>A runnable lesson: training plus evaluation is <see cref="Train"/> (no I/O, no pictures, so
/// <c>bench</c> can time exactly that); everything the user sees comes from the returned run.</summary>
public interface ILesson : ISettable<ILesson>
{
    LessonInfo Info { get; }

    /// <summary>Trains and evaluates with the lesson's default hyperparameters; reports progress in [0, 1].</summary>
    ILessonRun Train(ulong seed, IProgress<double> progress);
}

/// <summary>One knob of a lesson as the command line shows it: name, symbol, meaning, range, whole number or not, default.</summary>
public sealed record Setting(string Name, string Symbol, string Meaning, double Min, double Max, bool Integer, double Default)
{
    /// <summary>The knobs of a configuration record with their values in <paramref name="defaults"/>.</summary>
    public static IReadOnlyList<Setting> Of<TConfig>(IReadOnlyList<Policywerk.Pure.Numerics.Knob<TConfig>> knobs, TConfig defaults) =>
        knobs.Select(k => new Setting(k.Name, k.Symbol, k.Meaning, k.Min, k.Max, k.Integer, k.Get(defaults))).ToArray();

    /// <summary>The value is a number within [Min, Max] (and whole, for a whole-number setting).</summary>
    public bool Allows(double value) => double.IsFinite(value) && value >= Min && value <= Max && (!Integer || value == Math.Floor(value));
}

/// <summary>Something whose hyperparameters can be set from the command line (<c>--set</c>, <c>--vs</c>, <c>--params</c>):
/// a lesson or an experiment.</summary>
public interface ISettable<out T>
{
    /// <summary>Every hyperparameter, with its default.</summary>
    IReadOnlyList<Setting> Settings { get; }

    /// <summary>A copy with these values set; every name is one of <see cref="Settings"/> and every value allowed.</summary>
    T With(IReadOnlyList<(string Name, double Value)> values);

    /// <summary>Why these values cannot go together (one line), or null if they can.</summary>
    string? Conflict(IReadOnlyList<(string Name, double Value)> values) => null;
}


/// <summary>One headline number of a lesson run, and which way is better.</summary>
public sealed record Measure(string Name, double Value, bool HigherIsBetter);

/// <summary>The outcome of one lesson run.</summary>
public interface ILessonRun
{
    /// <summary>The printed results as data (a record per lesson, e.g. <see cref="BellmanResults"/>): what snapshot tests compare.</summary>
    object Results { get; }

    /// <summary>Full tables (what <c>--brief</c> prints).</summary>
    void Print(IAnsiConsole console);

    /// <summary>The lesson as it teaches: its sections (the idea, the world, the update, a worked example from this run,
    /// what the results mean with the tables, what to try next). A lesson without a narrative prints its tables.</summary>
    void Narrate(IAnsiConsole console) => Print(console);

    /// <summary>The headline: the few lines <c>--quiet</c> prints instead of the tables.</summary>
    IEnumerable<string> Headline();

    /// <summary>The headline as numbers (what <c>lesson N --runs K --vs …</c> compares run by run).</summary>
    IReadOnlyList<Measure> Measures { get; }

    /// <summary>Stages the lesson's pictures (artifact.gif, poster.png, trace.png).</summary>
    void WritePictures(PictureWriter writer);

    /// <summary>What the run recorded, one row per sweep, episode or iteration (what <c>--log FILE</c> writes; the columns
    /// are documented in docs/logs.md).</summary>
    Logs.RunLog Log { get; }
}

/// <summary>One line of the <see cref="Catalog"/>: what the shell shows about a lesson, and the lesson that runs.</summary>
public sealed record CatalogEntry(LessonInfo Info, ILesson Lesson);

/// <summary>The seven lessons, in course order, in one list.</summary>
public static class Catalog
{
    /// <summary>Every lesson, in order: entry i is lesson i + 1.</summary>
    public static readonly IReadOnlyList<CatalogEntry> Lessons =
    [
        new(new(1, "01_bellman", "Bellman 1957", "value iteration, policy iteration", "5×5 gridworld"), new Lesson01Bellman()),
        new(new(2, "02_barto_sutton", "Barto, Sutton & Anderson 1983", "ACE/ASE actor-critic", "pole balance (36 boxes)"), new Lesson02BartoSutton()),
        new(new(3, "03_td_learning", "Sutton 1988", "TD(0), TD(λ), Monte Carlo", "5-state random walk"), new Lesson03TemporalDifference()),
        new(new(4, "04_q_learning", "Watkins 1989", "Q-learning vs SARSA", "4×12 cliff world"), new Lesson04QLearning()),
        new(new(5, "05_dqn", "Mnih et al. 2013", "DQN", "8×10 mini Breakout"), new Lesson05Dqn()),
        new(new(6, "06_ppo", "Schulman et al. 2017", "PPO", "continuous balance"), new Lesson06Ppo()),
        new(new(7, "07_dreamer", "Hafner et al. 2023", "Dreamer-style world model", "16×16 pixel point-mass"), new Lesson07Dreamer()),
    ];

    /// <summary>What the shell shows about lesson <paramref name="number"/> (1 to 7).</summary>
    public static LessonInfo Info(int number) => Lessons[number - 1].Info;

    /// <summary>Lesson <paramref name="number"/> (1 to 7) with its default hyperparameters.</summary>
    public static ILesson Lesson(int number) => Lessons[number - 1].Lesson;
}

/// <summary>A lesson that runs on any grid map (<c>--map</c>): lessons 01 and 04.</summary>
public interface IMappableLesson
{
    /// <summary>The map the lesson runs on.</summary>
    Policywerk.Pure.Worlds.NamedMap Map { get; }

    /// <summary>The lesson on <paramref name="map"/>, its settings unchanged.</summary>
    ILesson WithMap(Policywerk.Pure.Worlds.NamedMap map);
}
