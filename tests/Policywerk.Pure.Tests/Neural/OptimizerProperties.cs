using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Tests.Neural;

public class OptimizerProperties
{
    private static Params RandomParams(ulong seed, double scale, int length = 0)
    {
        var key = Key.FromSeed(seed);
        var (n, k) = key.NextInt(40);
        var v = new double[length > 0 ? length : n + 1];
        for (var i = 0; i < v.Length; i++) (v[i], k) = k.NextGaussian(0, scale);
        return Params.Own(Layout.Of(("w", [v.Length])), v);
    }

    [Property(MaxTest = 200)]
    public bool Clipping_never_increases_the_norm_and_keeps_the_direction(ulong seed, PositiveInt maxNorm10)
    {
        var g = RandomParams(seed, 3.0);
        var c = maxNorm10.Get / 10.0;
        var clipped = Clip.GlobalNorm(g, c);
        double before = g.GlobalNorm(), after = clipped.GlobalNorm();
        if (after > before * (1 + 1e-12) || after > c * (1 + 1e-12)) return false;
        // same direction: clipped = λ·g with one λ ∈ (0, 1]
        var lambda = after / before;
        for (var i = 0; i < g.Count; i++)
            if (Math.Abs(clipped.Span[i] - lambda * g.Span[i]) > 1e-12 * Math.Max(1, Math.Abs(g.Span[i]))) return false;
        return lambda > 0 && lambda <= 1 + 1e-12;
    }

    [Property(MaxTest = 200)]
    public bool Adams_first_step_moves_each_parameter_by_about_lr(ulong seed, PositiveInt lrInverse)
    {
        var theta = RandomParams(seed, 1.0);
        var g = RandomParams(seed ^ 0x5555, 1.0, theta.Count);
        var lr = 1.0 / (lrInverse.Get + 10);
        var (next, state) = Adam.Step(theta, g, AdamState.Init(theta), new AdamHyper(LearningRate: lr));
        for (var i = 0; i < theta.Count; i++)
        {
            var moved = theta.Span[i] - next.Span[i];
            // m̂ = g, v̂ = g²: the step is lr·g/(|g| + ε) ≈ lr·sign(g)
            var expected = lr * g.Span[i] / (Math.Abs(g.Span[i]) + 1e-8);
            if (Math.Abs(moved - expected) > 1e-12 || Math.Abs(Math.Abs(moved) - lr) > lr * (1e-9 + 2e-8 / Math.Abs(g.Span[i]))) return false;
        }
        return state.T == 1;
    }
}
