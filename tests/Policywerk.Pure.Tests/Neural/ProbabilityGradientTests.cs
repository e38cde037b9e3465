using System.Collections.Immutable;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

public class ProbabilityGradientTests
{
    [Fact]
    public void Softmax_cross_entropy_gradients()
    {
        var key = Key.FromSeed(30);
        var z = Check.Gaussian(ref key, 4, 5, 2.0);
        var labels = ImmutableArray.Create(0, 4, 2, 2);
        var loss = Losses.SoftmaxCrossEntropy(z, labels);
        Check.Gradient(v => Losses.SoftmaxCrossEntropy(Mat.Own(4, 5, v), labels).Value, z.Span, loss.Grad.Span);
        var t = Activations.Softmax(Check.Gaussian(ref key, 4, 5));
        var soft = Losses.SoftmaxCrossEntropy(z, t);
        Check.Gradient(v => Losses.SoftmaxCrossEntropy(Mat.Own(4, 5, v), t).Value, z.Span, soft.Grad.Span);
    }

    [Fact]
    public void Binary_cross_entropy_on_logits_gradient_and_value()
    {
        var key = Key.FromSeed(31);
        var z = Check.Gaussian(ref key, 3, 4, 3.0);
        var t = Mat.Own(3, 4, Check.Uniform(ref key, 12, 0, 1));
        var loss = Losses.BinaryCrossEntropyWithLogits(z, t);
        Check.Gradient(v => Losses.BinaryCrossEntropyWithLogits(Mat.Own(3, 4, v), t).Value, z.Span, loss.Grad.Span);
        var one = Losses.BinaryCrossEntropyWithLogits(Mat.FromRows([0.3]), Mat.FromRows([1.0])).Value;
        Assert.Equal(-Math.Log(Activations.Sigmoid(0.3)), one, 14);
        Assert.True(double.IsFinite(Losses.BinaryCrossEntropyWithLogits(Mat.FromRows([-800.0]), Mat.FromRows([1.0])).Value));
    }

    [Fact]
    public void Symlog_and_symexp_derivatives()
    {
        var xs = new[] { -5.0, -0.3, 0.7, 12.0 };
        foreach (var x in xs)
        {
            Check.Gradient(v => Activations.Symlog(v[0]), [x], [Activations.SymlogDerivative(x)]);
            Check.Gradient(v => Activations.Symexp(v[0]), [x], [Activations.SymexpDerivative(x)]);
        }
    }

    [Fact]
    public void Two_hot_cross_entropy_gradient()
    {
        var key = Key.FromSeed(32);
        var grid = TwoHot.Linspace(-20, 20, 41);
        var z = Check.Gaussian(ref key, 3, 41);
        double[] y = [3.3, -19.99, 25.0];
        var loss = grid.CrossEntropy(z, y);
        Check.Gradient(v => grid.CrossEntropy(Mat.Own(3, 41, v), y).Value, z.Span, loss.Grad.Span);
        var sym = grid.SymlogCrossEntropy(z, [100.0, -4.0, 0.0]);
        Check.Gradient(v => grid.SymlogCrossEntropy(Mat.Own(3, 41, v), [100.0, -4.0, 0.0]).Value, z.Span, sym.Grad.Span);
    }

    [Fact]
    public void Two_hot_training_recovers_a_large_reward()
    {
        // gradient descent on the logits alone drives the symexp-decoded prediction to the raw target
        var grid = TwoHot.Linspace(-20, 20, 255);
        var z = new double[255];
        for (var step = 0; step < 3000; step++)
        {
            var loss = grid.SymlogCrossEntropy(Mat.Own(1, 255, z), [1234.5]);
            var g = loss.Grad.Span;
            for (var k = 0; k < 255; k++) z[k] -= 1.5 * g[k];
        }
        Assert.Equal(1234.5, grid.DecodeSymexp(z), 1234.5 * 0.02);
    }

    [Fact]
    public void Gaussian_log_prob_gradients_wrt_mean_and_log_std()
    {
        double[] x = [0.3, -1.2, 2.0], mean = [0.1, -0.5, 1.0], logStd = [-0.3, 0.2, 0.5];
        var g = DiagGaussian.LogProbGrad(x, mean, logStd);
        Check.Gradient(v => DiagGaussian.LogProb(x, v, logStd), mean, g.DMean.AsSpan());
        Check.Gradient(v => DiagGaussian.LogProb(x, mean, v), logStd, g.DLogStd.AsSpan());
        // hand value for one dimension: log N(0; 0, 1) = −½ log 2π
        Assert.Equal(-0.5 * Math.Log(2 * Math.PI), DiagGaussian.LogProb([0.0], [0.0], [0.0]), 14);
    }

