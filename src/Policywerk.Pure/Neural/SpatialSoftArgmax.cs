using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Neural;

/// <summary>What <see cref="SpatialSoftArgmax.Forward"/> keeps for the backward pass: the frames, the K feature points, and
/// for every frame its lit pixels (indices <see cref="Lit"/>[<see cref="LitStart"/>[r] …  <see cref="LitStart"/>[r+1]], their
/// grid coordinates <see cref="LitX"/>, <see cref="LitY"/>) with each channel's e^{a_k} at them (<see cref="Scores"/>, channel-major per frame) and normaliser <see cref="Normalisers"/> [B·K].</summary>
public sealed record SoftArgmaxCache(Mat Frames, Mat Points, ImmutableArray<int> LitStart, ImmutableArray<int> Lit,
    ImmutableArray<double> LitX, ImmutableArray<double> LitY, ImmutableArray<double> Scores, ImmutableArray<double> Normalisers);

/// <summary>
/// An encoder's first stage: a spatial soft-argmax over a Side × Side frame (Levine et al. 2016; Finn et al. 2016,
/// "Deep spatial autoencoders"). Per channel k, a pixel's score is a learned quadratic in its intensity,
/// <code>
///   a_k(i,j) = α_k·o_ij + β_k·o_ij²,   p_k = softmax_ij(a_k),   (x̄_k, ȳ_k) = Σ_ij p_k(i,j)·(x_j, y_i)
/// </code>
/// with x_j, y_i ∈ [−1, 1] the pixel centres' coordinates; the output is the 2K feature points.
/// </summary>
/// <remarks>
/// Why: a dense layer over one-hot-like frames has to discover, pixel by pixel, that neighbouring pixels mean
/// neighbouring positions — the "CoordConv" failure (Liu et al. 2018) — and in the few hundred updates a five-second
/// budget allows it does not (the latent collapses to the prior and the reward head never sees where the dots are).
/// A soft-argmax turns "which pixel is lit" into coordinates by construction; what it learns is which intensities to
/// track. A quadratic score can pick the brightest pixel (lesson 07: the agent, 1.0) or one of a given intensity (the target, 0.7).
/// Background pixels score 0; the frame is sparse, so the sums run over the lit pixels only (exactly: the Side² − lit dark
/// pixels add e⁰ each to the normaliser and their coordinates sum to −Σ_lit).
/// </remarks>
/// <param name="Channels">K, the feature points.</param>
/// <param name="Side">The frame's side in pixels.</param>
public sealed record SpatialSoftArgmax(int Channels, int Side)
{
    /// <summary>Segments "alpha" [K] and "beta" [K].</summary>
    public Layout Layout => Layout.Of(("alpha", [Channels]), ("beta", [Channels]));

    /// <summary>2K outputs: (x̄_k, ȳ_k) per channel.</summary>
    public int Out => 2 * Channels;

    /// <summary>The coordinate of pixel index i along an axis of <paramref name="side"/> pixels: −1 + 2i/(side − 1).</summary>
    public static double Coordinate(int index, int side) => -1.0 + 2.0 * index / (side - 1);

    /// <summary>
    /// Channels tuned to intensities c_k spread over [0.4, 1] with sharpness γ = 40: a_k(o) = −γ(o − c_k)² + γc_k², i.e.
    /// α_k = 2γc_k, β_k = −γ (the brightest channel, c = 1, is α = 60, β = −20: monotone in o). Deterministic.
    /// </summary>
    public Params Init()
    {
        const double gamma = 40.0;
        var values = new double[2 * Channels];
        for (var k = 0; k < Channels; k++)
        {
            var c = Channels == 1 ? 1.0 : 0.4 + 0.6 * k / (Channels - 1);
            values[k] = 2.0 * gamma * c;
            values[Channels + k] = -gamma;
        }
        values[Channels - 1] = 60.0; // the brightest channel: monotone, so it always finds the agent
        values[2 * Channels - 1] = -20.0;
        return Params.Own(Layout, values);
    }

