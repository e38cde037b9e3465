using System.Collections.Immutable;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

public class LossGradientTests
{
    private static (Mat P, Mat T) Pair(ulong seed, int rows, int cols, double scale = 1.0)
    {
        var key = Key.FromSeed(seed);
        return (Check.Gaussian(ref key, rows, cols, scale), Check.Gaussian(ref key, rows, cols, scale));
    }

    [Fact]
    public void Mse_gradient()
    {
        var (p, t) = Pair(10, 4, 3);
        var loss = Losses.Mse(p, t);
        Check.Gradient(v => Losses.Mse(Mat.Own(4, 3, v), t).Value, p.Span, loss.Grad.Span);
    }

    [Fact]
    public void Mse_hand_computed()
    {
        var loss = Losses.Mse(Mat.FromRows([1.0, 2.0]), Mat.FromRows([0.0, 4.0]));
        Assert.Equal(2.5, loss.Value, 15); // (1 + 4) / 2
        Assert.Equal(Mat.FromRows([1.0, -2.0]), loss.Grad);
    }

    [Fact]
    public void Huber_gradient_on_both_sides_of_delta()
    {
        var (p, t) = Pair(11, 5, 4, scale: 2.0); // errors both below and above δ = 1
        var loss = Losses.Huber(p, t, 1.0);
        Check.Gradient(v => Losses.Huber(Mat.Own(5, 4, v), t, 1.0).Value, p.Span, loss.Grad.Span);
    }

    [Fact]
    public void Huber_hand_computed()
    {
        Assert.Equal(0.125, Losses.Huber(0.5, 1.0));
        Assert.Equal(2.5, Losses.Huber(-3.0, 1.0)); // 1·(3 − 0.5)
        Assert.Equal(-1.0, Losses.HuberDerivative(-3.0, 1.0));
        Assert.Equal(0.5, Losses.HuberDerivative(0.5, 1.0));
    }

    [Fact]
    public void Huber_on_selected_actions_gradient()
    {
        var key = Key.FromSeed(12);
        var q = Check.Gaussian(ref key, 6, 3, 2.0);
        var actions = ImmutableArray.Create(0, 2, 1, 1, 0, 2);
        var y = Check.Uniform(ref key, 6, -3, 3);
        var loss = Losses.HuberSelected(q, actions, y);
        Check.Gradient(v => Losses.HuberSelected(Mat.Own(6, 3, v), actions, y).Value, q.Span, loss.Grad.Span);
        Assert.Equal(0.0, loss.Grad[0, 1]);
        var mse = Losses.MseSelected(q, actions, y);
        Check.Gradient(v => Losses.MseSelected(Mat.Own(6, 3, v), actions, y).Value, q.Span, mse.Grad.Span);
    }
}
