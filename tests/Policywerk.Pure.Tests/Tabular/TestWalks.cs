using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Tests.Tabular;

/// <summary>Shared test data: the lessons' random walk and a hand-built episode of it (generated walks and values come from
/// Policywerk.Testing's <c>Generators</c>).</summary>
internal static class TestWalks
{
    public static readonly RandomWalk Walk = new();

    /// <summary>C → D → E → right end (+1): the spec's hand-worked walk.</summary>
    public static Trajectory<int, int> CToRight { get; } = new(ImmutableArray.Create(
        new Transition<int, int>(3, 1, 0.0, 1.0, 4, false),
        new Transition<int, int>(4, 1, 0.0, 1.0, 5, false),
        new Transition<int, int>(5, 1, 1.0, 0.0, 6, true)));
}
