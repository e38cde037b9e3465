using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Numerics;

public class VecMathTests
{
    private static double Ulps(double a, double b) => a == b ? 0 : Math.Abs(a - b) / Math.Max(Math.Abs(Math.BitIncrement(Math.Abs(b)) - Math.Abs(b)), double.Epsilon);

    [Fact]
    public void Exp_tanh_and_sigmoid_are_within_a_few_ulps_of_the_runtime()
    {
        var worstExp = 0.0;
        var worstTanh = 0.0;
        var worstSigmoid = 0.0;
        for (var i = -200000; i <= 200000; i++)
        {
            var x = i * 1e-4 * Math.PI; // covers ±62, including the |x| < 0.625 branch of tanh
            worstExp = Math.Max(worstExp, Ulps(VecMath.Exp(x), Math.Exp(x)));
            worstTanh = Math.Max(worstTanh, Ulps(VecMath.Tanh(x), Math.Tanh(x)));
            worstSigmoid = Math.Max(worstSigmoid, Ulps(VecMath.Sigmoid(x), 1.0 / (1.0 + Math.Exp(-x))));
        }
        Assert.True(worstExp <= 4, $"exp: {worstExp} ulps");
        Assert.True(worstTanh <= 4, $"tanh: {worstTanh} ulps");
        Assert.True(worstSigmoid <= 4, $"sigmoid: {worstSigmoid} ulps");
    }

    [Fact]
    public void Extremes_saturate_without_nan()
    {
        Assert.Equal(1.0, VecMath.Tanh(1e300));
        Assert.Equal(-1.0, VecMath.Tanh(-1e300));
        Assert.Equal(0.0, VecMath.Tanh(0.0));
        Assert.Equal(1e-300, VecMath.Tanh(1e-300));
        Assert.Equal(1.0, VecMath.Sigmoid(800));
        Assert.True(VecMath.Sigmoid(-800) >= 0 && VecMath.Sigmoid(-800) < 1e-300);
        Assert.True(double.IsFinite(VecMath.Exp(1000)));
        Assert.Equal(1.0, VecMath.Exp(0.0));
    }

    [Property(MaxTest = 200)]
    public bool Span_form_is_bit_identical_to_the_scalar_form_at_every_position_and_width(ulong seed)
    {
        // up to 26 elements: blocks of eight (with AVX-512, or forced), of four, and a padded tail
        var key = Key.FromSeed(seed);
        var (n, k) = key.NextInt(26);
        var x = new double[n + 1];
        for (var i = 0; i < x.Length; i++) (x[i], k) = k.NextUniform(-30, 30);
        (VecMath.Op Op, Func<double, double> Scalar)[] ops = [(VecMath.Op.Exp, VecMath.Exp), (VecMath.Op.Tanh, VecMath.Tanh), (VecMath.Op.Sigmoid, VecMath.Sigmoid)];
        foreach (var (op, scalar) in ops)
            foreach (var wide in new[] { false, true })
            {
                var y = new double[x.Length];
                VecMath.Map(x, y, op, wide);
                for (var i = 0; i < x.Length; i++)
                    if (BitConverter.DoubleToInt64Bits(y[i]) != BitConverter.DoubleToInt64Bits(scalar(x[i]))) return false;
            }
        var viaPublic = new double[x.Length];
        VecMath.Tanh(x, viaPublic);
        for (var i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(viaPublic[i]) != BitConverter.DoubleToInt64Bits(VecMath.Tanh(x[i]))) return false;
        return true;
    }
}
