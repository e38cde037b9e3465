using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;

namespace Policywerk.Shell.Loops;

/// <summary>What <see cref="TrainingLoop.Run"/> returns: one log per step, the parameters at the start, every
/// <c>block</c> steps and at the end, and the runner after the last step.</summary>
public sealed record TrainingRun<TRunner, TLog>(ImmutableArray<TLog> Logs, ImmutableArray<(int Step, Params Theta)> Snapshots, TRunner Final);

/// <summary>The shell's loop around a pure training step (a DQN episode, a PPO iteration).</summary>
public static class TrainingLoop
{
    /// <summary>
    /// runner_{k+1} = step(runner_k) for k = 0 … steps−1, keeping each step's log and snapshot(runner) at step 0, at
    /// every multiple of <paramref name="block"/> and at the end; a divergence stops the run with a
    /// <see cref="DivergenceError"/>.
    /// </summary>
    public static TrainingRun<TRunner, TLog> Run<TRunner, TLog>(TRunner start, int steps, int block,
        Func<TRunner, (TRunner Runner, TLog Log, Divergence? Diverged)> step, Func<TRunner, Params> snapshot,
        IProgress<double>? progress)
    {
        var runner = start;
        var logs = ImmutableArray.CreateBuilder<TLog>(steps);
        var snapshots = ImmutableArray.CreateBuilder<(int, Params)>();
        snapshots.Add((0, snapshot(runner)));
        for (var k = 0; k < steps; k++)
        {
            var (next, log, diverged) = step(runner);
            if (diverged is { } d) throw new DivergenceError(d.Message);
            runner = next;
            logs.Add(log);
            if ((k + 1) % block == 0 || k + 1 == steps) snapshots.Add((k + 1, snapshot(runner)));
            progress?.Report((k + 1.0) / steps);
        }
        return new TrainingRun<TRunner, TLog>(logs.MoveToImmutable(), snapshots.ToImmutable(), runner);
    }
}
