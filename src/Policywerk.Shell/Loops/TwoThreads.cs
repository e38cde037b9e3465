using Policywerk.Pure.Numerics;

namespace Policywerk.Shell.Loops;

/// <summary>
/// The shell's <see cref="IEvaluator"/>: <see cref="Both"/> runs the first computation on the thread pool and the second
/// on the calling thread, then waits for the first. The two are pure and share nothing, so the results are the bits the
/// <see cref="Sequential"/> evaluator gives; on a machine with two free cores the time is the longer of the two.
/// </summary>
public sealed class TwoThreads : IEvaluator
{
    /// <summary>The one two-thread evaluator.</summary>
    public static TwoThreads Instance { get; } = new();

    private TwoThreads() { }

    /// <inheritdoc/>
    public (A First, B Second) Both<A, B>(Func<A> first, Func<B> second)
    {
        var task = Task.Run(first);
        var b = second();
        return (task.GetAwaiter().GetResult(), b);
    }
}
