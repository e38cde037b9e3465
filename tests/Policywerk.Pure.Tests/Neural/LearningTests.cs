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

/// <summary>A GRU learns a delay line: output at step t the input from step t − k.</summary>
public class GruLearningTests
{
    [Fact]
    public void Gru_learns_to_output_its_input_from_k_steps_ago()
    {
        const int k = 2, steps = 10, batch = 16, hidden = 12;
        var gru = new Gru(1, hidden);
        var readout = new Dense(hidden, 1);
        var (gruTheta, key) = gru.Init(Key.FromSeed(50));
        var (outTheta, key2) = readout.Init(key);
        key = key2;
        // one buffer, one Adam state for both nets
        var theta = Params.Concat(new Named("gru", gruTheta), new Named("out", outTheta));
        var adam = AdamState.Init(theta);
        var hyper = new AdamHyper(LearningRate: 0.01);
        double loss = double.NaN;
        for (var iteration = 0; iteration < 400; iteration++)
        {
            var (xs, target, mask) = DelayBatch(ref key, k, steps, batch);
            var gruP = theta.Part("gru");
            var outP = theta.Part("out");
            var cache = gru.Forward(gruP, xs, Mat.Zeros(batch, hidden));
            var y = readout.Forward(outP, cache.H);
            // masked MSE over the steps t ≥ k (earlier outputs have nothing to copy)
            var dy = new double[y.Values.Length];
            var sum = 0.0;
            var count = 0;
            for (var i = 0; i < dy.Length; i++)
            {
                if (mask[i] == 0) continue;
                var e = y.Values[i] - target[i];
                sum += e * e;
                count++;
            }
            for (var i = 0; i < dy.Length; i++) dy[i] = mask[i] * 2 * (y.Values[i] - target[i]) / count;
            loss = sum / count;
            var dOut = readout.Backward(outP, cache.H, Mat.Own(y.Rows, 1, dy));
            var dGru = gru.Backward(gruP, cache, dOut.DInput!);
            var grads = Params.Concat(new Named("gru", dGru.Grads), new Named("out", dOut.Grads));
            (theta, adam) = Adam.Step(theta, Clip.GlobalNorm(grads, 5.0), adam, hyper);
        }
        // inputs are ±1, so always predicting 0 scores MSE 1
        Assert.True(loss < 0.002, $"delay-{k} copy MSE {loss:F4}");
    }

    private static (ImmutableArray<Mat> Xs, double[] Target, double[] Mask) DelayBatch(ref Key key, int k, int steps, int batch)
    {
        var x = new double[steps * batch];
        for (var i = 0; i < x.Length; i++)
        {
            (var bit, key) = key.NextBernoulli(0.5);
            x[i] = bit ? 1.0 : -1.0;
        }
        var target = new double[steps * batch];
        var mask = new double[steps * batch];
        for (var t = k; t < steps; t++)
            for (var b = 0; b < batch; b++)
            {
                target[t * batch + b] = x[(t - k) * batch + b];
                mask[t * batch + b] = 1.0;
            }
        var xs = new Mat[steps];
        for (var t = 0; t < steps; t++) xs[t] = Mat.From(batch, 1, x.AsSpan(t * batch, batch));
        return (xs.ToImmutableArray(), target, mask);
    }
}
