using System.Collections.Immutable;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Neural;

/// <summary>What <see cref="KeypointDecoder.Loss"/> keeps for the backward pass: the frames, every frame's blob means
/// (x̄_k, ȳ_k) and log weights log w_k [rows × K], its lit pixels (indices <see cref="Lit"/>[<see cref="LitStart"/>[r] …
/// <see cref="LitStart"/>[r+1]]) and at each lit pixel log q and every blob's log w_k φ_k (<see cref="LogTerms"/>, K per pixel).</summary>
public sealed record KeypointCache(Mat Frames, ImmutableArray<double> MeanX, ImmutableArray<double> MeanY, ImmutableArray<double> LogW,
    ImmutableArray<int> LitStart, ImmutableArray<int> Lit, ImmutableArray<double> LogTerms, ImmutableArray<double> LogQ);

/// <summary>The keypoint decoder's loss over a batch of frames: Σ_frames −Σ_ij o log q, Σ_frames Σ_ij (M q − o)², and the cache.</summary>
public sealed record KeypointLoss(double Loss, double SquaredError, KeypointCache Cache);

/// <summary>
/// A decoder's last stage: a Side × Side frame as a mixture of K Gaussian blobs of width σ on the fixed pixel grid (a keypoint decoder,
/// the partner of the encoder's <see cref="SpatialSoftArgmax"/>; cf. Jakab et al. 2018, Watters et al. 2019).
/// The decoder MLP outputs, per state, K keypoints μ_k = (μx_k, μy_k) and K mixture logits l_k:
/// <code>
///   q(i, j) = Σ_k w_k φ_k(i, j),   w = softmax(l),   φ_k(i, j) = exp(−‖(x_j, y_i) − μ_k‖² / 2σ²) / Z_k
///   L_rec(o) = − Σ_ij o_ij log q(i, j)           (the frame's light as a distribution over pixels, summed per frame)
///   ô_ij = M · q(i, j),  M the frame's total intensity
/// </code>
/// with (x_j, y_i) ∈ [−1, 1]² the pixel centres (<see cref="SpatialSoftArgmax.Coordinate"/>). Z_k = Z_k^x Z_k^y separates,
/// so a frame costs O(K·Side), not O(K·Side²).
/// </summary>
/// <remarks>
/// Why (on lesson 07's 16 × 16 point mass): a dense 256-logit decoder has to learn, pixel by pixel, where each latent
/// value puts its light; in the few hundred updates of a five-second run it stays at the all-black frame and the latent collapses to the free-bits
/// floor. A blob whose centre is an output of the MLP gives a smooth gradient toward the lit pixel from anywhere
/// (∂L/∂μ_k = −Σ_ij o_ij r_k(i,j)·((x_j, y_i) − x̄_k)/σ², r the responsibilities, x̄_k the blob's mean on the grid),
/// so the latent must carry the dots' positions after a few dozen updates. Nothing about the world is built in:
/// which blob follows which dot, and how much light each carries (w), are learned.
/// </remarks>
/// <param name="Blobs">K, the Gaussian blobs.</param>
/// <param name="Width">σ, the blobs' width in grid coordinates (one pixel is 2/(Side − 1)).</param>
/// <param name="Side">The frame's side in pixels.</param>
/// <param name="Mass">M, the frame's total intensity, the scale of a rendered ô.</param>
public sealed record KeypointDecoder(int Blobs, double Width, int Side, double Mass)
{
    /// <summary>The input width this stage reads for K blobs: 2K coordinates and K logits.</summary>
    public int In => 3 * Blobs;

    /// <summary>Side², the pixels of a frame.</summary>
    public int Pixels => Side * Side;

