using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

/// <summary>End-to-end learning with fixed keys: thresholds a broken backward pass or optimizer would miss.</summary>
public class LearningTests
{
    [Fact]
    public void Mlp_learns_xor()
    {
        var mlp = Mlp.Create([2, 8, 1], Activation.Tanh);
        var (theta, _) = mlp.Init(Key.FromSeed(7));
        var x = Mat.FromRows([0, 0], [0, 1], [1, 0], [1, 1]);
        var y = Mat.FromRows([0], [1], [1], [0]);
        var adam = AdamState.Init(theta);
        var hyper = new AdamHyper(LearningRate: 0.05);
        for (var step = 0; step < 400; step++)
        {
            var cache = mlp.Forward(theta, x);
            var loss = Losses.BinaryCrossEntropyWithLogits(cache.Output, y);
            (theta, adam) = Adam.Step(theta, mlp.Backward(theta, cache, loss.Grad).Grads, adam, hyper);
        }
        var p = mlp.Predict(theta, x);
        for (var i = 0; i < 4; i++)
        {
            var prob = Activations.Sigmoid(p[i, 0]);
            Assert.True(Math.Abs(prob - y[i, 0]) < 0.1, $"XOR case {i}: p = {prob:F3}, want {y[i, 0]}");
        }
    }

    [Fact]
    public void Mlp_fits_sine_on_minus_pi_to_pi()
    {
        const int n = 64;
        var xs = new double[n];
        var ys = new double[n];
        for (var i = 0; i < n; i++)
        {
            xs[i] = -Math.PI + 2 * Math.PI * i / (n - 1);
            ys[i] = Math.Sin(xs[i]);
        }
        var x = Mat.Own(n, 1, xs);
        var y = Mat.Own(n, 1, ys);
        var mlp = Mlp.Create([1, 24, 1], Activation.Tanh);
        var (theta, _) = mlp.Init(Key.FromSeed(8));
        var adam = AdamState.Init(theta);
        var hyper = new AdamHyper(LearningRate: 0.02);
        var first = double.NaN;
        var last = double.NaN;
        for (var step = 0; step < 1500; step++)
        {
            var cache = mlp.Forward(theta, x);
            var loss = Losses.Mse(cache.Output, y);
            if (step == 0) first = loss.Value;
            last = loss.Value;
            (theta, adam) = Adam.Step(theta, mlp.Backward(theta, cache, loss.Grad).Grads, adam, hyper);
        }
        Assert.True(last < 2e-3, $"sine fit MSE {last:E3} (started at {first:E3})");
    }

    [Fact]
    public void Same_key_same_bits()
    {
        static Params Train(ulong seed)
        {
            var mlp = Mlp.Create([3, 16, 2], Activation.Relu);
            var (theta, key) = mlp.Init(Key.FromSeed(seed));
            var adam = AdamState.Init(theta);
            for (var step = 0; step < 20; step++)
            {
                var x = Check.Gaussian(ref key, 8, 3);
                var cache = mlp.Forward(theta, x);
                var loss = Losses.Huber(cache.Output, Check.Gaussian(ref key, 8, 2));
                (theta, adam) = Adam.Step(theta, mlp.Backward(theta, cache, loss.Grad).Grads, adam, new AdamHyper(0.01));
            }
            return theta;
        }
        Assert.Equal(Train(1), Train(1));
        Assert.NotEqual(Train(1), Train(2));
    }
}
