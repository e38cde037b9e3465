using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Policywerk.Pure.Numerics;

/// <summary>
/// The few dense linear-algebra kernels every layer is built from, over row-major spans.
/// </summary>
/// <remarks>
/// Determinism: every sum has a CPU-independent order. <see cref="MulAdd"/> accumulates each output
/// element separately in ascending order of the summed index (lanes of a <see cref="Vector256{T}"/> are
/// independent elements, so the vector width does not change any result). <see cref="Dot"/> and
/// <see cref="Sum"/> use a fixed 4-lane accumulator and a fixed horizontal order. Multiply and add are
/// separate IEEE operations on every path (no fused multiply-add).
/// </remarks>
internal static class Blas
{
    /// <summary>
    /// C[i,:] += Σ_s a(i,s)·B[s,:] for i &lt; p, with a(i,s) = A[i·ai + s·as] and s ascending.
    /// With (ai, as) = (q, 1) this is C += A·B; with (1, p) it is C += Aᵀ·B.
    /// Zero entries of A are skipped (sparse inputs such as pixel observations are cheap).
    /// </summary>
    public static void MulAdd(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n)
    {
        if (p == 0 || n == 0) return;
        if (b.Length < q * n || c.Length < p * n || (q > 0 && a.Length <= (p - 1) * ai + (q - 1) * @as))
            throw new ArgumentException("MulAdd: span too short for the given shape");
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        for (var i = 0; i < p; i++)
        {
            var cRow = (nuint)(i * n);
            var j = 0;
            for (; j + 16 <= n; j += 16)
            {
                var o = cRow + (nuint)j;
                var c0 = Vector256.LoadUnsafe(ref cRef, o);
                var c1 = Vector256.LoadUnsafe(ref cRef, o + 4);
                var c2 = Vector256.LoadUnsafe(ref cRef, o + 8);
                var c3 = Vector256.LoadUnsafe(ref cRef, o + 12);
                for (var s = 0; s < q; s++)
                {
                    var av = a[i * ai + s * @as];
                    if (av == 0.0) continue;
                    var va = Vector256.Create(av);
                    var bo = (nuint)(s * n + j);
                    c0 += va * Vector256.LoadUnsafe(ref bRef, bo);
                    c1 += va * Vector256.LoadUnsafe(ref bRef, bo + 4);
                    c2 += va * Vector256.LoadUnsafe(ref bRef, bo + 8);
                    c3 += va * Vector256.LoadUnsafe(ref bRef, bo + 12);
                }
                c0.StoreUnsafe(ref cRef, o);
                c1.StoreUnsafe(ref cRef, o + 4);
                c2.StoreUnsafe(ref cRef, o + 8);
                c3.StoreUnsafe(ref cRef, o + 12);
            }
            for (; j + 4 <= n; j += 4)
            {
                var o = cRow + (nuint)j;
                var c0 = Vector256.LoadUnsafe(ref cRef, o);
                for (var s = 0; s < q; s++)
                {
                    var av = a[i * ai + s * @as];
                    if (av == 0.0) continue;
                    c0 += Vector256.Create(av) * Vector256.LoadUnsafe(ref bRef, (nuint)(s * n + j));
                }
                c0.StoreUnsafe(ref cRef, o);
            }
            for (; j < n; j++)
            {
                var acc = c[i * n + j];
                for (var s = 0; s < q; s++)
                {
                    var av = a[i * ai + s * @as];
                    if (av == 0.0) continue;
                    acc += av * b[s * n + j];
                }
                c[i * n + j] = acc;
            }
        }
    }

    /// <summary>
    /// C[i,k] = Σ_j X[i,j]·W[k,j] (C = X·Wᵀ) for X [p×n], W [m×n], C [p×m]. Each entry is a <see cref="Dot"/>,
    /// except when the inner dimension n is short (n &lt; 8, e.g. a backward pass through a 3-action head): then Wᵀ
    /// is formed on the stack and C = X·Wᵀ runs through <see cref="MulAdd"/> (the path depends on shapes only).
    /// </summary>
    public static void MulTransB(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> c, int p, int m, int n)
    {
        if (x.Length < p * n || w.Length < m * n || c.Length < p * m)
            throw new ArgumentException("MulTransB: span too short for the given shape");
        if (n < 8 && m * n <= 2048)
        {
            Span<double> wT = stackalloc double[m * n];
            for (var k = 0; k < m; k++)
                for (var j = 0; j < n; j++)
                    wT[j * m + k] = w[k * n + j];
            c.Slice(0, p * m).Clear();
            MulAdd(x, n, 1, wT, c, p, n, m);
            return;
        }
        for (var i = 0; i < p; i++)
        {
            var xRow = x.Slice(i * n, n);
            var k = 0;
            for (; k + 4 <= m; k += 4)
                Dot4(xRow, w.Slice(k * n, 4 * n), n, c.Slice(i * m + k, 4));
            for (; k < m; k++)
                c[i * m + k] = Dot(xRow, w.Slice(k * n, n));
        }
    }