    /// <summary>
    /// For every frame (row of <paramref name="frames"/>) and its raw output [μx_0, μy_0, …, μx_{K−1}, μy_{K−1}, l_0, …, l_{K−1}]
    /// (row of <paramref name="raw"/>): L = −Σ_ij o_ij log q(i,j) (only lit pixels, o ≠ 0, enter) and Σ_ij (M q(i,j) − o_ij)²,
    /// the squared reconstruction error over every pixel, each summed over the frames; and the cache <see cref="Backward"/> reads.
    /// </summary>
    public KeypointLoss Loss(Mat raw, Mat frames)
    {
        int rows = raw.Rows, k = raw.Cols / 3;
        double[] meanX = new double[rows * k], meanY = new double[rows * k], logWAll = new double[rows * k];
        var litStart = new int[rows + 1];
        var lit = new List<int>(2 * rows);
        var logTerms = new List<double>(2 * rows * k);
        var logQs = new List<double>(2 * rows);
        Span<double> buffer = stackalloc double[BlobMarginals.Length(k, Side)];
        Span<double> logTerm = stackalloc double[k];
        double loss = 0.0, squared = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var row = raw.Row(r);
            var o = frames.Row(r);
            var (gx, gy, logZx, logZy, mx, my, logW) = BlobMarginals.Of(row, Width, Side, buffer);
            mx.CopyTo(meanX.AsSpan(r * k, k));
            my.CopyTo(meanY.AsSpan(r * k, k));
            logW.CopyTo(logWAll.AsSpan(r * k, k));
            litStart[r] = lit.Count;
            double frameLoss = 0.0, litError = 0.0;
            for (var p = 0; p < o.Length; p++)
            {
                if (o[p] == 0.0) continue;
                var logQ = LogQ(row, p, logZx, logZy, logW, logTerm);
                lit.Add(p);
                logQs.Add(logQ);
                foreach (var t in logTerm) logTerms.Add(t);
                // Σ (M q − o)² = M² Σ q² + Σ_lit [(M q − o)² − M² q²]: the dark pixels enter only through Σ q²
                var mq = Mass * Math.Exp(logQ);
                litError += (mq - o[p]) * (mq - o[p]) - mq * mq;
                frameLoss -= o[p] * logQ;
            }
            // Σ_ij q² = Σ_c Σ_d w_c w_d (Σ_j g^x_c,j g^x_d,j)(Σ_i g^y_c,i g^y_d,i): separable, O(K²·Side) instead of O(K·Side²)
            var sumQ2 = 0.0;
            for (var c = 0; c < k; c++)
                for (var d = 0; d < k; d++)
                {
                    double sx = 0.0, sy = 0.0;
                    for (var j = 0; j < Side; j++)
                    {
                        sx += gx[c * Side + j] * gx[d * Side + j];
                        sy += gy[c * Side + j] * gy[d * Side + j];
                    }
                    sumQ2 += Math.Exp(logW[c] + logW[d]) * sx * sy;
                }
            loss += frameLoss;
            squared += Mass * Mass * sumQ2 + litError;
        }
        litStart[rows] = lit.Count;
        var cache = new KeypointCache(frames, meanX.Freeze(), meanY.Freeze(), logWAll.Freeze(), litStart.Freeze(), [.. lit], [.. logTerms], [.. logQs]);
        return new KeypointLoss(loss, squared, cache);
    }

    /// <summary>
    /// ∂L/∂raw of <see cref="Loss"/> for every frame, scaled by <paramref name="scale"/>: with r_k(i,j) = w_k φ_k(i,j)/q(i,j)
    /// blob k's responsibility for pixel (i,j) and x̄_k its mean on the grid,
    /// ∂L/∂μ_k = −Σ_ij o_ij r_k ((x_j, y_i) − x̄_k)/σ², ∂L/∂l_k = −Σ_ij o_ij r_k + w_k Σ_ij o_ij.
    /// </summary>
    public Mat Backward(KeypointCache cache, double scale)
    {
        int rows = cache.Frames.Rows, k = Blobs;
        var invS2 = 1.0 / (Width * Width);
        var d = new double[rows * 3 * k];
        for (var r = 0; r < rows; r++)
        {
            var o = cache.Frames.Row(r);
            var dRaw = d.AsSpan(r * 3 * k, 3 * k);
            var mass = 0.0;
            for (var m = cache.LitStart[r]; m < cache.LitStart[r + 1]; m++)
            {
                var p = cache.Lit[m];
                var (i, j) = Math.DivRem(p, Side);
                double x = SpatialSoftArgmax.Coordinate(j, Side), y = SpatialSoftArgmax.Coordinate(i, Side);
                mass += o[p];
                for (var c = 0; c < k; c++)
                {
                    var resp = Math.Exp(cache.LogTerms[m * k + c] - cache.LogQ[m]); // responsibility of blob c for this pixel
                    dRaw[2 * c] -= scale * o[p] * resp * (x - cache.MeanX[r * k + c]) * invS2;
                    dRaw[2 * c + 1] -= scale * o[p] * resp * (y - cache.MeanY[r * k + c]) * invS2;
                    dRaw[2 * k + c] -= scale * o[p] * resp;
                }
            }
            for (var c = 0; c < k; c++) dRaw[2 * k + c] += scale * Math.Exp(cache.LogW[r * k + c]) * mass;
        }
        return Mat.Own(rows, 3 * k, d);
    }

    /// <summary>log q(i,j) at pixel p = Side·i + j, and each blob's log w_k φ_k(i,j) in <paramref name="logTerm"/>.</summary>
    private double LogQ(ReadOnlySpan<double> raw, int p, ReadOnlySpan<double> logZx, ReadOnlySpan<double> logZy,
        ReadOnlySpan<double> logW, Span<double> logTerm)
    {
        var k = logTerm.Length;
        var inv2s2 = 1.0 / (2.0 * Width * Width);
        var (i, j) = Math.DivRem(p, Side);
        double x = SpatialSoftArgmax.Coordinate(j, Side), y = SpatialSoftArgmax.Coordinate(i, Side);
        var max = double.NegativeInfinity;
        for (var c = 0; c < k; c++)
        {
            double dx = x - raw[2 * c], dy = y - raw[2 * c + 1];
            logTerm[c] = logW[c] - (dx * dx + dy * dy) * inv2s2 - logZx[c] - logZy[c];
            max = Math.Max(max, logTerm[c]);
        }
        var sum = 0.0;
        for (var c = 0; c < k; c++) sum += Math.Exp(logTerm[c] - max);
        return max + Math.Log(sum);
    }

    /// <summary>ô_ij = M · q(i, j) for one state's raw decoder output, written into <paramref name="frame"/> (Side² values).</summary>
    public void Render(ReadOnlySpan<double> raw, Span<double> frame)
    {
        var k = raw.Length / 3;
        var (gx, gy, _, _, _, _, logW) = BlobMarginals.Of(raw, Width, Side, stackalloc double[BlobMarginals.Length(k, Side)]);
        for (var p = 0; p < Pixels; p++)
        {
            int i = p / Side, j = p % Side;
            var q = 0.0;
            for (var c = 0; c < k; c++) q += Math.Exp(logW[c]) * gx[c * Side + j] * gy[c * Side + i];
            frame[p] = Mass * q;
        }
    }

    /// <summary>
    /// Per blob: the normalised marginals g^x_j = exp(−(x_j − μx)²/2σ²)/Z^x (and y), log Z^x, log Z^y, the marginal
    /// means x̄ = Σ_j g^x_j x_j, ȳ, and log w = log softmax(l) — views into one caller-owned (stack) buffer.
    /// </summary>
    private readonly ref struct BlobMarginals(Span<double> buffer, int k, int side)
    {
        private readonly Span<double> _buffer = buffer;

        /// <summary>The buffer length K blobs need: two K×Side marginals and five K-vectors.</summary>
        public static int Length(int k, int side) => k * (2 * side + 5);

        public static BlobMarginals Of(ReadOnlySpan<double> raw, double sigma, int side, Span<double> buffer)
        {
            var k = raw.Length / 3;
            var m = new BlobMarginals(buffer.Slice(0, Length(k, side)), k, side);
            var inv2s2 = 1.0 / (2.0 * sigma * sigma);
            for (var c = 0; c < k; c++)
            {
                m.LogZx[c] = Marginal(raw[2 * c], inv2s2, m.Gx.Slice(c * side, side), out m.MeanX[c]);
                m.LogZy[c] = Marginal(raw[2 * c + 1], inv2s2, m.Gy.Slice(c * side, side), out m.MeanY[c]);
            }
            var lmax = double.NegativeInfinity;
            for (var c = 0; c < k; c++) lmax = Math.Max(lmax, raw[2 * k + c]);
            var lsum = 0.0;
            for (var c = 0; c < k; c++) lsum += Math.Exp(raw[2 * k + c] - lmax);
            for (var c = 0; c < k; c++) m.LogW[c] = raw[2 * k + c] - lmax - Math.Log(lsum);
            return m;
        }

        public Span<double> Gx => _buffer.Slice(0, k * side);
        public Span<double> Gy => _buffer.Slice(k * side, k * side);
        public Span<double> LogZx => _buffer.Slice(2 * k * side, k);
        public Span<double> LogZy => _buffer.Slice(2 * k * side + k, k);
        public Span<double> MeanX => _buffer.Slice(2 * k * side + 2 * k, k);
        public Span<double> MeanY => _buffer.Slice(2 * k * side + 3 * k, k);
        public Span<double> LogW => _buffer.Slice(2 * k * side + 4 * k, k);

        public void Deconstruct(out Span<double> gx, out Span<double> gy, out Span<double> logZx, out Span<double> logZy,
            out Span<double> meanX, out Span<double> meanY, out Span<double> logW)
        {
            gx = Gx;
            gy = Gy;
            logZx = LogZx;
            logZy = LogZy;
            meanX = MeanX;
            meanY = MeanY;
            logW = LogW;
        }
    }

    private static double Marginal(double mu, double inv2s2, Span<double> g, out double mean)
    {
        var side = g.Length;
        var max = double.NegativeInfinity;
        for (var j = 0; j < side; j++)
        {
            var d = SpatialSoftArgmax.Coordinate(j, side) - mu;
            g[j] = -d * d * inv2s2;
            max = Math.Max(max, g[j]);
        }
        for (var j = 0; j < side; j++) g[j] -= max;
        VecMath.Exp(g, g);
        var sum = 0.0;
        for (var j = 0; j < side; j++) sum += g[j];
        mean = 0.0;
        for (var j = 0; j < side; j++)
        {
            g[j] /= sum;
            mean += g[j] * SpatialSoftArgmax.Coordinate(j, side);
        }
        return max + Math.Log(sum);
    }
}
