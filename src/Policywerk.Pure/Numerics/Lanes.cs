using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Policywerk.Pure.Numerics;

/// <summary>The lane-wise operations the kernels (<see cref="Blas"/>'s products, <see cref="VecMath"/>'s functions) are written in, at
/// one vector width; every one is a single IEEE operation (or a bit operation) per lane, so each width computes the same bits.
/// Struct type arguments: the JIT compiles each kernel once per width, with every operation inlined.</summary>
internal interface ILaneMath<TSelf> where TSelf : struct, ILaneMath<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Of(double x);
    static abstract TSelf Load(ref double source, nuint offset);
    void Store(ref double destination, nuint offset);
    double First { get; }
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);
    static abstract TSelf Abs(TSelf a);
    /// <summary>|a| with the sign bit of <paramref name="sign"/> (a must be non-negative).</summary>
    static abstract TSelf WithSignOf(TSelf a, TSelf sign);
    /// <summary>All bits set in the lanes where a &lt; b.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf Select(TSelf mask, TSelf ifSet, TSelf otherwise);
    /// <summary>2^k where t = k + magic holds the integer k in its low mantissa bits.</summary>
    static abstract TSelf PowerOfTwo(TSelf t, TSelf magic);
    static abstract TSelf Sqrt(TSelf a);
    static abstract TSelf Floor(TSelf a);
    static abstract TSelf operator &(TSelf a, TSelf b);
    /// <summary>(m, e) with x = m·2^e, m ∈ [½, 1), e as a double, for positive normal x.</summary>
    static abstract (TSelf Mantissa, TSelf Exponent) Frexp(TSelf x);
}

/// <summary>Four doubles (<see cref="Vector256{T}"/>).</summary>
internal readonly struct Lanes4(Vector256<double> v) : ILaneMath<Lanes4>
{
    private readonly Vector256<double> v = v;
    public static int Count => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Of(double x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Load(ref double source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref double destination, nuint offset) => v.StoreUnsafe(ref destination, offset);
    public double First
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => v.GetElement(0);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator +(Lanes4 a, Lanes4 b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator -(Lanes4 a, Lanes4 b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator *(Lanes4 a, Lanes4 b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator /(Lanes4 a, Lanes4 b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator -(Lanes4 a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Abs(Lanes4 a) => new(Vector256.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 WithSignOf(Lanes4 a, Lanes4 sign) => new(a.v | (sign.v & Vector256.Create(-0.0)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 LessThan(Lanes4 a, Lanes4 b) => new(Vector256.LessThan(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Select(Lanes4 mask, Lanes4 ifSet, Lanes4 otherwise) => new(Vector256.ConditionalSelect(mask.v, ifSet.v, otherwise.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 PowerOfTwo(Lanes4 t, Lanes4 magic) =>
        new(Vector256.ShiftLeft(t.v.AsInt64() - magic.v.AsInt64() + Vector256.Create(1023L), 52).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Sqrt(Lanes4 a) => new(Vector256.Sqrt(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 Floor(Lanes4 a) => new(Vector256.Floor(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 operator &(Lanes4 a, Lanes4 b) => new(a.v & b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Lanes4 Mantissa, Lanes4 Exponent) Frexp(Lanes4 x)
    {
        var bits = x.v.AsInt64();
        var exponent = Vector256.ConvertToDouble(((bits >>> 52) & Vector256.Create(0x7FFL)) - Vector256.Create(1022L));
        var mantissa = ((bits & Vector256.Create(unchecked((long)0x800FFFFFFFFFFFFFUL))) | Vector256.Create(0x3FE0000000000000L)).AsDouble();
        return (new(mantissa), new(exponent));
    }
}

/// <summary>Eight doubles (<see cref="Vector512{T}"/>), where the hardware accelerates them.</summary>
internal readonly struct Lanes8(Vector512<double> v) : ILaneMath<Lanes8>
{
    private readonly Vector512<double> v = v;
    public static int Count => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Of(double x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Load(ref double source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref double destination, nuint offset) => v.StoreUnsafe(ref destination, offset);
    public double First
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => v.GetElement(0);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a.v + b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a.v - b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator *(Lanes8 a, Lanes8 b) => new(a.v * b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator /(Lanes8 a, Lanes8 b) => new(a.v / b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 a) => new(-a.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Abs(Lanes8 a) => new(Vector512.Abs(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 WithSignOf(Lanes8 a, Lanes8 sign) => new(a.v | (sign.v & Vector512.Create(-0.0)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 LessThan(Lanes8 a, Lanes8 b) => new(Vector512.LessThan(a.v, b.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Select(Lanes8 mask, Lanes8 ifSet, Lanes8 otherwise) => new(Vector512.ConditionalSelect(mask.v, ifSet.v, otherwise.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 PowerOfTwo(Lanes8 t, Lanes8 magic) =>
        new(Vector512.ShiftLeft(t.v.AsInt64() - magic.v.AsInt64() + Vector512.Create(1023L), 52).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Sqrt(Lanes8 a) => new(Vector512.Sqrt(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Floor(Lanes8 a) => new(Vector512.Floor(a.v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator &(Lanes8 a, Lanes8 b) => new(a.v & b.v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Lanes8 Mantissa, Lanes8 Exponent) Frexp(Lanes8 x)
    {
        var bits = x.v.AsInt64();
        var exponent = Vector512.ConvertToDouble(((bits >>> 52) & Vector512.Create(0x7FFL)) - Vector512.Create(1022L));
        var mantissa = ((bits & Vector512.Create(unchecked((long)0x800FFFFFFFFFFFFFUL))) | Vector512.Create(0x3FE0000000000000L)).AsDouble();
        return (new(mantissa), new(exponent));
    }
}