    [Fact]
    public void Reparameterised_sample_gradient_through_the_noise()
    {
        // d/dμ and d/dlog σ of f(x) with x = μ + σ ε and ε held fixed
        var (sample, _) = DiagGaussian.Sample(Key.FromSeed(33), [0.5, -0.5], [0.1, -0.4]);
        var eps = sample.Noise;
        double F(double[] m, double[] s)
        {
            var total = 0.0;
            for (var i = 0; i < 2; i++)
            {
                var xi = m[i] + Math.Exp(s[i]) * eps[i];
                total += xi * xi;
            }
            return total;
        }
        double[] mean = [0.5, -0.5], logStd = [0.1, -0.4];
        var dMean = new double[2];
        var dLogStd = new double[2];
        for (var i = 0; i < 2; i++)
        {
            dMean[i] = 2 * sample.Value[i];
            dLogStd[i] = 2 * sample.Value[i] * Math.Exp(logStd[i]) * eps[i];
        }
        Check.Gradient(v => F(v, logStd), mean, dMean);
        Check.Gradient(v => F(mean, v), logStd, dLogStd);
    }

    [Fact]
    public void Gaussian_kl_gradients_wrt_both_distributions()
    {
        double[] mp = [0.3, -1.0], sp = [-0.2, 0.4], mq = [-0.1, 0.5], sq = [0.3, -0.1];
        var g = DiagGaussian.KlGrad(mp, sp, mq, sq);
        Check.Gradient(v => DiagGaussian.Kl(v, sp, mq, sq), mp, g.P.DMean.AsSpan());
        Check.Gradient(v => DiagGaussian.Kl(mp, v, mq, sq), sp, g.P.DLogStd.AsSpan());
        Check.Gradient(v => DiagGaussian.Kl(mp, sp, v, sq), mq, g.Q.DMean.AsSpan());
        Check.Gradient(v => DiagGaussian.Kl(mp, sp, mq, v), sq, g.Q.DLogStd.AsSpan());
    }

    [Fact]
    public void Categorical_kl_entropy_and_log_prob_gradients()
    {
        double[] p = [0.2, -1.0, 1.5, 0.1], q = [1.0, 0.3, -0.4, 0.0];
        var g = Categorical.KlGrad(p, q);
        Check.Gradient(v => Categorical.Kl(v, q), p, g.DLogitsP.AsSpan());
        Check.Gradient(v => Categorical.Kl(p, v), q, g.DLogitsQ.AsSpan());
        Check.Gradient(v => Categorical.Entropy(v), p, Categorical.EntropyGrad(p).AsSpan());
        Check.Gradient(v => Categorical.LogProb(v, 2), p, Categorical.LogProbGrad(p, 2).AsSpan());
    }

    [Fact]
    public void Categorical_sampling_follows_the_probabilities()
    {
        double[] logits = [Math.Log(0.1), Math.Log(0.6), Math.Log(0.3)];
        var counts = new int[3];
        var key = Key.FromSeed(34);
        for (var i = 0; i < 20000; i++)
        {
            (var k, key) = Categorical.Sample(key, logits);
            counts[k]++;
        }
        Assert.Equal(0.1, counts[0] / 20000.0, 0.015);
        Assert.Equal(0.6, counts[1] / 20000.0, 0.015);
        Assert.Equal(0.3, counts[2] / 20000.0, 0.015);
    }

    [Fact]
    public void Tanh_gaussian_log_prob_matches_change_of_variables()
    {
        double[] u = [0.4, -2.0], mean = [0.1, -1.0], logStd = [-0.5, 0.2];
        var expected = DiagGaussian.LogProb(u, mean, logStd);
        foreach (var ui in u) expected -= Math.Log(1 - Math.Tanh(ui) * Math.Tanh(ui));
        Assert.Equal(expected, TanhGaussian.LogProb(u, mean, logStd), 12);
        Assert.True(double.IsFinite(TanhGaussian.LogProb([30.0], [0.0], [0.0])));
    }
}
