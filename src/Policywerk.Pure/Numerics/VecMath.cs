using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Policywerk.Pure.Numerics;

/// <summary>
/// exp, tanh and σ over spans, eight lanes at a time with <see cref="Vector512{T}"/> where the machine has AVX-512 and four
/// with <see cref="Vector256{T}"/> otherwise: the activations of large batches are the hot loop of every network (a PPO
/// forward pass on 500 states evaluates 32 000 tanh).
/// </summary>
/// <remarks>
/// Determinism: the algorithms are our own fixed sequences of IEEE operations (Cephes' rational
/// approximations, Moshier 1989), so every lane, every tail element and every scalar call computes the same
/// bits on every x64 or Arm CPU and at either width: the algorithms are written once over <see cref="ILaneMath{TSelf}"/>, a
/// tail shorter than four is padded into a vector and runs the same code, and the scalar forms run the vector code on one
/// lane. Accuracy: within a few units in the last place of <see cref="Math.Exp"/> and <see cref="Math.Tanh"/> (tested).
/// </remarks>
internal static class VecMath
{
    // exp: x = k·ln 2 + r (Cody–Waite with ln 2 = C1 + C2), e^r = 1 + 2r·P(r²) / (Q(r²) − r·P(r²))
    private const double Log2E = 1.4426950408889634073599;
    private const double C1 = 6.93145751953125E-1;
    private const double C2 = 1.42860682030941723212E-6;
    private const double P0 = 1.26177193074810590878E-4, P1 = 3.02994407707441961300E-2, P2 = 9.99999999999999999910E-1;
    private const double Q0 = 3.00198505138664455042E-6, Q1 = 2.52448340349684104192E-3, Q2 = 2.27265548208155028766E-1, Q3 = 2.00000000000000000009E0;
    private const double MaxExp = 708.0, MinExp = -708.0;
    private const double RoundMagic = 6755399441055744.0; // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits

    // tanh for |x| < 0.625: x + x·x²·P(x²)/Q(x²)
    private const double TP0 = -9.64399179425052238628E-1, TP1 = -9.92877231001918586564E1, TP2 = -1.61468768441708447952E3;
    private const double TQ0 = 1.12811678491632931402E2, TQ1 = 2.23548839060100448583E3, TQ2 = 4.84406305325125486048E3;

    // log: x = 2^e·m, m ∈ [√½, √2), log m = (m−1) − (m−1)²/2 + (m−1)³·P(m−1)/Q(m−1) (Cephes log.c), ln 2 = L1 + L2
    private const double LP0 = 1.01875663804580931796E-4, LP1 = 4.97494994976747001425E-1, LP2 = 4.70579119878881725854E0,
        LP3 = 1.44989225341610930846E1, LP4 = 1.79368678507819816313E1, LP5 = 7.70838733755885391666E0;
    private const double LQ0 = 1.12873587189167450590E1, LQ1 = 4.52279145837532221105E1, LQ2 = 8.29875266912776603211E1,
        LQ3 = 7.11544750618563894466E1, LQ4 = 2.31251620126765340583E1;
    private const double L1 = 0.693359375, L2 = -2.121944400546905827679E-4, SqrtHalf = 0.70710678118654752440;

    // sin, cos: x = m·π/2 + z, |z| ≤ π/4 (π/4 = D1 + D2 + D3), Cephes sin.c's polynomials for sin z and cos z
    private const double FourOverPi = 1.27323954473516268615, D1 = 7.85398125648498535156E-1, D2 = 3.77489470793079817668E-8,
        D3 = 2.69515142907905952645E-15;
    private const double S0 = 1.58962301576546568060E-10, S1 = -2.50507477628578072866E-8, S2 = 2.75573136213857245213E-6,
        S3 = -1.98412698295895385996E-4, S4 = 8.33333333332211858878E-3, S5 = -1.66666666666666307295E-1;
    private const double K0 = -1.13585365213876817300E-11, K1 = 2.08757008419747316778E-9, K2 = -2.75573141792967388112E-7,
        K3 = 2.48015872888517045348E-5, K4 = -1.38888888888730564116E-3, K5 = 4.16666666666665929218E-2;

