using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Tests.Tabular;

/// <summary>Shared test data: hand-built and key-generated random walks.</summary>
internal static class TestWalks
{
    public static readonly RandomWalk Walk = new();

    /// <summary>C → D → E → right end (+1): the spec's hand-worked walk.</summary>
    public static Trajectory<int, int> CToRight { get; } = new(ImmutableArray.Create(
        new Transition<int, int>(3, 1, 0.0, 1.0, 4, false),
        new Transition<int, int>(4, 1, 0.0, 1.0, 5, false),
        new Transition<int, int>(5, 1, 1.0, 0.0, 6, true)));

    /// <summary>Random values in [0, 1) for the walk states, terminals 0.</summary>
    public static VTable RandomValues(Key key)
    {
        var v = new double[Walk.StateCount];
        for (var s = 1; s <= Walk.Size; s++)
        {
            var (u, next) = key.NextDouble();
            v[s] = u;
            key = next;
        }
        return new VTable(ImmutableArray.Create(v));
    }
}
