using Policywerk.Pure.Numerics;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Lessons;
using Spectre.Console;

namespace Policywerk.Shell.Experiments;

/// <summary>Validated options of <c>experiment NAME</c>.</summary>
public sealed record ExperimentOptions(int Runs, ulong Seed, string OutDir, bool Pictures, bool Quiet);

/// <summary>
/// A many-seed experiment: <see cref="Compute"/> runs every independent run (in parallel over split keys,
/// see <see cref="ParallelRuns"/>) and returns the aggregated result; the result prints itself and writes
/// its figure. Same <c>--seed</c>, same result, whatever the core count.
/// </summary>
public interface IExperiment : ISettable<IExperiment>
{
    string Name { get; }
    string Description { get; }
    int DefaultRuns { get; }

    IExperimentResult Compute(int runs, ulong seed, IProgress<double> progress);

    /// <summary>The worlds <c>--world</c> may choose, the first the default; none: the experiment has one world.</summary>
    IReadOnlyList<string> Worlds => [];

    /// <summary>The experiment on <paramref name="world"/>, one of <see cref="Worlds"/>.</summary>
    IExperiment OnWorld(string world) => this;
}

public interface IExperimentResult
{
    /// <summary>The printed table as data (a record per experiment, e.g. <see cref="CliffTable"/>): what snapshot tests compare.</summary>
    object Table { get; }
    void Print(IAnsiConsole console);
    IEnumerable<string> Headline();

    /// <summary>Stages the experiment's figure(s), e.g. <c>figure.png</c>.</summary>
    void WritePictures(PictureWriter writer);

    /// <summary>The numbers per run that <c>--vs</c> pairs run by run (its headline metrics).</summary>
    IReadOnlyList<RunMetric> Metrics { get; }

    /// <summary>The curves per run that <c>--vs</c> draws for both arms; none: it draws the metrics' runs.</summary>
    IReadOnlyList<RunCurves> Curves => [];

    /// <summary>What <c>--log FILE</c> writes: one row per run and λ, α, n, episode… of the experiment's table, the run's
    /// index and the seed in front (<see cref="Logs.RunLog.PerRun"/>); the columns are documented in docs/logs.md. An
    /// experiment without a log of its own writes its <see cref="Metrics"/> (<see cref="Logs.RunLog.OfMetrics"/>).</summary>
    Logs.RunLog Log => Logs.RunLog.OfMetrics(Metrics);
}

/// <summary>Independent runs on all cores: run i always gets key i of <c>Key.FromSeed(seed).Split(runs)</c>
/// and results come back in run order, so the outcome does not depend on scheduling.</summary>
public static class ParallelRuns
{
    public static T[] Map<T>(ulong seed, int runs, Func<int, Key, T> run, IProgress<double>? progress = null)
    {
        var keys = Key.FromSeed(seed).Split(runs);
        var results = new T[runs];
        var done = 0;
        Parallel.For(0, runs, i =>
        {
            results[i] = run(i, keys[i]);
            var finished = Interlocked.Increment(ref done);
            progress?.Report((double)finished / runs);
        });
        return results;
    }
}

/// <summary>The experiments, by name.</summary>
public static class ExperimentCatalog
{
    public static readonly IReadOnlyList<IExperiment> All =
    [
        new Sutton88Figure3(), new Sutton88Figure5(), new NStepExperiment(), new CliffExperiment(),
        new ExplorationExperiment(), new DqnExperiment(), new PpoExperiment(), new DreamerExperiment(),
    ];

    public static IExperiment? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
}
