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
    /// </summary>
    /// <remarks>
    /// Register-blocked: two rows of C × sixteen columns live in eight vector accumulators while s runs, so
    /// each element of C is loaded and stored once. Columns left over after the blocks of sixteen and four
    /// share one accumulator whose unused lanes are zero. Every element's sum has the same order on every path.
    /// </remarks>
    public static void MulAdd(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n)
    {
        if (p == 0 || n == 0) return;
        if (b.Length < q * n || c.Length < p * n || (q > 0 && a.Length <= (p - 1) * ai + (q - 1) * @as))
            throw new ArgumentException("MulAdd: span too short for the given shape");
        var i = 0;
        for (; i + 2 <= p; i += 2) TwoRows(a, ai, @as, b, c, i, q, n);
        if (i < p) OneRow(a, ai, @as, b, c, i, q, n);
    }

    private static void TwoRows(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int i, int q, int n)
    {
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        nuint r0 = (nuint)(i * n), r1 = (nuint)((i + 1) * n);
        nuint a0 = (nuint)(i * ai), a1 = (nuint)((i + 1) * ai), step = (nuint)@as;
        var j = 0;
        for (; j + 16 <= n; j += 16)
        {
            var o = (nuint)j;
            Vector256<double> c00 = Vector256.LoadUnsafe(ref cRef, r0 + o), c01 = Vector256.LoadUnsafe(ref cRef, r0 + o + 4),
                c02 = Vector256.LoadUnsafe(ref cRef, r0 + o + 8), c03 = Vector256.LoadUnsafe(ref cRef, r0 + o + 12),
                c10 = Vector256.LoadUnsafe(ref cRef, r1 + o), c11 = Vector256.LoadUnsafe(ref cRef, r1 + o + 4),
                c12 = Vector256.LoadUnsafe(ref cRef, r1 + o + 8), c13 = Vector256.LoadUnsafe(ref cRef, r1 + o + 12);
            nuint ao0 = a0, ao1 = a1, bo = o;
            for (var s = 0; s < q; s++, ao0 += step, ao1 += step, bo += (nuint)n)
            {
                var va = Vector256.Create(Unsafe.Add(ref aRef, ao0));
                var vb = Vector256.Create(Unsafe.Add(ref aRef, ao1));
                var b0 = Vector256.LoadUnsafe(ref bRef, bo);
                var b1 = Vector256.LoadUnsafe(ref bRef, bo + 4);
                var b2 = Vector256.LoadUnsafe(ref bRef, bo + 8);
                var b3 = Vector256.LoadUnsafe(ref bRef, bo + 12);
                c00 += va * b0; c01 += va * b1; c02 += va * b2; c03 += va * b3;
                c10 += vb * b0; c11 += vb * b1; c12 += vb * b2; c13 += vb * b3;
            }
            c00.StoreUnsafe(ref cRef, r0 + o); c01.StoreUnsafe(ref cRef, r0 + o + 4);
            c02.StoreUnsafe(ref cRef, r0 + o + 8); c03.StoreUnsafe(ref cRef, r0 + o + 12);
            c10.StoreUnsafe(ref cRef, r1 + o); c11.StoreUnsafe(ref cRef, r1 + o + 4);
            c12.StoreUnsafe(ref cRef, r1 + o + 8); c13.StoreUnsafe(ref cRef, r1 + o + 12);
        }
        for (; j + 4 <= n; j += 4)
        {
            var o = (nuint)j;
            var c0 = Vector256.LoadUnsafe(ref cRef, r0 + o);
            var c1 = Vector256.LoadUnsafe(ref cRef, r1 + o);
            nuint ao0 = a0, ao1 = a1, bo = o;
            for (var s = 0; s < q; s++, ao0 += step, ao1 += step, bo += (nuint)n)
            {
                var bv = Vector256.LoadUnsafe(ref bRef, bo);
                c0 += Vector256.Create(Unsafe.Add(ref aRef, ao0)) * bv;
                c1 += Vector256.Create(Unsafe.Add(ref aRef, ao1)) * bv;
            }
            c0.StoreUnsafe(ref cRef, r0 + o);
            c1.StoreUnsafe(ref cRef, r1 + o);
        }
        if (j < n)
        {
            var t0 = LoadTail(c, (int)r0 + j, n - j);
            var t1 = LoadTail(c, (int)r1 + j, n - j);
            nuint ao0 = a0, ao1 = a1;
            for (var s = 0; s < q; s++, ao0 += step, ao1 += step)
            {
                var bv = LoadTail(b, s * n + j, n - j);
                t0 += Vector256.Create(Unsafe.Add(ref aRef, ao0)) * bv;
                t1 += Vector256.Create(Unsafe.Add(ref aRef, ao1)) * bv;
            }
            StoreTail(t0, c, (int)r0 + j, n - j);
            StoreTail(t1, c, (int)r1 + j, n - j);
        }
    }

    private static void OneRow(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int i, int q, int n)
    {
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        nuint r0 = (nuint)(i * n), a0 = (nuint)(i * ai), step = (nuint)@as;
        var j = 0;
        for (; j + 16 <= n; j += 16)
        {
            var o = (nuint)j;
            Vector256<double> c0 = Vector256.LoadUnsafe(ref cRef, r0 + o), c1 = Vector256.LoadUnsafe(ref cRef, r0 + o + 4),
                c2 = Vector256.LoadUnsafe(ref cRef, r0 + o + 8), c3 = Vector256.LoadUnsafe(ref cRef, r0 + o + 12);
            nuint ao = a0, bo = o;
            for (var s = 0; s < q; s++, ao += step, bo += (nuint)n)
            {
                var va = Vector256.Create(Unsafe.Add(ref aRef, ao));
                c0 += va * Vector256.LoadUnsafe(ref bRef, bo);
                c1 += va * Vector256.LoadUnsafe(ref bRef, bo + 4);
                c2 += va * Vector256.LoadUnsafe(ref bRef, bo + 8);
                c3 += va * Vector256.LoadUnsafe(ref bRef, bo + 12);
            }
            c0.StoreUnsafe(ref cRef, r0 + o); c1.StoreUnsafe(ref cRef, r0 + o + 4);
            c2.StoreUnsafe(ref cRef, r0 + o + 8); c3.StoreUnsafe(ref cRef, r0 + o + 12);
        }
        for (; j + 4 <= n; j += 4)
        {
            var o = (nuint)j;
            var c0 = Vector256.LoadUnsafe(ref cRef, r0 + o);
            nuint ao = a0, bo = o;
            for (var s = 0; s < q; s++, ao += step, bo += (nuint)n)
                c0 += Vector256.Create(Unsafe.Add(ref aRef, ao)) * Vector256.LoadUnsafe(ref bRef, bo);
            c0.StoreUnsafe(ref cRef, r0 + o);
        }
        if (j < n)
        {
            var t0 = LoadTail(c, (int)r0 + j, n - j);
            nuint ao = a0;
            for (var s = 0; s < q; s++, ao += step)
                t0 += Vector256.Create(Unsafe.Add(ref aRef, ao)) * LoadTail(b, s * n + j, n - j);
            StoreTail(t0, c, (int)r0 + j, n - j);
        }
    }

    /// <summary>Up to three values x[o …] in the low lanes of a vector, zeros above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LoadTail(ReadOnlySpan<double> x, int o, int count) =>
        Vector256.Create(x[o], count > 1 ? x[o + 1] : 0.0, count > 2 ? x[o + 2] : 0.0, 0.0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LoadTail(Span<double> x, int o, int count) => LoadTail((ReadOnlySpan<double>)x, o, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTail(Vector256<double> v, Span<double> x, int o, int count)
    {
        x[o] = v.GetElement(0);
        if (count > 1) x[o + 1] = v.GetElement(1);
        if (count > 2) x[o + 2] = v.GetElement(2);
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
