using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Policywerk.Pure.Numerics;

/// <summary>The element-wise nonlinearities a layer can apply after its affine map.</summary>
public enum Activation
{
    /// <summary>f(z) = z</summary>
    Identity,
    /// <summary>f(z) = max(0, z)</summary>
    Relu,
    /// <summary>f(z) = tanh z</summary>
    Tanh,
    /// <summary>f(z) = σ(z) = 1 / (1 + e^−z)</summary>
    Sigmoid,
    /// <summary>f(z) = log(1 + e^z)</summary>
    Softplus,
    /// <summary>f(z) = z·σ(z) (SiLU, "swish"; Elfwing et al. 2018)</summary>
    Silu,
    /// <summary>f(z) = z for z &gt; 0, e^z − 1 otherwise (ELU with α = 1; Clevert et al. 2016)</summary>
    Elu,
}

/// <summary>Activations and their derivatives, as scalar functions and as batch kernels over spans.</summary>
public static class Activations
{
    /// <summary>σ(z) = 1 / (1 + e^−z), evaluated without overflow for any z (by <see cref="VecMath.Sigmoid(double)"/>).</summary>
    public static double Sigmoid(double z) => VecMath.Sigmoid(z);

    /// <summary>softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^−|z|), stable for any z.</summary>
    public static double Softplus(double z) => VecMath.Softplus(z);

    /// <summary>y = f(z) for one value.</summary>
    public static double Apply(Activation f, double z) => f switch
    {
        Activation.Identity => z,
        Activation.Relu => z > 0 ? z : 0.0,
        Activation.Tanh => VecMath.Tanh(z),
        Activation.Sigmoid => Sigmoid(z),
        Activation.Softplus => Softplus(z),
        Activation.Silu => z * Sigmoid(z),
        Activation.Elu => z > 0 ? z : Math.Exp(z) - 1.0,
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>f′(z), given z and y = f(z) (tanh, sigmoid and ELU reuse y).</summary>
    /// <remarks>For identity, ReLU, tanh, sigmoid and ELU, f′ is a function of y alone (ReLU and ELU: z &gt; 0 ⇔ y &gt; 0),
    /// so passing y for z is exact; see <see cref="NeedsPreActivation"/>.</remarks>
    public static double Derivative(Activation f, double z, double y) => f switch
    {
        Activation.Identity => 1.0,
        Activation.Relu => z > 0 ? 1.0 : 0.0,
        Activation.Tanh => 1.0 - y * y,
        Activation.Sigmoid => y * (1.0 - y),
        Activation.Softplus => Sigmoid(z),
        Activation.Silu => SiluDerivative(z),
        Activation.Elu => z > 0 ? 1.0 : y + 1.0,
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>True when f′ needs z itself (softplus, SiLU); otherwise a layer may keep only y = f(z).</summary>
    public static bool NeedsPreActivation(Activation f) => f is Activation.Softplus or Activation.Silu;

    private static double SiluDerivative(double z)
    {
        var s = Sigmoid(z);
        return s * (1.0 + z * (1.0 - s));
    }

    /// <summary>y_i = f(z_i) for every element (a batch kernel; no allocation).</summary>
    public static void Apply(Activation f, ReadOnlySpan<double> z, Span<double> y)
    {
        if (y.Length < z.Length) throw new ArgumentException("destination too short");
        switch (f)
        {
            case Activation.Identity:
                z.CopyTo(y);
                break;
            case Activation.Relu:
                ReluForward(z, y);
                break;
            case Activation.Tanh:
                VecMath.Tanh(z, y);
                break;
            case Activation.Sigmoid:
                VecMath.Sigmoid(z, y);
                break;
            default:
                for (var i = 0; i < z.Length; i++) y[i] = Apply(f, z[i]);
                break;
        }
    }

    /// <summary>∂L/∂z_i = ∂L/∂y_i · f′(z_i) for every element (a batch kernel; no allocation; <paramref name="dz"/> may be <paramref name="dy"/>).</summary>
    public static void Backward(Activation f, ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dz)
    {
        if (dz.Length < z.Length || y.Length < z.Length || dy.Length < z.Length) throw new ArgumentException("spans differ in length");
        switch (f)
        {
            case Activation.Identity:
                dy.Slice(0, z.Length).CopyTo(dz);
                break;
            case Activation.Relu:
                ReluBackward(z, dy, dz);
                break;
            case Activation.Tanh:
                FromOutput(y.Slice(0, z.Length), dy, dz.Slice(0, z.Length), sigmoid: false);
                break;
            case Activation.Sigmoid:
                FromOutput(y.Slice(0, z.Length), dy, dz.Slice(0, z.Length), sigmoid: true);
                break;
            default:
                for (var i = 0; i < z.Length; i++) dz[i] = dy[i] * Derivative(f, z[i], y[i]);
                break;
        }
    }

    /// <summary>y = z &gt; 0 ? z : 0, branch-free (random signs would defeat the branch predictor).</summary>
    private static void ReluForward(ReadOnlySpan<double> z, Span<double> y)
    {
        ref var zr = ref MemoryMarshal.GetReference(z);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var i = 0;
        for (; i + 4 <= z.Length; i += 4)
        {
            var v = Vector256.LoadUnsafe(ref zr, (nuint)i);
            Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<double>.Zero), v, Vector256<double>.Zero).StoreUnsafe(ref yr, (nuint)i);
        }
        for (; i < z.Length; i++) y[i] = z[i] > 0 ? z[i] : 0.0;
    }

