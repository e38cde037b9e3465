using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

public class LayerGradientTests
{
    [Fact]
    public void Gru_bptt_gradients_through_time_match_central_differences()
    {
        var key = Key.FromSeed(20);
        var gru = new Gru(3, 4);
        var (theta, k1) = gru.Init(key);
        key = k1;
        theta = theta.Add(Params.Own(theta.Layout, Check.Uniform(ref key, theta.Count, -0.3, 0.3)));
        const int steps = 5, batch = 2;
        var xs = new Mat[steps];
        for (var t = 0; t < steps; t++) xs[t] = Check.Gaussian(ref key, batch, 3);
        var h0 = Check.Gaussian(ref key, batch, 4, 0.5);
        var r = Check.Gaussian(ref key, steps * batch, 4); // a loss on every hidden state
        var cache = gru.Forward(theta, xs.ToImmutableArray(), h0);
        var g = gru.Backward(theta, cache, r);

        double Loss(Params th, ImmutableArray<Mat> x, Mat h) => Check.Probe(r, gru.Forward(th, x, h).H);
        Check.Gradient(v => Loss(Check.With(theta, v), xs.ToImmutableArray(), h0), theta.Span, g.Grads.Span);
        Check.Gradient(v => Loss(theta, xs.ToImmutableArray(), Mat.Own(batch, 4, v)), h0.Span, g.DH0.Span);
        var stacked = Mat.StackRows(xs);
        Check.Gradient(v =>
        {
            var m = Mat.Own(steps * batch, 3, v);
            var seq = new Mat[steps];
            for (var t = 0; t < steps; t++) seq[t] = m.SliceRows(t * batch, batch);
            return Loss(theta, seq.ToImmutableArray(), h0);
        }, stacked.Span, g.DX.Span);
    }

    [Fact]
    public void Gru_loss_on_the_last_state_only_reaches_the_first_input()
    {
        var key = Key.FromSeed(21);
        var gru = new Gru(2, 3);
        var (theta, k1) = gru.Init(key);
        key = k1;
        var xs = new Mat[6];
        for (var t = 0; t < 6; t++) xs[t] = Check.Gaussian(ref key, 1, 2);
        var cache = gru.Forward(theta, xs.ToImmutableArray(), Mat.Zeros(1, 3));
        var dH = new double[6 * 3];
        dH[5 * 3] = 1.0; // ∂L/∂h_6[0] = 1
        var g = gru.Backward(theta, cache, Mat.Own(6, 3, dH));
        Assert.NotEqual(0.0, g.DX[0, 0]);
        Assert.Equal(cache.Last, gru.Step(theta, xs[5], cache.Hidden(5)));
    }

    [Fact]
    public void LayerNorm_gradients_match_central_differences()
    {
        var key = Key.FromSeed(22);
        var ln = new LayerNorm(6);
        var theta = Params.Own(ln.Layout, Check.Uniform(ref key, 12, 0.5, 1.5));
        var x = Check.Gaussian(ref key, 3, 6, 2.0);
        var r = Check.Gaussian(ref key, 3, 6);
        var cache = ln.Forward(theta, x);
        var g = ln.Backward(theta, cache, r);
        Check.Gradient(v => Check.Probe(r, ln.Forward(Check.With(theta, v), x).Output), theta.Span, g.Grads.Span);
        Check.Gradient(v => Check.Probe(r, ln.Forward(theta, Mat.Own(3, 6, v)).Output), x.Span, g.DInput!.Span);
        // with γ = 1, β = 0 every row has mean 0 and variance ≈ 1
        var y = ln.Forward(ln.Init(), x).Output;
        var mean = 0.0;
        for (var j = 0; j < 6; j++) mean += y[0, j];
        Assert.Equal(0.0, mean / 6, 12);
    }

    [Theory]
    [InlineData(2, 3, 3, 1, 1, 6, 5)]
    [InlineData(1, 2, 3, 2, 1, 7, 7)]
    [InlineData(3, 2, 2, 2, 0, 4, 6)]
    public void Conv2d_gradients_match_central_differences(int c, int o, int k, int s, int p, int h, int w)
    {
        var key = Key.FromSeed(23);
        var conv = new Conv2d(c, o, k, s, p, h, w);
        var (theta, k1) = conv.Init(key);
        key = k1;
        theta = theta.Add(Params.Own(theta.Layout, Check.Uniform(ref key, theta.Count, -0.2, 0.2)));
        var x = Check.Gaussian(ref key, 2, conv.InSize);
        var r = Check.Gaussian(ref key, 2, conv.OutSize);
        var cache = conv.Forward(theta, x);
        var g = conv.Backward(theta, cache, r);
        Check.Gradient(v => Check.Probe(r, conv.Forward(Check.With(theta, v), x).Output), theta.Span, g.Grads.Span);
        Check.Gradient(v => Check.Probe(r, conv.Forward(theta, Mat.Own(2, conv.InSize, v)).Output), x.Span, g.DInput!.Span);
    }

    [Fact]
    public void Conv2d_hand_computed_with_padding()
    {
        // one 2×2 image, one 2×2 kernel of ones, padding 1, stride 1: each output sums the overlapping pixels
        var conv = new Conv2d(1, 1, 2, 1, 1, 2, 2);
        var theta = Params.Own(conv.Layout, [1, 1, 1, 1, 0.5]);
        var y = conv.Forward(theta, Mat.FromRows([1, 2, 3, 4])).Output;
        Assert.Equal(Mat.FromRows([1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5]), y);
    }

    [Fact]
    public void Pooling_gradients_match_central_differences()
    {
        var key = Key.FromSeed(24);
        var max = new MaxPool2d(2, 6, 6, 2, 2);
        var avg = new AvgPool2d(2, 6, 6, 3, 1);
        var x = Check.Gaussian(ref key, 2, 72);
        var rMax = Check.Gaussian(ref key, 2, max.OutSize);
        var rAvg = Check.Gaussian(ref key, 2, avg.OutSize);
        var dMax = max.Backward(max.Forward(x), rMax);
        var dAvg = avg.Backward(rAvg);
        Check.Gradient(v => Check.Probe(rMax, max.Forward(Mat.Own(2, 72, v)).Output), x.Span, dMax.Span);
        Check.Gradient(v => Check.Probe(rAvg, avg.Forward(Mat.Own(2, 72, v))), x.Span, dAvg.Span);
        Assert.Equal(Mat.FromRows([4.0]), new MaxPool2d(1, 2, 2, 2, 2).Forward(Mat.FromRows([1, 4, 3, 2])).Output);
        Assert.Equal(Mat.FromRows([2.5]), new AvgPool2d(1, 2, 2, 2, 2).Forward(Mat.FromRows([1, 4, 3, 2])));
    }
}
