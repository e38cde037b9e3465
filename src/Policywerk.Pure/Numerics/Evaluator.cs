namespace Policywerk.Pure.Numerics;

/// <summary>
/// How two independent pure computations are evaluated. Pure code composes them with <see cref="Both"/>; whoever runs
/// it chooses the evaluator: <see cref="Sequential"/> (the default) runs one after the other on the calling thread, and
/// the shell's runs them on two threads. The two share no state and each keeps its own fixed order of operations, so
/// every evaluator gives the same bits; only the time differs.
/// </summary>
public interface IEvaluator
{
    /// <summary>(first(), second()).</summary>
    (A First, B Second) Both<A, B>(Func<A> first, Func<B> second);
}

/// <summary>first(), then second(), on the calling thread.</summary>
public sealed class Sequential : IEvaluator
{
    /// <summary>The one sequential evaluator.</summary>
    public static Sequential Instance { get; } = new();

    private Sequential() { }

    /// <inheritdoc/>
    public (A First, B Second) Both<A, B>(Func<A> first, Func<B> second)
    {
        var a = first();
        return (a, second());
    }
}
