using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Tests.Kit;

/// <summary>An evaluator that runs the second computation before the first: if the two halves of a sharded step shared
/// anything, its result would differ from <see cref="Sequential"/>'s.</summary>
public sealed class ReversedEvaluator : IEvaluator
{
    public (A First, B Second) Both<A, B>(Func<A> first, Func<B> second)
    {
        var b = second();
        return (first(), b);
    }
}
