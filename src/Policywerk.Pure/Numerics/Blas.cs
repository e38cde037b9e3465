using System.Numerics;
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
    /// With (ai, as) = (q, 1) this is C += A·B; with (1, p) it is C += Aᵀ·B. With <paramref name="accumulate"/>
    /// false the old contents of C are ignored (C = A·B), so C may be a fresh uninitialised buffer.
    /// </summary>
    /// <remarks>
    /// Register-blocked: two rows of C × four vectors live in eight vector accumulators while s runs, so each element
    /// of C is loaded and stored once. The vectors are the widest the machine has (eight lanes with AVX-512, else
    /// four); columns left over go to four-lane vectors and then to one accumulator whose unused lanes are zero.
    /// Every element's sum has the same order on every path and at every width.
    /// </remarks>
    public static void MulAdd(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n,
        bool accumulate = true)
    {
        if (Vector512.IsHardwareAccelerated) MulAdd<Lanes8>(a, ai, @as, b, c, p, q, n, accumulate);
        else MulAdd<Lanes4>(a, ai, @as, b, c, p, q, n, accumulate);
    }

    /// <summary><see cref="MulAdd(ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, Span{double}, int, int, int, bool)"/> with
    /// <typeparamref name="TV"/> as the widest lanes (tests run both widths on any machine; they must agree bit for bit).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // one compiled dispatcher: inlined into each caller it exhausted the JIT's inlining
    // budget, and the kernels it pulled in were left calling each vector operator (the same for TwoRows and OneRow)
    internal static void MulAdd<TV>(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n,
        bool accumulate)
        where TV : struct, ILaneMath<TV>
    {
        if (p == 0 || n == 0) return;
        if (b.Length < q * n || c.Length < p * n || (q > 0 && a.Length <= (p - 1) * ai + (q - 1) * @as))
            throw new ArgumentException("MulAdd: span too short for the given shape");
        if (n < 4 && p >= 8)
        {
            // narrow outputs (a 2- or 3-unit head) would leave most vector lanes idle: reorganise the same sums
            if (@as == 1)
            {
                NarrowRows(a, ai, b, c, p, q, n, accumulate);
                return;
            }
            if (ai == 1 && @as == p && !accumulate)
            {
                NarrowTransposed<TV>(a, b, c, p, q, n);
                return;
            }
        }
        if (n >= 16 && q >= 8 && Sparse<TV>(a, ai, @as, b, c, p, q, n, accumulate)) return;
        var i = 0;
        for (; i + 2 <= p; i += 2) TwoRows<TV>(a, ai, @as, b, c, i, q, n, accumulate);
        if (i < p) OneRow<TV>(a, ai, @as, b, c, i, q, n, accumulate);
    }

    /// <summary>The longest row or column the sparse path indexes on the stack; longer ones run dense.</summary>
    private const int MaxSparseTerms = 2048;

    /// <summary>
    /// The same product when A is mostly zeros (a DQN's pixel input in x·W, and its transpose in ∂L/∂W = xᵀ·δ): only the
    /// terms with a(i,s) ≠ 0 are added, each element's sum still in ascending s. A skipped term would add
    /// a(i,s)·B[s,j] = ±0, and c + (±0) = c for every c except −0, which a sum started at +0 never reaches; so for finite
    /// B the result is the dense one bit for bit, and the choice of path (a sample of A's rows decides, for speed only)
    /// never changes a number. Returns false, writing nothing, when A looks dense or the shape does not fit.
    /// </summary>
    private static bool Sparse<TV>(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n, bool acc)
        where TV : struct, ILaneMath<TV>
    {
        if (@as == 1)
        {
            // row i of A is a[i·ai …]: list its non-zero terms, then sum them in registers
            if (q > MaxSparseTerms || !MostlyZero(a, ai, p, q)) return false;
            Span<int> terms = stackalloc int[q];
            for (var i = 0; i < p; i++)
            {
                var count = NonZeros(a.Slice(i * ai, q), terms);
                Row<ListedTerms, TV>(a, i * ai, 1, b, c, i, new ListedTerms(terms.Slice(0, count)), n, acc);
            }
            return true;
        }
        if (ai == 1)
        {
            // A = Xᵀ, X's row s is a[s·as …]: mark, for every i, the s with a(i,s) ≠ 0 as bits of one word (vector compares
            // over X's rows), then sum row i of C in registers over its marked s, ascending
            if (q > 64 || p > MaxSparseTerms || !MostlyZero(a, @as, q, p)) return false;
            Span<ulong> marks = stackalloc ulong[p];
            ref var aRef = ref MemoryMarshal.GetReference(a);
            ref var mRef = ref Unsafe.As<ulong, long>(ref MemoryMarshal.GetReference(marks));
            var i = 0;
            for (; i + 4 <= p; i += 4)
            {
                // four inputs' marks in one register while s runs down X's rows
                var mark = Vector256<long>.Zero;
                for (var s = 0; s < q; s++)
                {
                    var zero = Vector256.Equals(Vector256.LoadUnsafe(ref aRef, (nuint)(s * @as + i)), Vector256<double>.Zero).AsInt64();
                    mark |= Vector256.AndNot(Vector256.Create(1L << s), zero);
                }
                mark.StoreUnsafe(ref mRef, (nuint)i);
            }
            for (; i < p; i++)
            {
                var mark = 0UL;
                for (var s = 0; s < q; s++)
                    if (Unsafe.Add(ref aRef, s * @as + i) != 0.0) mark |= 1UL << s;
                marks[i] = mark;
            }
            Span<int> terms = stackalloc int[q];
            for (i = 0; i < p; i++)
            {
                var count = 0;
                for (var m = marks[i]; m != 0; m &= m - 1) terms[count++] = BitOperations.TrailingZeroCount(m);
                Row<ListedTerms, TV>(a, i, @as, b, c, i, new ListedTerms(terms.Slice(0, count)), n, acc);
            }
            return true;
        }
        return false;
    }

    /// <summary>Whether at most a third of the entries of four sampled rows (first, last, two between) of X [rows × cols, row stride] are non-zero.</summary>
    private static bool MostlyZero(ReadOnlySpan<double> x, int stride, int rows, int cols)
    {
        var nonZero = 0;
        for (var k = 0; k < 4; k++)
            nonZero += CountNonZeros(x.Slice(k * (rows - 1) / 3 * stride, cols));
        return 3 * nonZero <= 4 * cols;
    }

    /// <summary>The number of entries of x that are not 0 (NaN counts as non-zero).</summary>
    private static int CountNonZeros(ReadOnlySpan<double> x)
    {
        ref var xr = ref MemoryMarshal.GetReference(x);
        var count = 0;
        var s = 0;
        for (; s + 4 <= x.Length; s += 4)
            count += BitOperations.PopCount(~Vector256.Equals(Vector256.LoadUnsafe(ref xr, (nuint)s), Vector256<double>.Zero).ExtractMostSignificantBits() & 0xFu);
        for (; s < x.Length; s++)
            if (x[s] != 0.0) count++;
        return count;
    }

    /// <summary>Writes the positions s of the entries of x that are not 0 (NaN included) to <paramref name="index"/> in ascending order; returns how many.</summary>
    private static int NonZeros(ReadOnlySpan<double> x, Span<int> index)
    {
        ref var xr = ref MemoryMarshal.GetReference(x);
        var count = 0;
        var s = 0;
        for (; s + 4 <= x.Length; s += 4)
        {
            var mask = ~Vector256.Equals(Vector256.LoadUnsafe(ref xr, (nuint)s), Vector256<double>.Zero).ExtractMostSignificantBits() & 0xFu;
            for (; mask != 0; mask &= mask - 1) index[count++] = s + BitOperations.TrailingZeroCount(mask);
        }
        for (; s < x.Length; s++)
            if (x[s] != 0.0) index[count++] = s;
        return count;
    }

    /// <summary>Which terms s a row sums, in ascending order: all of 0 … q−1 (<see cref="AllTerms"/>) or a list (<see cref="ListedTerms"/>).
    /// A struct type argument, so the JIT compiles <see cref="Row"/> once for each, without an indirection for the dense row.</summary>
    private interface ITerms
    {
        int Count { get; }
        int this[int t] { get; }
    }

    private readonly struct AllTerms(int count) : ITerms
    {
        public int Count => count;
        public int this[int t] => t;
    }

    private readonly ref struct ListedTerms(ReadOnlySpan<int> list) : ITerms
    {
        private readonly ReadOnlySpan<int> list = list;
        public int Count => list.Length;
        public int this[int t] => list[t];
    }

    /// <summary>C[i,:] (+)= Σ_{s ∈ terms} a[o + s·step]·B[s,:], s ascending, register-blocked: eight, four or one output vectors stay in
    /// registers while s runs; columns go to the widest lanes the machine has (<see cref="Lanes8"/> where it has AVX-512), then
    /// <see cref="Lanes4"/>, then a zero-padded tail. Each lane is one element of C, so the width never changes a bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TTerms, TV>(ReadOnlySpan<double> a, int o, int step, ReadOnlySpan<double> b, Span<double> c, int i, TTerms terms, int n, bool acc)
        where TTerms : ITerms, allows ref struct
        where TV : struct, ILaneMath<TV>
    {
        var j = RowBlocks<TTerms, TV>(a, o, step, b, c, i, terms, n, 0, acc);
        if (typeof(TV) != typeof(Lanes4)) j = RowBlocks<TTerms, Lanes4>(a, o, step, b, c, i, terms, n, j, acc);
        if (j == n) return;
        ref var aRef = ref MemoryMarshal.GetReference(a);
        var r0 = i * n;
        var t0 = acc ? LoadTail(c, r0 + j, n - j) : Vector256<double>.Zero;
        for (var t = 0; t < terms.Count; t++)
        {
            var s = terms[t];
            t0 += Vector256.Create(Unsafe.Add(ref aRef, o + s * step)) * LoadTail(b, s * n + j, n - j);
        }
        StoreTail(t0, c, r0 + j, n - j);
    }

    /// <summary>The whole vectors of <see cref="Row{TTerms, TV}"/> from column <paramref name="j"/> on; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RowBlocks<TTerms, TV>(ReadOnlySpan<double> a, int o, int step, ReadOnlySpan<double> b, Span<double> c, int i, TTerms terms,
        int n, int j, bool acc)
        where TTerms : ITerms, allows ref struct
        where TV : struct, ILaneMath<TV>
    {
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        var r0 = (nuint)(i * n);
        var w = (nuint)TV.Count;
        for (; j + 8 * TV.Count <= n; j += 8 * TV.Count)
        {
            var jo = r0 + (nuint)j;
            TV c0 = LoadOrZero<TV>(acc, ref cRef, jo), c1 = LoadOrZero<TV>(acc, ref cRef, jo + w),
                c2 = LoadOrZero<TV>(acc, ref cRef, jo + 2 * w), c3 = LoadOrZero<TV>(acc, ref cRef, jo + 3 * w),
                c4 = LoadOrZero<TV>(acc, ref cRef, jo + 4 * w), c5 = LoadOrZero<TV>(acc, ref cRef, jo + 5 * w),
                c6 = LoadOrZero<TV>(acc, ref cRef, jo + 6 * w), c7 = LoadOrZero<TV>(acc, ref cRef, jo + 7 * w);
            for (var t = 0; t < terms.Count; t++)
            {
                var s = terms[t];
                var va = TV.Of(Unsafe.Add(ref aRef, o + s * step));
                var bo = (nuint)(s * n + j);
                c0 += va * TV.Load(ref bRef, bo);
                c1 += va * TV.Load(ref bRef, bo + w);
                c2 += va * TV.Load(ref bRef, bo + 2 * w);
                c3 += va * TV.Load(ref bRef, bo + 3 * w);
                c4 += va * TV.Load(ref bRef, bo + 4 * w);
                c5 += va * TV.Load(ref bRef, bo + 5 * w);
                c6 += va * TV.Load(ref bRef, bo + 6 * w);
                c7 += va * TV.Load(ref bRef, bo + 7 * w);
            }
            c0.Store(ref cRef, jo); c1.Store(ref cRef, jo + w);
            c2.Store(ref cRef, jo + 2 * w); c3.Store(ref cRef, jo + 3 * w);
            c4.Store(ref cRef, jo + 4 * w); c5.Store(ref cRef, jo + 5 * w);
            c6.Store(ref cRef, jo + 6 * w); c7.Store(ref cRef, jo + 7 * w);
        }
        for (; j + 4 * TV.Count <= n; j += 4 * TV.Count)
        {
            var jo = r0 + (nuint)j;
            TV c0 = LoadOrZero<TV>(acc, ref cRef, jo), c1 = LoadOrZero<TV>(acc, ref cRef, jo + w),
                c2 = LoadOrZero<TV>(acc, ref cRef, jo + 2 * w), c3 = LoadOrZero<TV>(acc, ref cRef, jo + 3 * w);
            for (var t = 0; t < terms.Count; t++)
            {
                var s = terms[t];
                var va = TV.Of(Unsafe.Add(ref aRef, o + s * step));
                var bo = (nuint)(s * n + j);
                c0 += va * TV.Load(ref bRef, bo);
                c1 += va * TV.Load(ref bRef, bo + w);
                c2 += va * TV.Load(ref bRef, bo + 2 * w);
                c3 += va * TV.Load(ref bRef, bo + 3 * w);
            }
            c0.Store(ref cRef, jo); c1.Store(ref cRef, jo + w);
            c2.Store(ref cRef, jo + 2 * w); c3.Store(ref cRef, jo + 3 * w);
        }
        for (; j + TV.Count <= n; j += TV.Count)
        {
            var jo = r0 + (nuint)j;
            var c0 = LoadOrZero<TV>(acc, ref cRef, jo);
            for (var t = 0; t < terms.Count; t++)
            {
                var s = terms[t];
                c0 += TV.Of(Unsafe.Add(ref aRef, o + s * step)) * TV.Load(ref bRef, (nuint)(s * n + j));
            }
            c0.Store(ref cRef, jo);
        }
        return j;
    }

    /// <summary>C[i,j] (+)= Dot(A[i,:], B[:,j]) with Bᵀ formed once: contiguous dot products instead of 1–3 live lanes.</summary>
    private static void NarrowRows(ReadOnlySpan<double> a, int ai, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n, bool accumulate)
    {
        Span<double> bT = q * n <= 2048 ? stackalloc double[q * n] : new double[q * n];
        Transpose(b, bT, q, n);
        for (var i = 0; i < p; i++)
        {
            var row = a.Slice(i * ai, q);
            for (var j = 0; j < n; j++)
            {
                var dot = Dot(row, bT.Slice(j * q, q));
                c[i * n + j] = accumulate ? c[i * n + j] + dot : dot;
            }
        }
    }

    /// <summary>C = Aᵀ·B for narrow B (n &lt; 4) as Cᵀ = Bᵀ·A, a wide product (each sum still runs over s ascending), then transposed.</summary>
    private static void NarrowTransposed<TV>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int p, int q, int n)
        where TV : struct, ILaneMath<TV>
    {
        Span<double> cT = n * p <= 2048 ? stackalloc double[n * p] : new double[n * p];
        MulAdd<TV>(b, 1, n, a, cT, n, q, p, accumulate: false);
        Transpose(cT, c, n, p);
    }

    /// <summary>Rows i and i+1 of C over every term s: four output vectors per row stay in registers while s runs, the widest
    /// lanes first (as in <see cref="Row{TTerms, TV}"/>), then a zero-padded tail.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TwoRows<TV>(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int i, int q, int n, bool acc)
        where TV : struct, ILaneMath<TV>
    {
        var j = TwoRowBlocks<TV>(a, ai, @as, b, c, i, q, n, 0, acc);
        if (typeof(TV) != typeof(Lanes4)) j = TwoRowBlocks<Lanes4>(a, ai, @as, b, c, i, q, n, j, acc);
        if (j == n) return;
        ref var aRef = ref MemoryMarshal.GetReference(a);
        int r0 = i * n, r1 = (i + 1) * n;
        var t0 = acc ? LoadTail(c, r0 + j, n - j) : Vector256<double>.Zero;
        var t1 = acc ? LoadTail(c, r1 + j, n - j) : Vector256<double>.Zero;
        nuint ao0 = (nuint)(i * ai), ao1 = (nuint)((i + 1) * ai), step = (nuint)@as;
        for (var s = 0; s < q; s++, ao0 += step, ao1 += step)
        {
            var bv = LoadTail(b, s * n + j, n - j);
            t0 += Vector256.Create(Unsafe.Add(ref aRef, ao0)) * bv;
            t1 += Vector256.Create(Unsafe.Add(ref aRef, ao1)) * bv;
        }
        StoreTail(t0, c, r0 + j, n - j);
        StoreTail(t1, c, r1 + j, n - j);
    }

    /// <summary>The whole vectors of <see cref="TwoRows{TV}"/> from column <paramref name="j"/> on; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TwoRowBlocks<TV>(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int i, int q, int n,
        int j, bool acc)
        where TV : struct, ILaneMath<TV>
    {
        ref var aRef = ref MemoryMarshal.GetReference(a);
        ref var bRef = ref MemoryMarshal.GetReference(b);
        ref var cRef = ref MemoryMarshal.GetReference(c);
        nuint r0 = (nuint)(i * n), r1 = (nuint)((i + 1) * n);
        nuint a0 = (nuint)(i * ai), a1 = (nuint)((i + 1) * ai), step = (nuint)@as, w = (nuint)TV.Count;
        for (; j + 4 * TV.Count <= n; j += 4 * TV.Count)
        {
            var o = (nuint)j;
            TV c00 = LoadOrZero<TV>(acc, ref cRef, r0 + o), c01 = LoadOrZero<TV>(acc, ref cRef, r0 + o + w),
                c02 = LoadOrZero<TV>(acc, ref cRef, r0 + o + 2 * w), c03 = LoadOrZero<TV>(acc, ref cRef, r0 + o + 3 * w),
                c10 = LoadOrZero<TV>(acc, ref cRef, r1 + o), c11 = LoadOrZero<TV>(acc, ref cRef, r1 + o + w),
                c12 = LoadOrZero<TV>(acc, ref cRef, r1 + o + 2 * w), c13 = LoadOrZero<TV>(acc, ref cRef, r1 + o + 3 * w);
            nuint ao0 = a0, ao1 = a1, bo = o;
            for (var s = 0; s < q; s++, ao0 += step, ao1 += step, bo += (nuint)n)
            {
                var va = TV.Of(Unsafe.Add(ref aRef, ao0));
                var vb = TV.Of(Unsafe.Add(ref aRef, ao1));
                var b0 = TV.Load(ref bRef, bo);
                var b1 = TV.Load(ref bRef, bo + w);
                var b2 = TV.Load(ref bRef, bo + 2 * w);
                var b3 = TV.Load(ref bRef, bo + 3 * w);
                c00 += va * b0; c01 += va * b1; c02 += va * b2; c03 += va * b3;
                c10 += vb * b0; c11 += vb * b1; c12 += vb * b2; c13 += vb * b3;
            }
            c00.Store(ref cRef, r0 + o); c01.Store(ref cRef, r0 + o + w);
            c02.Store(ref cRef, r0 + o + 2 * w); c03.Store(ref cRef, r0 + o + 3 * w);
            c10.Store(ref cRef, r1 + o); c11.Store(ref cRef, r1 + o + w);
            c12.Store(ref cRef, r1 + o + 2 * w); c13.Store(ref cRef, r1 + o + 3 * w);
        }
        for (; j + TV.Count <= n; j += TV.Count)
        {
            var o = (nuint)j;
            var c0 = LoadOrZero<TV>(acc, ref cRef, r0 + o);
            var c1 = LoadOrZero<TV>(acc, ref cRef, r1 + o);
            nuint ao0 = a0, ao1 = a1, bo = o;
            for (var s = 0; s < q; s++, ao0 += step, ao1 += step, bo += (nuint)n)
            {
                var bv = TV.Load(ref bRef, bo);
                c0 += TV.Of(Unsafe.Add(ref aRef, ao0)) * bv;
                c1 += TV.Of(Unsafe.Add(ref aRef, ao1)) * bv;
            }
            c0.Store(ref cRef, r0 + o);
            c1.Store(ref cRef, r1 + o);
        }
        return j;
    }

    /// <summary>The last row of an odd p: every term s = 0 … q−1.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OneRow<TV>(ReadOnlySpan<double> a, int ai, int @as, ReadOnlySpan<double> b, Span<double> c, int i, int q, int n, bool acc)
        where TV : struct, ILaneMath<TV> =>
        Row<AllTerms, TV>(a, i * ai, @as, b, c, i, new AllTerms(q), n, acc);

    /// <summary>C's current block when accumulating, zeros otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LoadOrZero<TV>(bool accumulate, ref double c, nuint offset) where TV : struct, ILaneMath<TV> =>
        accumulate ? TV.Load(ref c, offset) : TV.Of(0.0);

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
    /// C[i,k] = Σ_j X[i,j]·W[k,j] (C = X·Wᵀ) for X [p×n], W [m×n], C [p×m]: Wᵀ is formed once (on the stack when it is
    /// small) and C = X·Wᵀ runs through <see cref="MulAdd(ReadOnlySpan{double}, int, int, ReadOnlySpan{double}, Span{double}, int, int, int, bool)"/>,
    /// so each element is summed over j ascending like every other product (and a 1–3-column C takes its narrow path).
    /// </summary>
    public static void MulTransB(ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> c, int p, int m, int n)
    {
        if (x.Length < p * n || w.Length < m * n || c.Length < p * m)
            throw new ArgumentException("MulTransB: span too short for the given shape");
        Span<double> wT = m * n <= MaxStackTranspose ? stackalloc double[m * n] : new double[m * n];
        Transpose(w, wT, m, n);
        MulAdd(x, n, 1, wT, c, p, n, m, accumulate: false);
    }

    /// <summary>Aᵀ [n × m] from A [m × n] (no arithmetic, so no rounding).</summary>
    public static void Transpose(ReadOnlySpan<double> a, Span<double> aT, int m, int n)
    {
        if (a.Length < m * n || aT.Length < m * n) throw new ArgumentException("Transpose: span too short for the given shape");
        ref var src = ref MemoryMarshal.GetReference(a);
        ref var dst = ref MemoryMarshal.GetReference(aT);
        for (var k = 0; k < m; k++)
        {
            ref var row = ref Unsafe.Add(ref src, k * n);
            for (var j = 0; j < n; j++) Unsafe.Add(ref dst, j * m + k) = Unsafe.Add(ref row, j);
        }
    }

    /// <summary>The largest Wᵀ (in doubles, 32 KB) <see cref="MulTransB"/> forms on the stack.</summary>
    private const int MaxStackTranspose = 4096;

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

    /// <summary>C[j] = X[0,j] + X[1,j] + … + X[p−1,j], i ascending (bias gradients into a fresh buffer).</summary>
    public static void SetColumnSums(ReadOnlySpan<double> x, Span<double> c, int p, int n)
    {
        if (p == 0)
        {
            c.Slice(0, n).Clear();
            return;
        }
        x.Slice(0, n).CopyTo(c);
        for (var i = 1; i < p; i++) AddTo(x.Slice(i * n, n), c);
    }

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

    /// <summary>y += a ⊙ b, element by element (y_i + a_i·b_i).</summary>
    public static void AddProduct(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> y)
    {
        if (a.Length < y.Length || b.Length < y.Length) throw new ArgumentException("AddProduct: sources too short");
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        for (; i + 4 <= y.Length; i += 4)
            (Vector256.LoadUnsafe(ref yr, (nuint)i) + Vector256.LoadUnsafe(ref ar, (nuint)i) * Vector256.LoadUnsafe(ref br, (nuint)i))
                .StoreUnsafe(ref yr, (nuint)i);
        for (; i < y.Length; i++) y[i] += a[i] * b[i];
    }

    /// <summary>y = (1 − z) ⊙ x + z ⊙ w, element by element ((1 − z_i)·x_i + z_i·w_i: the GRU's update).</summary>
    public static void Interpolate(ReadOnlySpan<double> z, ReadOnlySpan<double> x, ReadOnlySpan<double> w, Span<double> y)
    {
        if (z.Length < y.Length || x.Length < y.Length || w.Length < y.Length) throw new ArgumentException("Interpolate: sources too short");
        ref var zr = ref MemoryMarshal.GetReference(z);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var wr = ref MemoryMarshal.GetReference(w);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        for (; i + 4 <= y.Length; i += 4)
        {
            var zi = Vector256.LoadUnsafe(ref zr, (nuint)i);
            ((Vector256<double>.One - zi) * Vector256.LoadUnsafe(ref xr, (nuint)i) + zi * Vector256.LoadUnsafe(ref wr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < y.Length; i++) y[i] = (1.0 - z[i]) * x[i] + z[i] * w[i];
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
