
namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>What <see cref="Dense.Backward"/> returns: ∂L/∂θ in the layer's layout and, if asked for, ∂L/∂x.</summary>
public sealed record LayerGrads(Params Grads, Mat? DInput);

/// <summary>
/// A fully connected (affine) layer y = x·W + b over a batch: x is [B × In], W is [In × Out]
/// (segment "W"), b is [Out] (segment "b").
/// </summary>
public sealed record Dense(int In, int Out)
{
    /// <summary>Segments "W" [In, Out] and "b" [Out].</summary>
    public Layout Layout => Layout.Of(("W", [In, Out]), ("b", [Out]));

    /// <summary>In·Out + Out.</summary>
    public int ParameterCount => In * Out + Out;

    /// <summary>W drawn by <paramref name="init"/> (fan_in = In, fan_out = Out), b = 0.</summary>
    public Draw<Params> Init(Key key, Initializer init = Initializer.Glorot, double gain = 1.0)
    {
        var values = new double[ParameterCount];
        var next = Neural.Init.Fill(init, key, In, Out, gain, values.AsSpan(0, In * Out));
        return new Draw<Params>(Params.Own(Layout, values), next);
    }

    /// <summary>y = x·W + b, each row of x one sample.</summary>
    public Mat Forward(Params theta, Mat x)
    {
        RequireShape(theta, x);
        var y = Buffers.Uninitialized(x.Rows * Out); // filled with b, then accumulated
        ForwardCore(theta.Span, In, Out, x.Span, x.Rows, y);
        return Mat.Own(x.Rows, Out, y);
    }

    /// <summary>
    /// ∂L/∂W = xᵀ·δ, ∂L/∂b = Σ_rows δ, ∂L/∂x = δ·Wᵀ, where δ = ∂L/∂y (<paramref name="dY"/>).
    /// ∂L/∂x is computed only when <paramref name="inputGradient"/> is true.
    /// </summary>
    public LayerGrads Backward(Params theta, Mat x, Mat dY, bool inputGradient = true)
    {
        RequireShape(theta, x);
        if (dY.Rows != x.Rows || dY.Cols != Out) throw new ArgumentException($"dY must be {x.Rows}×{Out}");
        var grads = Buffers.Uninitialized(ParameterCount);
        var dX = inputGradient ? new double[x.Rows * In] : null;
        BackwardCore(theta.Span, In, Out, x.Span, dY.Span, x.Rows, grads, dX);
        return new LayerGrads(Params.Own(Layout, grads), dX is null ? null : Mat.Own(x.Rows, In, dX));
    }

    /// <summary>y = x·W + b over spans; θ = [W; b].</summary>
    internal static void ForwardCore(ReadOnlySpan<double> theta, int nIn, int nOut, ReadOnlySpan<double> x, int batch, Span<double> y)
    {
        var w = theta.Slice(0, nIn * nOut);
        var b = theta.Slice(nIn * nOut, nOut);
        Blas.BroadcastRows(b, y, batch, nOut);
        Blas.MulAdd(x, nIn, 1, w, y, batch, nIn, nOut);
    }

    /// <summary>dθ = [xᵀ·δ; Σ_rows δ] (overwritten, so dθ may be uninitialised); dX = δ·Wᵀ when <paramref name="dX"/> is not empty
    /// (<paramref name="wT"/>, if given, is Wᵀ formed beforehand).</summary>
    internal static void BackwardCore(ReadOnlySpan<double> theta, int nIn, int nOut, ReadOnlySpan<double> x, ReadOnlySpan<double> dY,
        int batch, Span<double> dTheta, Span<double> dX, ReadOnlySpan<double> wT = default)
    {
        Blas.MulAdd(x, 1, nIn, dY, dTheta.Slice(0, nIn * nOut), nIn, batch, nOut, accumulate: false);
        Blas.SetColumnSums(dY, dTheta.Slice(nIn * nOut, nOut), batch, nOut);
        if (!dX.IsEmpty) InputGradientCore(theta, nIn, nOut, dY, batch, dX, wT);
    }

    /// <summary>dX = δ·Wᵀ over spans, θ = [W; b]: with Wᵀ formed here (<see cref="Blas.MulTransB"/>) or given as
    /// <paramref name="wT"/> [Out × In] — the same product either way, so the same bits.</summary>
    internal static void InputGradientCore(ReadOnlySpan<double> theta, int nIn, int nOut, ReadOnlySpan<double> dY, int batch, Span<double> dX,
        ReadOnlySpan<double> wT = default)
    {
        if (wT.IsEmpty) Blas.MulTransB(dY, theta.Slice(0, nIn * nOut), dX, batch, nIn, nOut);
        else Blas.MulAdd(dY, nOut, 1, wT, dX, batch, nOut, nIn, accumulate: false);
    }

    private void RequireShape(Params theta, Mat x)
    {
        if (theta.Count != ParameterCount) throw new ArgumentException($"Dense({In}→{Out}) needs {ParameterCount} parameters, got {theta.Count}");
        if (x.Cols != In) throw new ArgumentException($"Dense({In}→{Out}) needs inputs with {In} columns, got {x.Cols}");
    }
}