    /// <summary>dz = z &gt; 0 ? dy : 0, branch-free.</summary>
    private static void ReluBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> dy, Span<double> dz)
    {
        ref var zr = ref MemoryMarshal.GetReference(z);
        ref var dyr = ref MemoryMarshal.GetReference(dy);
        ref var dzr = ref MemoryMarshal.GetReference(dz);
        var i = 0;
        for (; i + 4 <= z.Length; i += 4)
        {
            var mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref zr, (nuint)i), Vector256<double>.Zero);
            Vector256.ConditionalSelect(mask, Vector256.LoadUnsafe(ref dyr, (nuint)i), Vector256<double>.Zero).StoreUnsafe(ref dzr, (nuint)i);
        }
        for (; i < z.Length; i++) dz[i] = z[i] > 0 ? dy[i] : 0.0;
    }

    /// <summary>dz = dy·(1 − y²) (tanh) or dy·y·(1 − y) (sigmoid), four lanes at a time; the tail does the same operations.</summary>
    private static void FromOutput(ReadOnlySpan<double> y, ReadOnlySpan<double> dy, Span<double> dz, bool sigmoid)
    {
        ref var yr = ref MemoryMarshal.GetReference(y);
        ref var dyr = ref MemoryMarshal.GetReference(dy);
        ref var dzr = ref MemoryMarshal.GetReference(dz);
        var n = dz.Length < y.Length ? dz.Length : y.Length;
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var v = Vector256.LoadUnsafe(ref yr, (nuint)i);
            var slope = sigmoid ? v * (Vector256<double>.One - v) : Vector256<double>.One - v * v;
            (Vector256.LoadUnsafe(ref dyr, (nuint)i) * slope).StoreUnsafe(ref dzr, (nuint)i);
        }
        for (; i < n; i++) dz[i] = dy[i] * (sigmoid ? y[i] * (1.0 - y[i]) : 1.0 - y[i] * y[i]);
    }

    // Normalisers and squashing: softmax and log-sum-exp turn logits into probabilities; symlog compresses large
    // magnitudes (DreamerV3's reward and value targets).

    /// <summary>log Σ_i e^{x_i} = m + log Σ_i e^{x_i − m}, m = max_i x_i: never overflows.</summary>
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        var m = double.NegativeInfinity;
        foreach (var v in x) m = Math.Max(m, v);
        if (double.IsNegativeInfinity(m)) return m;
        var sum = 0.0;
        foreach (var v in x) sum += Math.Exp(v - m);
        return m + Math.Log(sum);
    }

    /// <summary>softmax(x)_i = e^{x_i − m} / Σ_j e^{x_j − m}, m = max_j x_j, written into <paramref name="y"/>.</summary>
    public static void Softmax(ReadOnlySpan<double> x, Span<double> y)
    {
        var m = double.NegativeInfinity;
        foreach (var v in x) m = Math.Max(m, v);
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = Math.Exp(x[i] - m);
            sum += y[i];
        }
        for (var i = 0; i < x.Length; i++) y[i] /= sum;
    }

    /// <summary>softmax(x)_i = e^{x_i} / Σ_j e^{x_j}.</summary>
    public static ImmutableArray<double> Softmax(ReadOnlySpan<double> x)
    {
        var y = new double[x.Length];
        Softmax(x, y);
        return y.Freeze();
    }

    /// <summary>log softmax(x)_i = x_i − log Σ_j e^{x_j}.</summary>
    public static ImmutableArray<double> LogSoftmax(ReadOnlySpan<double> x)
    {
        var lse = LogSumExp(x);
        var y = new double[x.Length];
        for (var i = 0; i < x.Length; i++) y[i] = x[i] - lse;
        return y.Freeze();
    }

    /// <summary>Row-wise softmax of a batch of logits.</summary>
    public static Mat Softmax(Mat logits)
    {
        var y = new double[logits.Values.Length];
        for (var r = 0; r < logits.Rows; r++) Softmax(logits.Row(r), y.AsSpan(r * logits.Cols, logits.Cols));
        return Mat.Own(logits.Rows, logits.Cols, y);
    }

    /// <summary>symlog(x) = sign(x)·ln(1 + |x|) (Hafner et al. 2023).</summary>
    public static double Symlog(double x) => Math.Sign(x) * Math.Log(1.0 + Math.Abs(x));

    /// <summary>symexp(x) = sign(x)·(e^{|x|} − 1), the inverse of symlog.</summary>
    public static double Symexp(double x) => Math.Sign(x) * (Math.Exp(Math.Abs(x)) - 1.0);

    /// <summary>symlog′(x) = 1 / (1 + |x|).</summary>
    public static double SymlogDerivative(double x) => 1.0 / (1.0 + Math.Abs(x));

    /// <summary>symexp′(x) = e^{|x|}.</summary>
    public static double SymexpDerivative(double x) => Math.Exp(Math.Abs(x));

    /// <summary>symlog applied to every element.</summary>
    public static Mat Symlog(Mat x)
    {
        var y = new double[x.Values.Length];
        var s = x.Span;
        for (var i = 0; i < y.Length; i++) y[i] = Symlog(s[i]);
        return Mat.Own(x.Rows, x.Cols, y);
    }

    /// <summary>symexp applied to every element.</summary>
    public static Mat Symexp(Mat x)
    {
        var y = new double[x.Values.Length];
        var s = x.Span;
        for (var i = 0; i < y.Length; i++) y[i] = Symexp(s[i]);
        return Mat.Own(x.Rows, x.Cols, y);
    }
}
