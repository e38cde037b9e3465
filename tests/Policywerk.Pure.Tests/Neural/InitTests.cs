using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

public class InitTests
{
    [Theory]
    [InlineData(6, 3)]
    [InlineData(3, 6)]
    [InlineData(4, 4)]
    public void Orthogonal_has_orthonormal_columns_or_rows(int rows, int cols)
    {
        var (w, next) = Init.Orthogonal(Key.FromSeed(70), rows, cols, gain: 2.0);
        Assert.NotEqual(Key.FromSeed(70), next);
        var tall = rows >= cols;
        var m = tall ? cols : rows;
        for (var a = 0; a < m; a++)
            for (var b = 0; b < m; b++)
            {
                var dot = 0.0;
                var n = tall ? rows : cols;
                for (var i = 0; i < n; i++)
                    dot += tall ? w[i * cols + a] * w[i * cols + b] : w[a * cols + i] * w[b * cols + i];
                Assert.Equal(a == b ? 4.0 : 0.0, dot, 12); // gain² on the diagonal
            }
    }

    [Fact]
    public void Glorot_stays_in_its_bound_and_he_has_its_variance()
    {
        var (g, _) = Init.Glorot(Key.FromSeed(71), 30, 10, 5000);
        var bound = Math.Sqrt(6.0 / 40);
        foreach (var v in g) Assert.InRange(v, -bound, bound);
        var (h, _) = Init.He(Key.FromSeed(72), 50, 20000);
        var sumSq = 0.0;
        foreach (var v in h) sumSq += v * v;
        Assert.Equal(2.0 / 50, sumSq / h.Length, 0.003);
    }

    [Fact]
    public void Mlp_init_draws_different_layers_and_zero_biases_and_returns_a_fresh_key()
    {
        var mlp = Mlp.Create([4, 4, 4], Activation.Tanh);
        var (theta, next) = mlp.Init(Key.FromSeed(73), Initializer.Orthogonal, outputGain: 0.01);
        Assert.NotEqual(Key.FromSeed(73), next);
        Assert.False(theta["0.W"].SequenceEqual(theta["1.W"]));
        foreach (var b in theta["0.b"]) Assert.Equal(0.0, b);
        Assert.True(Math.Abs(theta["1.W"][0]) < 0.02);
        var (again, _) = mlp.Init(Key.FromSeed(73), Initializer.Orthogonal, outputGain: 0.01);
        Assert.Equal(theta, again);
    }

    [Fact]
    public void Hand_computed_categorical_and_clip_values()
    {
        Assert.Equal(Math.Log(4), Categorical.Entropy([0.3, 0.3, 0.3, 0.3]), 14);
        Assert.Equal(Math.Log(0.25), Categorical.LogProb([1.0, 1.0, 1.0, 1.0], 2), 14);
        var g = Params.Own(Layout.Of(("w", [2])), [3.0, 4.0]);
        var clipped = Clip.GlobalNorm(g, 1.0);
        Assert.Equal(0.6, clipped.Span[0], 15);
        Assert.Equal(0.8, clipped.Span[1], 15);
        Assert.Same(g, Clip.GlobalNorm(g, 10.0));
    }
}
