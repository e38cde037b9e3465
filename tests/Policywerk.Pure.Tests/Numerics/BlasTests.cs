using FsCheck.Xunit;
using Xunit;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Tests.Numerics;

/// <summary>
/// The matrix product against its definition: every element of C is c ← c + a(i,s)·B[s,j] for s ascending, starting from
/// C's old value (accumulate) or +0. Dense, register-blocked and sparse paths must all give exactly these bits.
/// </summary>
public class BlasTests
{
    /// <summary>A [rows × cols] matrix whose rows each have their own share of exact zeros (0 … 95%), so that the sampled
    /// rows the sparse path looks at can mislead it both ways.</summary>
    private static double[] Matrix(ref Key key, int rows, int cols, double zeroShare)
    {
        var m = new double[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            (var u, key) = key.NextDouble();
            var share = u < 0.25 ? u * 4 * 0.95 : zeroShare;
            for (var c = 0; c < cols; c++)
            {
                (var z, key) = key.NextDouble();
                (var v, key) = key.NextGaussian();
                m[r * cols + c] = z < share ? 0.0 : v;
            }
        }
        return m;
    }

    private static void Reference(double[] a, int ai, int @as, double[] b, double[] c, int p, int q, int n, bool accumulate)
    {
        for (var i = 0; i < p; i++)
            for (var j = 0; j < n; j++)
            {
                var sum = accumulate ? c[i * n + j] : 0.0;
                for (var s = 0; s < q; s++) sum += a[i * ai + s * @as] * b[s * n + j];
                c[i * n + j] = sum;
            }
    }

    private static bool SameBits(double[] x, double[] y)
    {
        for (var i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(x[i]) != BitConverter.DoubleToInt64Bits(y[i])) return false;
        return true;
    }

    /// <summary>The product with the machine's widest lanes (eight with AVX-512), and forced to four- and to eight-lane
    /// vectors: Vector512 is emulated where the hardware lacks it, so both widths are checked on every machine.</summary>
    private static readonly (string Name, Action<double[], int, int, double[], double[], int, int, int, bool> Run)[] Widths =
    [
        ("widest", (a, ai, @as, b, c, p, q, n, acc) => Blas.MulAdd(a, ai, @as, b, c, p, q, n, acc)),
        ("4 lanes", (a, ai, @as, b, c, p, q, n, acc) => Blas.MulAdd<Lanes4>(a, ai, @as, b, c, p, q, n, acc)),
        ("8 lanes", (a, ai, @as, b, c, p, q, n, acc) => Blas.MulAdd<Lanes8>(a, ai, @as, b, c, p, q, n, acc)),
    ];

    [Property(MaxTest = 300)]
    public bool MulAdd_equals_the_ascending_sum_bit_for_bit_dense_or_sparse(ulong seed, bool transposed, bool accumulate)
    {
        var key = Key.FromSeed(seed);
        (var p, key) = key.NextInt(40);
        (var q, key) = key.NextInt(90);
        (var n, key) = key.NextInt(100); // up to a 64-column block and its tails at both widths
        (var zeros, key) = key.NextDouble();
        p += 1;
        q += 1;
        n += 4; // below 4 columns a narrow product takes dot products (Blas.Dot's fixed order), not this definition
        // A is [p × q] (C = A·B) or stored as X [q × p] with A = Xᵀ (C = Xᵀ·B), as Dense's forward and ∂L/∂W use it
        var a = transposed ? Matrix(ref key, q, p, zeros) : Matrix(ref key, p, q, zeros);
        var b = Matrix(ref key, q, n, 0.0);
        var c0 = Matrix(ref key, p, n, 0.0);
        int ai = transposed ? 1 : q, @as = transposed ? p : 1;
        var expected = (double[])c0.Clone();
        Reference(a, ai, @as, b, expected, p, q, n, accumulate);
        foreach (var (_, run) in Widths)
        {
            var actual = (double[])c0.Clone();
            run(a, ai, @as, b, actual, p, q, n, accumulate);
            if (!SameBits(expected, actual)) return false;
        }
        return true;
    }

    [Property(MaxTest = 200)]
    public bool MulTransB_sums_each_element_over_the_inner_index_ascending(ulong seed)
    {
        // C = X·Wᵀ: C[i,k] = Σ_j X[i,j]·W[k,j], j ascending; with fewer than four columns of C the narrow path's dot products
        // (Blas.Dot's fixed order) apply instead, as for any product
        var key = Key.FromSeed(seed);
        (var p, key) = key.NextInt(30);
        (var m, key) = key.NextInt(70);
        (var n, key) = key.NextInt(100);
        p += 1;
        m += 4;
        n += 1;
        var x = Matrix(ref key, p, n, 0.3);
        var w = Matrix(ref key, m, n, 0.0);
        var expected = new double[p * m];
        for (var i = 0; i < p; i++)
            for (var k = 0; k < m; k++)
            {
                var sum = 0.0;
                for (var j = 0; j < n; j++) sum += x[i * n + j] * w[k * n + j];
                expected[i * m + k] = sum;
            }
        var actual = new double[p * m];
        Blas.MulTransB(x, w, actual, p, m, n);
        return SameBits(expected, actual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MulAdd_on_a_mostly_zero_input_matches_the_definition_and_keeps_a_NaN(bool transposed)
    {
        // the lesson-05 shapes: x [16 × 82] with 80% zeros times W [82 × 32], and xᵀ·δ for ∂L/∂W
        var key = Key.FromSeed(7);
        int p = transposed ? 82 : 16, q = transposed ? 16 : 82, n = 32;
        var x = Matrix(ref key, transposed ? q : p, transposed ? p : q, 0.8);
        var b = Matrix(ref key, q, n, 0.0);
        int ai = transposed ? 1 : q, @as = transposed ? p : 1;
        var expected = new double[p * n];
        Reference(x, ai, @as, b, expected, p, q, n, accumulate: false);
        foreach (var (name, run) in Widths)
        {
            var actual = new double[p * n];
            run(x, ai, @as, b, actual, p, q, n, false);
            Assert.True(SameBits(expected, actual), name);

            var withNaN = (double[])x.Clone();
            withNaN[3] = double.NaN; // row 0 of x, feature 3: a NaN input is a term like any other and reaches C
            run(withNaN, ai, @as, b, actual, p, q, n, false);
            var row = transposed ? 3 : 0;
            for (var j = 0; j < n; j++) Assert.True(double.IsNaN(actual[row * n + j]), name);
        }
    }
}
