using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

/// <summary>
/// Kernels allocate some output buffers uninitialised; every element must be written. Poisoning the heap with NaN
/// garbage between two identical computations would expose a missed element as a NaN or a changed bit.
/// </summary>
public class BufferHygieneTests
{
    private static void PoisonHeap()
    {
        // churn through gen 0 with NaN-filled arrays (no forced collection, so the memory is reused, not released)
        var keep = 0.0;
        for (var round = 0; round < 4000; round++)
        {
            var a = new double[64 + round % 3000];
            Array.Fill(a, double.NaN);
            keep += a.Length;
        }
        Assert.True(keep > 0);
    }

    private static ImmutableArray<double> Everything()
    {
        var key = Key.FromSeed(80);
        var mlp = Mlp.Create([40, 30, 3], Activation.Relu);
        var (theta, k1) = mlp.Init(key);
        key = k1;
        var x = Check.Gaussian(ref key, 5, 40);
        var cache = mlp.Forward(theta, x);
        var back = mlp.Backward(theta, cache, Check.Gaussian(ref key, 5, 3), inputGradient: true);
        var (stepped, adam) = Adam.Step(theta, back.Grads, AdamState.Init(theta), new AdamHyper(0.01));
        var gru = new Gru(20, 16);
        var (gTheta, k2) = gru.Init(key);
        key = k2;
        var xs = ImmutableArray.Create(Check.Gaussian(ref key, 2, 20), Check.Gaussian(ref key, 2, 20), Check.Gaussian(ref key, 2, 20));
        var seq = gru.Forward(gTheta, xs, Check.Gaussian(ref key, 2, 16));
        var bptt = gru.Backward(gTheta, seq, Check.Gaussian(ref key, 6, 16));
        var all = new List<double>();
        foreach (var part in new[] { cache.Output.Values, back.Grads.Values, back.DInput!.Values, stepped.Values, adam.M.Values, adam.V.Values,
                     seq.H.Values, seq.Gates.Values, bptt.Grads.Values, bptt.DX.Values, bptt.DH0.Values })
            all.AddRange(part);
        return all.ToImmutableArray();
    }

    [Fact]
    public void Uninitialised_buffers_are_fully_written()
    {
        var first = Everything();
        PoisonHeap();
        var second = Everything();
        foreach (var v in second) Assert.False(double.IsNaN(v));
        Assert.True(first.AsSpan().SequenceEqual(second.AsSpan()));
    }
}
