using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

public class DenseMlpGradientTests
{
    [Fact]
    public void Dense_parameter_and_input_gradients_match_central_differences()
    {
        var key = Key.FromSeed(1);
        var dense = new Dense(5, 4);
        var (theta, k1) = dense.Init(key);
        key = k1;
        // non-zero biases so the bias path is exercised
        theta = theta.Add(Params.Own(theta.Layout, Check.Uniform(ref key, theta.Count, -0.5, 0.5)));
        var x = Check.Gaussian(ref key, 3, 5);
        var r = Check.Gaussian(ref key, 3, 4);
        var g = dense.Backward(theta, x, r);

        Check.Gradient(v => Check.Probe(r, dense.Forward(Check.With(theta, v), x)), theta.Span, g.Grads.Span);
        Check.Gradient(v => Check.Probe(r, dense.Forward(theta, Mat.Own(3, 5, v))), x.Span, g.DInput!.Span);
    }

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Softplus)]
    [InlineData(Activation.Silu)]
    [InlineData(Activation.Elu)]
    public void Activation_derivative_matches_central_differences(Activation f)
    {
        var key = Key.FromSeed(2);
        var z = Check.Uniform(ref key, 40, -3, 3);
        var dy = Check.Uniform(ref key, 40, -1, 1);
        var y = new double[z.Length];
        Activations.Apply(f, z, y);
        var dz = new double[z.Length];
        Activations.Backward(f, z, y, dy, dz);
        Check.Gradient(v =>
        {
            var out_ = new double[v.Length];
            Activations.Apply(f, v, out_);
            var s = 0.0;
            for (var i = 0; i < v.Length; i++) s += dy[i] * out_[i];
            return s;
        }, z, dz);
        // the scalar form agrees with the batch kernel
        for (var i = 0; i < z.Length; i++) Assert.Equal(y[i], Activations.Apply(f, z[i]));
    }

    [Theory]
    [InlineData(Activation.Tanh, Activation.Identity)]
    [InlineData(Activation.Relu, Activation.Sigmoid)]
    [InlineData(Activation.Silu, Activation.Softplus)]
    [InlineData(Activation.Elu, Activation.Tanh)]
    public void Whole_mlp_gradients_match_central_differences(Activation hidden, Activation output)
    {
        var key = Key.FromSeed(3);
        var mlp = Mlp.Create([4, 7, 6, 3], hidden, output);
        var (theta, k1) = mlp.Init(key);
        key = k1;
        theta = theta.Add(Params.Own(theta.Layout, Check.Uniform(ref key, theta.Count, -0.2, 0.2)));
        var x = Check.Gaussian(ref key, 5, 4);
        var r = Check.Gaussian(ref key, 5, 3);
        var cache = mlp.Forward(theta, x);
        var g = mlp.Backward(theta, cache, r, inputGradient: true);

        Check.Gradient(v => Check.Probe(r, mlp.Predict(Check.With(theta, v), x)), theta.Span, g.Grads.Span);
        Check.Gradient(v => Check.Probe(r, mlp.Predict(theta, Mat.Own(5, 4, v))), x.Span, g.DInput!.Span);
    }

    [Fact]
    public void Mlp_matches_its_layers_applied_one_by_one()
    {
        var key = Key.FromSeed(4);
        var mlp = Mlp.Create([3, 5, 2], Activation.Tanh);
        var (theta, k1) = mlp.Init(key);
        var x = Check.Gaussian(ref k1, 4, 3);
        var h = mlp.Layer(0).Forward(Params.Own(mlp.Layer(0).Layout, theta.Span.Slice(0, 20).ToArray()), x);
        var a = new double[h.Values.Length];
        Activations.Apply(Activation.Tanh, h.Span, a);
        var y = mlp.Layer(1).Forward(Params.Own(mlp.Layer(1).Layout, theta.Span.Slice(20).ToArray()), Mat.Own(4, 5, a));
        Assert.Equal(y, mlp.Predict(theta, x));
        Assert.Equal(2, theta["1.b"].Length);
        Assert.Equal(15, theta.Layout["0.W"].Size);
    }

    [Fact]
    public void Sparse_inputs_give_the_same_result_as_the_plain_formula()
    {
        // y = x·W + b computed naively, with many zero inputs (the kernel skips them)
        var key = Key.FromSeed(5);
        var dense = new Dense(37, 19);
        var (theta, k1) = dense.Init(key);
        key = k1;
        var x = Check.Gaussian(ref key, 6, 37).Values.ToArray();
        for (var i = 0; i < x.Length; i += 2) x[i] = 0.0;
        var y = dense.Forward(theta, Mat.Own(6, 37, x));
        var w = theta["W"];
        var b = theta["b"];
        for (var r = 0; r < 6; r++)
            for (var c = 0; c < 19; c++)
            {
                var s = b[c];
                for (var i = 0; i < 37; i++) s += x[r * 37 + i] * w[i * 19 + c];
                Assert.Equal(s, y[r, c], 12);
            }
    }

    [Fact]
    public void Narrow_heads_on_larger_batches_take_the_reorganised_products_and_stay_exact()
    {
        // batch 9 ≥ 8 and a 2-unit head: forward uses contiguous dot products, the head's weight gradient Cᵀ = Bᵀ·A
        var key = Key.FromSeed(9);
        var mlp = Mlp.Create([3, 10, 2], Activation.Tanh);
        var (theta, k1) = mlp.Init(key);
        key = k1;
        theta = theta.Add(Params.Own(theta.Layout, Check.Uniform(ref key, theta.Count, -0.2, 0.2)));
        var x = Check.Gaussian(ref key, 9, 3);
        var r = Check.Gaussian(ref key, 9, 2);
        var g = mlp.Backward(theta, mlp.Forward(theta, x), r, inputGradient: true);
        Check.Gradient(v => Check.Probe(r, mlp.Predict(Check.With(theta, v), x)), theta.Span, g.Grads.Span);
        Check.Gradient(v => Check.Probe(r, mlp.Predict(theta, Mat.Own(9, 3, v))), x.Span, g.DInput!.Span);
    }
}