    /// <summary>Σ_i x_i·y_i in a fixed order: four lanes over blocks of four, then (l0+l1)+(l2+l3), then the tail.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var n = x.Length;
        if (y.Length < n) throw new ArgumentException("Dot: spans differ in length");
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var acc = Vector256<double>.Zero;
        var i = 0;
        for (; i + 4 <= n; i += 4)
            acc += Vector256.LoadUnsafe(ref xr, (nuint)i) * Vector256.LoadUnsafe(ref yr, (nuint)i);
        var sum = Horizontal(acc);
        for (; i < n; i++) sum += x[i] * y[i];
        return sum;
    }

    /// <summary>Four dot products of x with consecutive rows of w (each of length n), same order as <see cref="Dot"/>.</summary>
    private static void Dot4(ReadOnlySpan<double> x, ReadOnlySpan<double> w, int n, Span<double> result)
    {
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var wr = ref MemoryMarshal.GetReference(w);
        var a0 = Vector256<double>.Zero;
        var a1 = Vector256<double>.Zero;
        var a2 = Vector256<double>.Zero;
        var a3 = Vector256<double>.Zero;
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var xv = Vector256.LoadUnsafe(ref xr, (nuint)i);
            a0 += xv * Vector256.LoadUnsafe(ref wr, (nuint)i);
            a1 += xv * Vector256.LoadUnsafe(ref wr, (nuint)(n + i));
            a2 += xv * Vector256.LoadUnsafe(ref wr, (nuint)(2 * n + i));
            a3 += xv * Vector256.LoadUnsafe(ref wr, (nuint)(3 * n + i));
        }
        double s0 = Horizontal(a0), s1 = Horizontal(a1), s2 = Horizontal(a2), s3 = Horizontal(a3);
        for (; i < n; i++)
        {
            var xi = x[i];
            s0 += xi * w[i];
            s1 += xi * w[n + i];
            s2 += xi * w[2 * n + i];
            s3 += xi * w[3 * n + i];
        }
        result[0] = s0;
        result[1] = s1;
        result[2] = s2;
        result[3] = s3;
    }

    /// <summary>Σ_i x_i in the same fixed order as <see cref="Dot"/>.</summary>
    public static double Sum(ReadOnlySpan<double> x)
    {
        ref var xr = ref MemoryMarshal.GetReference(x);
        var acc = Vector256<double>.Zero;
        var i = 0;
        for (; i + 4 <= x.Length; i += 4) acc += Vector256.LoadUnsafe(ref xr, (nuint)i);
        var sum = Horizontal(acc);
        for (; i < x.Length; i++) sum += x[i];
        return sum;
    }

    /// <summary>Σ_i x_i² in the same fixed order as <see cref="Dot"/>.</summary>
    public static double SumOfSquares(ReadOnlySpan<double> x) => Dot(x, x);

    /// <summary>C[j] += Σ_i X[i,j] over the p rows of X [p×n], i ascending (bias gradients).</summary>
    public static void AddColumnSums(ReadOnlySpan<double> x, Span<double> c, int p, int n)
    {
        for (var i = 0; i < p; i++) AddTo(x.Slice(i * n, n), c);
    }

    /// <summary>y += x, element by element.</summary>
    public static void AddTo(ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("AddTo: destination too short");
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        for (; i + 4 <= x.Length; i += 4)
            (Vector256.LoadUnsafe(ref yr, (nuint)i) + Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < x.Length; i++) y[i] += x[i];
    }

    /// <summary>y += α·x, element by element.</summary>
    public static void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("Axpy: destination too short");
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var va = Vector256.Create(alpha);
        var i = 0;
        for (; i + 4 <= x.Length; i += 4)
            (Vector256.LoadUnsafe(ref yr, (nuint)i) + va * Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < x.Length; i++) y[i] += alpha * x[i];
    }

    /// <summary>Fills each of the p rows of C [p×n] with the row vector b.</summary>
    public static void BroadcastRows(ReadOnlySpan<double> b, Span<double> c, int p, int n)
    {
        for (var i = 0; i < p; i++) b.Slice(0, n).CopyTo(c.Slice(i * n, n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Horizontal(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));
}
