namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>
/// What <see cref="Conv2d.Forward"/> keeps: the unfolded input patches of every sample ("im2col", transposed:
/// for sample b a [C·K·K × OH·OW] block, rows (c, u, v), columns output positions (i, j)).
/// </summary>
public sealed record Conv2dCache(Mat Input, Mat Patches, Mat Output);

/// <summary>
/// A 2-D convolution (cross-correlation, as in every deep-learning library) over a batch of images:
/// y[b, o, i, j] = b_o + Σ_{c,u,v} W[o, c, u, v] · x[b, c, i·S + u − P, j·S + v − P], zero outside the image.
/// Each input row is one sample flattened channel-major [C × H × W]; each output row is [O × OH × OW] with
/// OH = (H + 2P − K)/S + 1 and OW = (W + 2P − K)/S + 1. Segments "W" [O, C, K, K], "b" [O].
/// </summary>
public sealed record Conv2d(int InChannels, int OutChannels, int Kernel, int Stride, int Padding, int Height, int Width)
{
    /// <summary>OH = (H + 2P − K)/S + 1.</summary>
    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>OW = (W + 2P − K)/S + 1.</summary>
    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>C·H·W, the width of an input row.</summary>
    public int InSize => InChannels * Height * Width;

    /// <summary>O·OH·OW, the width of an output row.</summary>
    public int OutSize => OutChannels * OutHeight * OutWidth;

    private int PatchSize => InChannels * Kernel * Kernel;

    private int Positions => OutHeight * OutWidth;

    /// <summary>Segments "W" [O, C, K, K] and "b" [O].</summary>
    public Layout Layout => Layout.Of(("W", [OutChannels, InChannels, Kernel, Kernel]), ("b", [OutChannels]));

    /// <summary>O·C·K·K + O.</summary>
    public int ParameterCount => OutChannels * PatchSize + OutChannels;

    /// <summary>W drawn by <paramref name="init"/> with fan_in = C·K·K, fan_out = O·K·K; b = 0.</summary>
    public Draw<Params> Init(Key key, Initializer init = Initializer.He, double gain = 1.0)
    {
        var values = new double[ParameterCount];
        var w = values.AsSpan(0, OutChannels * PatchSize);
        key = init == Initializer.Orthogonal
            ? Neural.Init.FillOrthogonal(key, OutChannels, PatchSize, gain, w)
            : Neural.Init.Fill(init, key, PatchSize, OutChannels * Kernel * Kernel, gain, w);
        return new Draw<Params>(Params.Own(Layout, values), key);
    }

    /// <summary>y = W ⊛ x + b for every sample: unfold the patches, then one matrix product per sample.</summary>
    public Conv2dCache Forward(Params theta, Mat x)
    {
        if (x.Cols != InSize || theta.Count != ParameterCount) throw new ArgumentException("Conv2d shape mismatch");
        int batch = x.Rows, q = PatchSize, n = Positions;
        var patches = new double[batch * q * n];
        var y = new double[batch * OutSize];
        var w = theta.Span.Slice(0, OutChannels * q);
        var bias = theta.Span.Slice(OutChannels * q, OutChannels);
        for (var b = 0; b < batch; b++)
        {
            var cols = patches.AsSpan(b * q * n, q * n);
            Unfold(x.Row(b), cols);
            var yb = y.AsSpan(b * OutSize, OutSize);
            for (var o = 0; o < OutChannels; o++) yb.Slice(o * n, n).Fill(bias[o]);
            Blas.MulAdd(w, q, 1, cols, yb, OutChannels, q, n);
        }
        return new Conv2dCache(x, Mat.Own(batch, q * n, patches), Mat.Own(batch, OutSize, y));
    }

    /// <summary>
    /// ∂L/∂W[o, c, u, v] = Σ_{b,i,j} δ[b, o, i, j]·x[b, c, i·S + u − P, j·S + v − P], ∂L/∂b_o = Σ_{b,i,j} δ[b, o, i, j],
    /// ∂L/∂x = the transposed convolution of δ with W (patch gradients Wᵀ·δ folded back onto the image).
    /// </summary>
    public LayerGrads Backward(Params theta, Conv2dCache cache, Mat dY, bool inputGradient = true)
    {
        int batch = cache.Input.Rows, q = PatchSize, n = Positions, o = OutChannels;
        if (dY.Rows != batch || dY.Cols != OutSize) throw new ArgumentException($"dY must be {batch}×{OutSize}");
        var w = theta.Span.Slice(0, o * q);
        var grads = new double[ParameterCount];
        var dW = grads.AsSpan(0, o * q);
        var db = grads.AsSpan(o * q, o);
        var dWb = new double[o * q];
        var dCols = inputGradient ? new double[q * n] : null;
        var dX = inputGradient ? new double[batch * InSize] : null;
        for (var b = 0; b < batch; b++)
        {
            var dyb = dY.Row(b);
            var cols = cache.Patches.Row(b);
            Blas.MulTransB(dyb, cols, dWb, o, q, n);
            Blas.AddTo(dWb, dW);
            for (var oc = 0; oc < o; oc++) db[oc] += Blas.Sum(dyb.Slice(oc * n, n));
            if (dCols is null || dX is null) continue;
            Array.Clear(dCols);
            Blas.MulAdd(w, 1, q, dyb, dCols, q, o, n);
            Fold(dCols, dX.AsSpan(b * InSize, InSize));
        }
        return new LayerGrads(Params.Own(Layout, grads), dX is null ? null : Mat.Own(batch, InSize, dX));
    }

    /// <summary>cols[(c,u,v), (i,j)] = x[c, i·S + u − P, j·S + v − P] (0 in the padding).</summary>
    private void Unfold(ReadOnlySpan<double> image, Span<double> cols)
    {
        int oh = OutHeight, ow = OutWidth, n = oh * ow;
        for (var c = 0; c < InChannels; c++)
            for (var u = 0; u < Kernel; u++)
                for (var v = 0; v < Kernel; v++)
                {
                    var row = cols.Slice(((c * Kernel + u) * Kernel + v) * n, n);
                    for (var i = 0; i < oh; i++)
                    {
                        var py = i * Stride + u - Padding;
                        for (var j = 0; j < ow; j++)
                        {
                            var px = j * Stride + v - Padding;
                            row[i * ow + j] = py >= 0 && py < Height && px >= 0 && px < Width
                                ? image[(c * Height + py) * Width + px]
                                : 0.0;
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Unfold"/>: dx[c, py, px] += dcols[(c,u,v), (i,j)], in a fixed order.</summary>
    private void Fold(ReadOnlySpan<double> dCols, Span<double> dImage)
    {
        int oh = OutHeight, ow = OutWidth, n = oh * ow;
        for (var c = 0; c < InChannels; c++)
            for (var u = 0; u < Kernel; u++)
                for (var v = 0; v < Kernel; v++)
                {
                    var row = dCols.Slice(((c * Kernel + u) * Kernel + v) * n, n);
                    for (var i = 0; i < oh; i++)
                    {
                        var py = i * Stride + u - Padding;
                        if (py < 0 || py >= Height) continue;
                        for (var j = 0; j < ow; j++)
                        {
                            var px = j * Stride + v - Padding;
                            if (px >= 0 && px < Width) dImage[(c * Height + py) * Width + px] += row[i * ow + j];
                        }
                    }
                }
    }
}
