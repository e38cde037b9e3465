using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>What <see cref="MaxPool2d.Forward"/> keeps: for every output element, the input index it came from.</summary>
public sealed record MaxPoolCache(int InputRows, ImmutableArray<int> ArgMax, Mat Output);

/// <summary>
/// Max pooling over Size×Size windows with a stride, per channel, no padding:
/// y[b, c, i, j] = max_{u,v &lt; Size} x[b, c, i·S + u, j·S + v]. Rows are samples flattened [C × H × W].
/// No parameters. OH = (H − Size)/S + 1, OW = (W − Size)/S + 1.
/// </summary>
public sealed record MaxPool2d(int Channels, int Height, int Width, int Size, int Stride)
{
    /// <summary>OH = (H − Size)/S + 1.</summary>
    public int OutHeight => (Height - Size) / Stride + 1;

    /// <summary>OW = (W − Size)/S + 1.</summary>
    public int OutWidth => (Width - Size) / Stride + 1;

    /// <summary>C·OH·OW.</summary>
    public int OutSize => Channels * OutHeight * OutWidth;

    /// <summary>y = the maximum of each window (the first maximum on ties).</summary>
    public MaxPoolCache Forward(Mat x)
    {
        if (x.Cols != Channels * Height * Width) throw new ArgumentException("MaxPool2d input shape mismatch");
        int oh = OutHeight, ow = OutWidth;
        var y = new double[x.Rows * OutSize];
        var arg = new int[x.Rows * OutSize];
        for (var b = 0; b < x.Rows; b++)
        {
            var img = x.Row(b);
            for (var c = 0; c < Channels; c++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var best = double.NegativeInfinity;
                        var at = -1;
                        for (var u = 0; u < Size; u++)
                            for (var v = 0; v < Size; v++)
                            {
                                var idx = (c * Height + i * Stride + u) * Width + j * Stride + v;
                                if (img[idx] > best || at < 0)
                                {
                                    best = img[idx];
                                    at = idx;
                                }
                            }
                        var o = b * OutSize + (c * oh + i) * ow + j;
                        y[o] = best;
                        arg[o] = at;
                    }
        }
        return new MaxPoolCache(x.Rows, arg.Freeze(), Mat.Own(x.Rows, OutSize, y));
    }

    /// <summary>∂L/∂x[argmax] += ∂L/∂y; zero elsewhere.</summary>
    public Mat Backward(MaxPoolCache cache, Mat dY)
    {
        var inSize = Channels * Height * Width;
        var dX = new double[cache.InputRows * inSize];
        for (var b = 0; b < cache.InputRows; b++)
            for (var k = 0; k < OutSize; k++)
                dX[b * inSize + cache.ArgMax[b * OutSize + k]] += dY[b, k];
        return Mat.Own(cache.InputRows, inSize, dX);
    }
}

/// <summary>
/// Average pooling over Size×Size windows with a stride, per channel, no padding:
/// y[b, c, i, j] = (1/Size²) Σ_{u,v &lt; Size} x[b, c, i·S + u, j·S + v]. No parameters, no cache beyond the shape.
/// </summary>
public sealed record AvgPool2d(int Channels, int Height, int Width, int Size, int Stride)
{
    /// <summary>OH = (H − Size)/S + 1.</summary>
    public int OutHeight => (Height - Size) / Stride + 1;

    /// <summary>OW = (W − Size)/S + 1.</summary>
    public int OutWidth => (Width - Size) / Stride + 1;

    /// <summary>C·OH·OW.</summary>
    public int OutSize => Channels * OutHeight * OutWidth;

    /// <summary>y = the mean of each window.</summary>
    public Mat Forward(Mat x)
    {
        if (x.Cols != Channels * Height * Width) throw new ArgumentException("AvgPool2d input shape mismatch");
        int oh = OutHeight, ow = OutWidth;
        var scale = 1.0 / (Size * Size);
        var y = new double[x.Rows * OutSize];
        for (var b = 0; b < x.Rows; b++)
        {
            var img = x.Row(b);
            for (var c = 0; c < Channels; c++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var sum = 0.0;
                        for (var u = 0; u < Size; u++)
                            for (var v = 0; v < Size; v++)
                                sum += img[(c * Height + i * Stride + u) * Width + j * Stride + v];
                        y[b * OutSize + (c * oh + i) * ow + j] = sum * scale;
                    }
        }
        return Mat.Own(x.Rows, OutSize, y);
    }

    /// <summary>∂L/∂x[window] += ∂L/∂y / Size².</summary>
    public Mat Backward(Mat dY)
    {
        int oh = OutHeight, ow = OutWidth, inSize = Channels * Height * Width;
        var scale = 1.0 / (Size * Size);
        var dX = new double[dY.Rows * inSize];
        for (var b = 0; b < dY.Rows; b++)
            for (var c = 0; c < Channels; c++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var g = dY[b, (c * oh + i) * ow + j] * scale;
                        for (var u = 0; u < Size; u++)
                            for (var v = 0; v < Size; v++)
                                dX[b * inSize + (c * Height + i * Stride + u) * Width + j * Stride + v] += g;
                    }
        return Mat.Own(dY.Rows, inSize, dX);
    }
}