    /// <summary>(x̄_k, ȳ_k) for every frame (row of <paramref name="frames"/>), [B × 2K], points laid out x̄_0, ȳ_0, x̄_1, …</summary>
    public SoftArgmaxCache Forward(Params theta, Mat frames)
    {
        var alpha = theta["alpha"];
        var beta = theta["beta"];
        var points = new double[frames.Rows * Out];
        var litStart = new int[frames.Rows + 1];
        var lit = new List<int>(2 * frames.Rows);
        for (var r = 0; r < frames.Rows; r++)
        {
            litStart[r] = lit.Count;
            var o = frames.Row(r);
            for (var i = 0; i < o.Length; i++)
                if (o[i] != 0.0) lit.Add(i);
        }
        litStart[frames.Rows] = lit.Count;
        double[] litX = new double[lit.Count], litY = new double[lit.Count];
        for (var m = 0; m < lit.Count; m++)
        {
            var (i, j) = Math.DivRem(lit[m], Side);
            litX[m] = Coordinate(j, Side);
            litY[m] = Coordinate(i, Side);
        }
        var scores = new double[lit.Count * Channels];
        var normalisers = new double[frames.Rows * Channels];
        for (var r = 0; r < frames.Rows; r++)
        {
            var o = frames.Row(r);
            int first = litStart[r], count = litStart[r + 1] - first;
            for (var k = 0; k < Channels; k++)
            {
                double z = Side * Side - count, sx = 0.0, sy = 0.0;
                for (var m = 0; m < count; m++)
                {
                    var i = lit[first + m];
                    double x = litX[first + m], y = litY[first + m], v = o[i];
                    var e = Math.Exp(alpha[k] * v + beta[k] * v * v);
                    scores[first * Channels + k * count + m] = e;
                    z += e;
                    sx += (e - 1.0) * x; // dark pixels' coordinates sum to −Σ_lit, so Σ_all e·x = Σ_lit (e − 1)·x
                    sy += (e - 1.0) * y;
                }
                normalisers[r * Channels + k] = z;
                points[r * Out + 2 * k] = sx / z;
                points[r * Out + 2 * k + 1] = sy / z;
            }
        }
        return new SoftArgmaxCache(frames, Mat.Own(frames.Rows, Out, points), litStart.Freeze(), [.. lit], litX.Freeze(), litY.Freeze(),
            scores.Freeze(), normalisers.Freeze());
    }

    /// <summary>
    /// ∂L/∂a_k(i,j) = p_k(i,j)·[(x_j − x̄_k)·∂L/∂x̄_k + (y_i − ȳ_k)·∂L/∂ȳ_k]; ∂L/∂α_k = Σ_ij ∂L/∂a·o, ∂L/∂β_k = Σ_ij ∂L/∂a·o²
    /// (dark pixels have o = 0 and contribute nothing).
    /// </summary>
    public Params Backward(Params theta, SoftArgmaxCache cache, Mat dPoints)
    {
        var grads = new double[2 * Channels];
        for (var r = 0; r < cache.Frames.Rows; r++)
        {
            var o = cache.Frames.Row(r);
            int first = cache.LitStart[r], count = cache.LitStart[r + 1] - first;
            for (var k = 0; k < Channels; k++)
            {
                var z = cache.Normalisers[r * Channels + k];
                double mx = cache.Points[r, 2 * k], my = cache.Points[r, 2 * k + 1];
                double dx = dPoints[r, 2 * k], dy = dPoints[r, 2 * k + 1];
                for (var m = 0; m < count; m++)
                {
                    var i = cache.Lit[first + m];
                    double x = cache.LitX[first + m], y = cache.LitY[first + m], v = o[i];
                    var p = cache.Scores[first * Channels + k * count + m] / z;
                    var da = p * ((x - mx) * dx + (y - my) * dy);
                    grads[k] += da * v;
                    grads[Channels + k] += da * v * v;
                }
            }
        }
        return Params.Own(Layout, grads);
    }
}