/// <summary>Backward passes with the parameters fixed: ∂L/∂x alone, and with every Wᵀ formed once beforehand, must be the
/// bits the full backward pass gives.</summary>
public class FrozenBackwardTests
{
    private static bool SameBits(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) return false;
        for (var i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(x[i]) != BitConverter.DoubleToInt64Bits(y[i])) return false;
        return true;
    }

    [FsCheck.Xunit.Property(MaxTest = 50)]
    public bool Mlp_input_gradient_is_the_backward_pass_input_gradient(ulong seed, bool withTransposes)
    {
        var key = Key.FromSeed(seed);
        var mlp = Mlp.Create([7, 13, 9, 4], Activation.Tanh, Activation.Softplus);
        (var theta, key) = mlp.Init(key);
        var x = Check.Gaussian(ref key, 6, 7);
        var dy = Check.Gaussian(ref key, 6, 4);
        var cache = mlp.Forward(theta, x);
        var transposes = withTransposes ? mlp.Transpose(theta) : null;
        var full = mlp.Backward(theta, cache, dy, inputGradient: true);
        var fullT = mlp.Backward(theta, cache, dy, inputGradient: true, transposes);
        var alone = mlp.InputGradient(theta, cache, dy.Span, transposes);
        return SameBits(full.DInput!.Span, alone.Span) && SameBits(full.DInput!.Span, fullT.DInput!.Span) && full.Grads.Equals(fullT.Grads);
    }

    [FsCheck.Xunit.Property(MaxTest = 50)]
    public bool Gru_step_backward_is_the_one_step_BPTT(ulong seed, bool withTransposes)
    {
        var key = Key.FromSeed(seed);
        var gru = new Gru(5, 6);
        (var theta, key) = gru.Init(key);
        var x = Check.Gaussian(ref key, 3, 5);
        var h0 = Check.Gaussian(ref key, 3, 6);
        var dh = Check.Gaussian(ref key, 3, 6);
        var cache = gru.Forward(theta, [x], h0);
        var bptt = gru.Backward(theta, cache, dh);
        var step = gru.StepBackward(theta, cache, dh.Span, withTransposes ? gru.Transpose(theta) : null);
        return SameBits(bptt.DX.Span, step.DX.Span) && SameBits(bptt.DH0.Span, step.DH0.Span)
               && SameBits(bptt.Grads.Span, gru.ParameterGradient([cache], [step]).Span);
    }

    [FsCheck.Xunit.Property(MaxTest = 30)]
    public bool Gru_run_and_backpropagated_step_by_step_gives_the_sequence_BPTT_bits(ulong seed)
    {
        // a 4-step sequence: Backward over its cache, against StepBackward on one-step caches (feeding each step's ∂L/∂h_0
        // into the step before) and ParameterGradient over all of them (at least four inputs: a product with fewer than four
        // columns and eight rows takes dot products, so ∂L/∂x of the whole sequence would be summed in another order)
        var key = Key.FromSeed(seed);
        var gru = new Gru(6, 5);
        (var theta, key) = gru.Init(key);
        const int steps = 4, batch = 2;
        var xs = new Mat[steps];
        for (var t = 0; t < steps; t++) xs[t] = Check.Gaussian(ref key, batch, 6);
        var h0 = Check.Gaussian(ref key, batch, 5);
        var dH = Check.Gaussian(ref key, steps * batch, 5);
        var whole = gru.Backward(theta, gru.Forward(theta, [.. xs], h0), dH);

        var caches = new GruCache[steps];
        var h = h0;
        for (var t = 0; t < steps; t++)
        {
            caches[t] = gru.Forward(theta, [xs[t]], h);
            h = caches[t].Last;
        }
        var grads = new GruStepGrads[steps];
        var dNext = new double[batch * 5];
        var dX = new double[steps * batch * 6];
        for (var t = steps - 1; t >= 0; t--)
        {
            var dh = dH.Span.Slice(t * batch * 5, batch * 5).ToArray();
            for (var i = 0; i < dh.Length; i++) dh[i] += dNext[i]; // as Backward adds what flows back from step t+1
            grads[t] = gru.StepBackward(theta, caches[t], dh);
            grads[t].DH0.Span.CopyTo(dNext);
            grads[t].DX.Span.CopyTo(dX.AsSpan(t * batch * 6));
        }
        return SameBits(whole.Grads.Span, gru.ParameterGradient(caches, grads).Span) && SameBits(whole.DX.Span, dX)
               && SameBits(whole.DH0.Span, dNext);
    }
}
