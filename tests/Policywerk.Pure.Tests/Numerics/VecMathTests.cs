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
        for (var i = 0; i < x.Length; i++) (x[i], k) = k.NextUniform(-40, 40);
        var positive = x.Select(v => Math.Exp(v / 4)).ToArray(); // log's domain
        (VecMath.Op Op, Func<double, double> Scalar, double[] Input)[] ops =
        [
            (VecMath.Op.Exp, VecMath.Exp, x), (VecMath.Op.Tanh, VecMath.Tanh, x), (VecMath.Op.Sigmoid, VecMath.Sigmoid, x),
            (VecMath.Op.Softplus, VecMath.Softplus, x), (VecMath.Op.Log, VecMath.Log, positive),
        ];
        foreach (var (op, scalar, input) in ops)
            foreach (var wide in new[] { false, true })
            {
                var y = new double[input.Length];
                VecMath.Map(input, y, op, wide);
                for (var i = 0; i < input.Length; i++)
                    if (BitConverter.DoubleToInt64Bits(y[i]) != BitConverter.DoubleToInt64Bits(scalar(input[i]))) return false;
            }
        var viaPublic = new double[x.Length];
        VecMath.Tanh(x, viaPublic);
        for (var i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(viaPublic[i]) != BitConverter.DoubleToInt64Bits(VecMath.Tanh(x[i]))) return false;
        return true;
    }
}

public class VecMathLogSinCosTests
{
    private static double Ulps(double a, double b) =>
        a == b ? 0 : Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    [Fact]
    public void Log_is_within_a_few_ulps_of_Math_Log_over_the_positive_normals()
    {
        var key = Key.FromSeed(3);
        var worst = 0.0;
        for (var i = 0; i < 200_000; i++)
        {
            (var e, key) = key.NextUniform(-1000, 1000);
            (var m, key) = key.NextUniform(1, 2);
            var x = m * Math.Pow(2, Math.Round(e));
            worst = Math.Max(worst, Ulps(VecMath.Log(x), Math.Log(x)));
        }
        foreach (var x in new[] { 1.0, 2.0, 0.5, Math.E, 1 - 1e-16, 1 + 2.2e-16, double.Epsilon * (1L << 52), double.MaxValue, 1.0 / 3 })
            worst = Math.Max(worst, Ulps(VecMath.Log(x), Math.Log(x)));
        Assert.Equal(0.0, VecMath.Log(1.0));
        Assert.True(worst <= 2, $"{worst} ulps");
    }

    [Fact]
    public void SinCos_is_within_a_few_ulps_of_Math_on_zero_to_two_pi()
    {
        var key = Key.FromSeed(4);
        var worst = 0.0;
        for (var i = 0; i < 200_000; i++)
        {
            (var u, key) = key.NextDouble();
            var x = 2 * Math.PI * u;
            var (s, c) = VecMath.SinCos(x);
            // near a zero of sin or cos the result is tiny and an ulp of x dominates: compare absolutely there
            worst = Math.Max(worst, Math.Abs(Math.Sin(x)) < 1e-3 ? Math.Abs(s - Math.Sin(x)) / 1e-19 : Ulps(s, Math.Sin(x)));
            worst = Math.Max(worst, Math.Abs(Math.Cos(x)) < 1e-3 ? Math.Abs(c - Math.Cos(x)) / 1e-19 : Ulps(c, Math.Cos(x)));
        }
        Assert.Equal((0.0, 1.0), VecMath.SinCos(0.0));
        Assert.True(worst <= 4, $"{worst} ulps");
    }

    [Fact]
    public void Softplus_matches_its_definition()
    {
        foreach (var x in new[] { -50.0, -3.0, -1e-9, 0.0, 0.7, 5.0, 40.0, 700.0 })
        {
            var expected = Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));
            Assert.True(Math.Abs(VecMath.Softplus(x) - expected) <= 4e-16 * Math.Max(1.0, Math.Abs(expected)), $"{x}");
        }
    }

    [Fact]
    public void Gaussians_pair_cosines_and_sines_of_the_Box_Muller_draw()
    {
        double[] u = [0.25, 0.1, 0.9, 0.6, 0.0, 0.75];
        var z = new double[5];
        VecMath.Gaussians(u, z);
        for (var i = 0; i < 3; i++)
        {
            var r = Math.Sqrt(-2.0 * Math.Log(1.0 - u[2 * i]));
            Assert.Equal(r * Math.Cos(2 * Math.PI * u[2 * i + 1]), z[2 * i], 12);
            if (2 * i + 1 < z.Length) Assert.Equal(r * Math.Sin(2 * Math.PI * u[2 * i + 1]), z[2 * i + 1], 12);
        }
    }
}