    /// <summary>ln x lane by lane, for positive normal x (Cephes' rational form on the mantissa; no domain handling).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Log<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        var (m, e) = TV.Frexp(x);                                    // x = m·2^e, m ∈ [½, 1)
        var small = TV.LessThan(m, TV.Of(SqrtHalf));
        e = TV.Select(small, e - TV.Of(1.0), e);
        var f = TV.Select(small, m + m - TV.Of(1.0), m - TV.Of(1.0)); // exact: m − 1 or 2m − 1, in [√½ − 1, √2 − 1)
        var ff = f * f;
        var p = ((((TV.Of(LP0) * f + TV.Of(LP1)) * f + TV.Of(LP2)) * f + TV.Of(LP3)) * f + TV.Of(LP4)) * f + TV.Of(LP5);
        var q = ((((f + TV.Of(LQ0)) * f + TV.Of(LQ1)) * f + TV.Of(LQ2)) * f + TV.Of(LQ3)) * f + TV.Of(LQ4);
        var y = f * (ff * p / q) + e * TV.Of(L2) - TV.Of(0.5) * ff;
        return f + y + e * TV.Of(L1);
    }

    /// <summary>(sin x, cos x) lane by lane for 0 ≤ x &lt; 2π (one reduction x = m·π/2 + z for both; Cephes' polynomials).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV Sin, TV Cos) SinCos<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        var j = TV.Floor(x * TV.Of(FourOverPi));
        j = j + (j - TV.Of(2.0) * TV.Floor(j * TV.Of(0.5)));          // round an odd octant up: j even
        var z = x - j * TV.Of(D1) - j * TV.Of(D2) - j * TV.Of(D3);
        var zz = z * z;
        var sinZ = z + z * zz * (((((TV.Of(S0) * zz + TV.Of(S1)) * zz + TV.Of(S2)) * zz + TV.Of(S3)) * zz + TV.Of(S4)) * zz + TV.Of(S5));
        var cosZ = TV.Of(1.0) - TV.Of(0.5) * zz + zz * zz * (((((TV.Of(K0) * zz + TV.Of(K1)) * zz + TV.Of(K2)) * zz + TV.Of(K3)) * zz + TV.Of(K4)) * zz + TV.Of(K5));
        var quadrant = j * TV.Of(0.5) - TV.Of(4.0) * TV.Floor(j * TV.Of(0.125)); // m mod 4 ∈ {0, 1, 2, 3}
        var odd = quadrant - TV.Of(2.0) * TV.Floor(quadrant * TV.Of(0.5));            // m mod 2
        var swap = TV.LessThan(TV.Of(0.5), odd);
        var sin = TV.Select(swap, cosZ, sinZ);
        var cos = TV.Select(swap, sinZ, cosZ);
        var sinNegative = TV.LessThan(TV.Of(1.5), quadrant);                             // m = 2, 3
        var cosNegative = TV.LessThan(TV.Of(0.5), quadrant) & TV.LessThan(quadrant, TV.Of(2.5)); // m = 1, 2
        return (TV.Select(sinNegative, -sin, sin), TV.Select(cosNegative, -cos, cos));
    }

    /// <summary>min(x, limit) lane by lane with a compare and a blend: a NaN stays NaN (as IEEE minimum keeps it), without
    /// the sign-of-zero fix-ups Vector.Min spends four instructions on (the limits here are never zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Below<TV>(TV x, TV limit) where TV : struct, ILaneMath<TV> => TV.Select(TV.LessThan(limit, x), limit, x);

    /// <summary>max(x, limit) lane by lane in the same way (a NaN stays NaN; max(−0, 0) gives −0, which adds like +0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Above<TV>(TV x, TV limit) where TV : struct, ILaneMath<TV> => TV.Select(TV.LessThan(x, limit), limit, x);

    /// <summary>x clamped to [lo, hi] lane by lane, a NaN staying NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Clamp<TV>(TV x, TV lo, TV hi) where TV : struct, ILaneMath<TV> => Below(Above(x, lo), hi);

    /// <summary>
    /// The range reduction both exponentials share: x (clamped to ±708 so the result stays finite and normal) = k·ln 2 + r
    /// with k = round(x·log₂e), and Cephes' rP(r²), Q(r²) with e^r = (Q + rP)/(Q − rP); returns 2^k, rP and Q.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV Scale, TV P, TV Q) ExpParts<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        x = Clamp(x, TV.Of(MinExp), TV.Of(MaxExp));
        var magic = TV.Of(RoundMagic);
        var t = x * TV.Of(Log2E) + magic;
        var k = t - magic;                                           // round(x·log₂e)
        var r = x - k * TV.Of(C1) - k * TV.Of(C2);
        var rr = r * r;
        var px = r * ((TV.Of(P0) * rr + TV.Of(P1)) * rr + TV.Of(P2));
        var qx = ((TV.Of(Q0) * rr + TV.Of(Q1)) * rr + TV.Of(Q2)) * rr + TV.Of(Q3);
        return (TV.PowerOfTwo(t, magic), px, qx);                    // 2^k
    }

    /// <summary>e^x = 2^k·(1 + 2rP/(Q − rP)) lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Exp<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        var (scale, px, qx) = ExpParts(x);
        return (TV.Of(1.0) + TV.Of(2.0) * px / (qx - px)) * scale;
    }

    /// <summary>
    /// e^x as a fraction N/D lane by lane: N = 2^k·(Q + rP), D = Q − rP. Callers fold D into their own single division (tanh
    /// and σ each need exactly one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV N, TV D) ExpFraction<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        var (scale, px, qx) = ExpParts(x);
        return (scale * (qx + px), qx - px);
    }

    /// <summary>
    /// tanh x lane by lane with one division: near 0 Cephes' x + x·z·P(z)/Q(z) (z = x²) as (x·Q + x·zP)/Q;
    /// elsewhere (e^{2|x|} − 1)/(e^{2|x|} + 1) = (N − D)/(N + D) from <see cref="ExpFraction"/>, sign restored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Tanh<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        var a = TV.Abs(x);
        var (n, d) = ExpFraction(Below(a, TV.Of(20.0)) * TV.Of(2.0)); // tanh(20) rounds to 1
        var bigNum = TV.WithSignOf(n - d, x);                         // tanh is odd
        var bigDen = n + d;
        var z = x * x;
        var p = (TV.Of(TP0) * z + TV.Of(TP1)) * z + TV.Of(TP2);
        var q = ((z + TV.Of(TQ0)) * z + TV.Of(TQ1)) * z + TV.Of(TQ2);
        var smallNum = x * q + x * (z * p);
        var small = TV.LessThan(a, TV.Of(0.625));
        return TV.Select(small, smallNum, bigNum) / TV.Select(small, q, bigDen);
    }

    /// <summary>σ(x) = 1/(1 + e^{−x}) = D/(D + N) with e^{−x} = N/D (one division; e^{−x} is clamped, so σ saturates cleanly at 0 and 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Sigmoid<TV>(TV x) where TV : struct, ILaneMath<TV>
    {
        var (n, d) = ExpFraction(-x);
        return d / (d + n);
    }

    /// <summary>y_i = e^{x_i}.</summary>
    public static void Exp(ReadOnlySpan<double> x, Span<double> y) => Map<ExpOp>(x, y, Vector512.IsHardwareAccelerated);

    /// <summary>y_i = tanh x_i.</summary>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> y) => Map<TanhOp>(x, y, Vector512.IsHardwareAccelerated);

    /// <summary>y_i = σ(x_i).</summary>
    public static void Sigmoid(ReadOnlySpan<double> x, Span<double> y) => Map<SigmoidOp>(x, y, Vector512.IsHardwareAccelerated);

    /// <summary>y_i = ln x_i for positive normal x_i.</summary>
    public static void Log(ReadOnlySpan<double> x, Span<double> y) => Map<LogOp>(x, y, Vector512.IsHardwareAccelerated);

    /// <summary>y_i = softplus(x_i) = max(x_i, 0) + ln(1 + e^{−|x_i|}), for every finite x_i.</summary>
    public static void Softplus(ReadOnlySpan<double> x, Span<double> y) => Map<SoftplusOp>(x, y, Vector512.IsHardwareAccelerated);

    /// <summary>ln x for positive normal x, bit-identical to the span form.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own, so the lane operations inline (see MapLanes)
    public static double Log(double x) => Log(Lanes4.Of(x)).First;

    /// <summary>softplus(x) = max(x, 0) + ln(1 + e^{−|x|}), bit-identical to the span form.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own, so the lane operations inline (see MapLanes)
    public static double Softplus(double x) => Softplus(Lanes4.Of(x)).First;

    /// <summary>(sin x, cos x) for 0 ≤ x &lt; 2π, bit-identical to <see cref="Gaussians"/>'s use of it.</summary>
    public static (double Sin, double Cos) SinCos(double x)
    {
        var (sin, cos) = SinCos(Lanes4.Of(x));
        return (sin.First, cos.First);
    }

    /// <summary>
    /// Standard normals by the Box–Muller transform from uniforms u ∈ [0, 1): the pair (u₁, u₂) = (u[2i], u[2i+1]) gives
    /// r = √(−2 ln(1 − u₁)), θ = 2πu₂ and z[2i] = r cos θ, z[2i+1] = r sin θ (an odd z.Length drops the last sine).
    /// Four pairs at a time; a short last block is padded and runs the same code.
    /// </summary>
    public static void Gaussians(ReadOnlySpan<double> u, Span<double> z)
    {
        var pairs = (z.Length + 1) / 2;
        if (u.Length < 2 * pairs) throw new ArgumentException("Gaussians: two uniforms for each pair");
        Span<double> u1 = stackalloc double[4], u2 = stackalloc double[4], sin = stackalloc double[4], cos = stackalloc double[4];
        ref var u1r = ref MemoryMarshal.GetReference(u1);
        ref var u2r = ref MemoryMarshal.GetReference(u2);
        for (var first = 0; first < pairs; first += 4)
        {
            var count = Math.Min(4, pairs - first);
            for (var i = 0; i < 4; i++)
            {
                u1[i] = i < count ? u[2 * (first + i)] : 0.0;
                u2[i] = i < count ? u[2 * (first + i) + 1] : 0.0;
            }
            var radius = Lanes4.Sqrt(Lanes4.Of(-2.0) * Log(Lanes4.Of(1.0) - Lanes4.Load(ref u1r, 0))); // 1 − u₁ ∈ (0, 1]: never log(0)
            var (s, c) = SinCos(Lanes4.Of(2.0 * Math.PI) * Lanes4.Load(ref u2r, 0));
            (radius * s).Store(ref MemoryMarshal.GetReference(sin), 0);
            (radius * c).Store(ref MemoryMarshal.GetReference(cos), 0);
            for (var i = 0; i < count; i++)
            {
                z[2 * (first + i)] = cos[i];
                if (2 * (first + i) + 1 < z.Length) z[2 * (first + i) + 1] = sin[i];
            }
        }
    }

    /// <summary>e^x, bit-identical to the span form.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own, so the lane operations inline (see MapLanes)
    public static double Exp(double x) => Exp(Lanes4.Of(x)).First;

    /// <summary>tanh x, bit-identical to the span form.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own, so the lane operations inline (see MapLanes)
    public static double Tanh(double x) => Tanh(Lanes4.Of(x)).First;

    /// <summary>σ(x), bit-identical to the span form.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // compiled on its own, so the lane operations inline (see MapLanes)
    public static double Sigmoid(double x) => Sigmoid(Lanes4.Of(x)).First;

    internal enum Op { Exp, Tanh, Sigmoid, Log, Softplus }

    /// <summary>softplus(x) = max(x, 0) + ln(1 + e^{−|x|}) lane by lane (1 + e^{−|x|} ∈ (1, 2], so the log's argument is normal).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Softplus<TV>(TV x) where TV : struct, ILaneMath<TV> =>
        Above(x, TV.Of(0.0)) + Log(TV.Of(1.0) + Exp(-TV.Abs(x)));

    /// <summary>One element-wise function as a struct type argument, so each (width, function) pair compiles to its own
    /// small loop with the function inlined (one loop switching between five would not be).</summary>
    private interface IMapOp
    {
        static abstract TV Apply<TV>(TV x) where TV : struct, ILaneMath<TV>;
    }

    private readonly struct ExpOp : IMapOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, ILaneMath<TV> => Exp(x);
    }

    private readonly struct TanhOp : IMapOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, ILaneMath<TV> => Tanh(x);
    }

    private readonly struct SigmoidOp : IMapOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, ILaneMath<TV> => Sigmoid(x);
    }

    private readonly struct LogOp : IMapOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, ILaneMath<TV> => Log(x);
    }

    private readonly struct SoftplusOp : IMapOp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, ILaneMath<TV> => Softplus(x);
    }

    /// <summary>y = op(x), eight lanes first only when <paramref name="wide"/> (tests run both on any machine: Vector512 is
    /// emulated where the hardware lacks it).</summary>
    internal static void Map(ReadOnlySpan<double> x, Span<double> y, Op op, bool wide)
    {
        switch (op)
        {
            case Op.Exp: Map<ExpOp>(x, y, wide); break;
            case Op.Tanh: Map<TanhOp>(x, y, wide); break;
            case Op.Sigmoid: Map<SigmoidOp>(x, y, wide); break;
            case Op.Log: Map<LogOp>(x, y, wide); break;
            default: Map<SoftplusOp>(x, y, wide); break;
        }
    }

    /// <summary>y = op(x): eight lanes at a time where the machine has AVX-512 (<paramref name="wide"/>), then four, then a
    /// zero-padded tail of four (every element runs the same operations, so the width never changes a bit).</summary>
    private static void Map<TOp>(ReadOnlySpan<double> x, Span<double> y, bool wide) where TOp : struct, IMapOp
    {
        if (y.Length < x.Length) throw new ArgumentException("destination too short");
        var i = wide ? MapLanes<Lanes8, TOp>(x, y, 0) : 0;
        i = MapLanes<Lanes4, TOp>(x, y, i);
        if (i == x.Length) return;
        MapTail<TOp>(x, y, i);
    }

    /// <summary>The last x.Length − i &lt; 4 elements of <see cref="Map{TOp}"/>, through a zero-padded vector of four; never
    /// inlined, for the reason <see cref="MapLanes{TV, TOp}"/> is not.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MapTail<TOp>(ReadOnlySpan<double> x, Span<double> y, int i) where TOp : struct, IMapOp
    {
        Span<double> pad = stackalloc double[4];
        pad.Clear();
        x.Slice(i).CopyTo(pad);
        TOp.Apply(Lanes4.Load(ref MemoryMarshal.GetReference(pad), 0)).Store(ref MemoryMarshal.GetReference(pad), 0);
        pad.Slice(0, x.Length - i).CopyTo(y.Slice(i));
    }

    /// <summary>The whole vectors of <see cref="Map{TOp}"/> from element <paramref name="i"/> on; returns the first element left.
    /// Never inlined: compiled on its own, the loop has the JIT's whole inlining budget for the function's lane operations
    /// (inlined into its callers, the budget ran out and the wide loop called each vector operator).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int MapLanes<TV, TOp>(ReadOnlySpan<double> x, Span<double> y, int i) where TV : struct, ILaneMath<TV> where TOp : struct, IMapOp
    {
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        for (; i + TV.Count <= x.Length; i += TV.Count)
            TOp.Apply(TV.Load(ref xr, (nuint)i)).Store(ref yr, (nuint)i);
        return i;
    }
}
