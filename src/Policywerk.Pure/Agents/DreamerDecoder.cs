using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;

namespace Policywerk.Pure.Agents;

/// <summary>
/// The decoder's last stage: a frame as a mixture of K Gaussian blobs on the fixed pixel grid (a keypoint decoder,
/// the partner of the encoder's <see cref="SpatialSoftArgmax"/>; cf. Jakab et al. 2018, Watters et al. 2019).
/// The decoder MLP outputs, per state, K keypoints μ_k = (μx_k, μy_k) and K mixture logits l_k:
/// <code>
///   q(i, j) = Σ_k w_k φ_k(i, j),   w = softmax(l),   φ_k(i, j) = exp(−‖(x_j, y_i) − μ_k‖² / 2σ²) / Z_k
///   L_rec(o) = − Σ_ij o_ij log q(i, j)           (the frame's light as a distribution over pixels, summed per frame)
///   ô_ij = M · q(i, j),  M = 1.7 the frame's total intensity
/// </code>
/// with (x_j, y_i) ∈ [−1, 1]² the pixel centres. Z_k = Z_k^x Z_k^y separates, so a row costs O(K·16), not O(K·256).
/// </summary>
/// <remarks>
/// Why: a dense 256-logit decoder has to learn, pixel by pixel, where each latent value puts its light; in the few
/// hundred updates of a five-second run it stays at the all-black frame and the latent collapses to the free-bits
/// floor. A blob whose centre is an output of the MLP gives a smooth gradient toward the lit pixel from anywhere
/// (∂L/∂μ_k = −Σ_ij o_ij r_k(i,j)·((x_j, y_i) − x̄_k)/σ², r the responsibilities, x̄_k the blob's mean on the grid),
/// so the latent must carry the dots' positions after a few dozen updates. Nothing about the world is built in:
/// which blob follows which dot, and how much light each carries (w), are learned.
/// </remarks>
public static class KeypointDecoder
{
    private const int Size = PixelPointMass.Size;

    /// <summary>The decoder MLP's output width for K blobs: 2K coordinates and K logits.</summary>
    public static int OutputSize(int blobs) => 3 * blobs;

    /// <summary>
    /// For one frame: L = −Σ_ij o_ij log q(i,j) and its gradient with respect to the raw output
    /// [μx_0, μy_0, …, μx_{K−1}, μy_{K−1}, l_0, …, l_{K−1}], scaled by <paramref name="scale"/> and written into
    /// <paramref name="dRaw"/>. Also returns Σ_ij (M q(i,j) − o_ij)², the squared reconstruction error. Only lit pixels
    /// (o ≠ 0) enter the loss; the error sums every pixel.
    /// </summary>
    public static (double Loss, double SquaredError) LossAndGradient(ReadOnlySpan<double> raw, ReadOnlySpan<double> o,
        double sigma, double scale, Span<double> dRaw)
    {
        var k = raw.Length / 3;
        var (gx, gy, logZx, logZy, meanX, meanY, logW) = BlobMarginals.Of(raw, sigma, stackalloc double[BlobMarginals.Length(k)]);
        var inv2s2 = 1.0 / (2.0 * sigma * sigma);
        var invS2 = 1.0 / (sigma * sigma);

        dRaw.Clear();
        Span<double> logTerm = stackalloc double[k];
        double loss = 0.0, mass = 0.0, litError = 0.0;
        for (var p = 0; p < PixelPointMass.ObservationSize; p++)
        {
            if (o[p] == 0.0) continue;
            int i = p / Size, j = p % Size;
            double x = SpatialSoftArgmax.Coordinate(j), y = SpatialSoftArgmax.Coordinate(i);
            var max = double.NegativeInfinity;
            for (var c = 0; c < k; c++)
            {
                double dx = x - raw[2 * c], dy = y - raw[2 * c + 1];
                logTerm[c] = logW[c] - (dx * dx + dy * dy) * inv2s2 - logZx[c] - logZy[c];
                max = Math.Max(max, logTerm[c]);
            }
            var sum = 0.0;
            for (var c = 0; c < k; c++) sum += Math.Exp(logTerm[c] - max);
            var logQ = max + Math.Log(sum);
            // Σ (M q − o)² = M² Σ q² + Σ_lit [(M q − o)² − M² q²]: the dark pixels enter only through Σ q²
            var mq = SoftArgmaxMass * Math.Exp(logQ);
            litError += (mq - o[p]) * (mq - o[p]) - mq * mq;
            loss -= o[p] * logQ;
            mass += o[p];
            for (var c = 0; c < k; c++)
            {
                var r = Math.Exp(logTerm[c] - logQ); // responsibility of blob c for this pixel
                dRaw[2 * c] -= scale * o[p] * r * (x - meanX[c]) * invS2;
                dRaw[2 * c + 1] -= scale * o[p] * r * (y - meanY[c]) * invS2;
                dRaw[2 * k + c] -= scale * o[p] * r;
            }
        }
        // Σ_ij q² = Σ_c Σ_d w_c w_d (Σ_j g^x_c,j g^x_d,j)(Σ_i g^y_c,i g^y_d,i): separable, O(K²·16) instead of O(K·256)
        var sumQ2 = 0.0;
        for (var c = 0; c < k; c++)
            for (var d = 0; d < k; d++)
            {
                double sx = 0.0, sy = 0.0;
                for (var j = 0; j < Size; j++)
                {
                    sx += gx[c * Size + j] * gx[d * Size + j];
                    sy += gy[c * Size + j] * gy[d * Size + j];
                }
                sumQ2 += Math.Exp(logW[c] + logW[d]) * sx * sy;
            }
        var squared = SoftArgmaxMass * SoftArgmaxMass * sumQ2 + litError;
        for (var c = 0; c < k; c++) dRaw[2 * k + c] += scale * Math.Exp(logW[c]) * mass;
        return (loss, squared);
    }

    /// <summary>M = 1.7: the total intensity of a frame (agent 1.0 + target 0.7), the scale of a rendered ô.</summary>
    public const double SoftArgmaxMass = PixelPointMass.AgentPixel + PixelPointMass.TargetPixel;

    /// <summary>ô_ij = M · q(i, j) for one state's raw decoder output, written into <paramref name="frame"/> (256 values).</summary>
    public static void Render(ReadOnlySpan<double> raw, double sigma, Span<double> frame)
    {
        var k = raw.Length / 3;
        var (gx, gy, _, _, _, _, logW) = BlobMarginals.Of(raw, sigma, stackalloc double[BlobMarginals.Length(k)]);
        for (var p = 0; p < PixelPointMass.ObservationSize; p++)
        {
            int i = p / Size, j = p % Size;
            var q = 0.0;
            for (var c = 0; c < k; c++) q += Math.Exp(logW[c]) * gx[c * Size + j] * gy[c * Size + i];
            frame[p] = SoftArgmaxMass * q;
        }
    }

    /// <summary>The keypoints μ_k = (μx_k, μy_k) of a raw output, in grid coordinates [−1, 1].</summary>
    public static (double X, double Y) Keypoint(ReadOnlySpan<double> raw, int blob) => (raw[2 * blob], raw[2 * blob + 1]);

    /// <summary>
    /// Per blob: the normalised marginals g^x_j = exp(−(x_j − μx)²/2σ²)/Z^x (and y), log Z^x, log Z^y, the marginal
    /// means x̄ = Σ_j g^x_j x_j, ȳ, and log w = log softmax(l) — views into one caller-owned (stack) buffer.
    /// </summary>
    private readonly ref struct BlobMarginals(Span<double> buffer, int k)
    {
        private readonly Span<double> _buffer = buffer;

        /// <summary>The buffer length K blobs need: two K×16 marginals and five K-vectors.</summary>
        public static int Length(int k) => k * (2 * Size + 5);

        public static BlobMarginals Of(ReadOnlySpan<double> raw, double sigma, Span<double> buffer)
        {
            var k = raw.Length / 3;
            var m = new BlobMarginals(buffer.Slice(0, Length(k)), k);
            var inv2s2 = 1.0 / (2.0 * sigma * sigma);
            for (var c = 0; c < k; c++)
            {
                m.LogZx[c] = Marginal(raw[2 * c], inv2s2, m.Gx.Slice(c * Size, Size), out m.MeanX[c]);
                m.LogZy[c] = Marginal(raw[2 * c + 1], inv2s2, m.Gy.Slice(c * Size, Size), out m.MeanY[c]);
            }
            var lmax = double.NegativeInfinity;
            for (var c = 0; c < k; c++) lmax = Math.Max(lmax, raw[2 * k + c]);
            var lsum = 0.0;
            for (var c = 0; c < k; c++) lsum += Math.Exp(raw[2 * k + c] - lmax);
            for (var c = 0; c < k; c++) m.LogW[c] = raw[2 * k + c] - lmax - Math.Log(lsum);
            return m;
        }

        public Span<double> Gx => _buffer.Slice(0, k * Size);
        public Span<double> Gy => _buffer.Slice(k * Size, k * Size);
        public Span<double> LogZx => _buffer.Slice(2 * k * Size, k);
        public Span<double> LogZy => _buffer.Slice(2 * k * Size + k, k);
        public Span<double> MeanX => _buffer.Slice(2 * k * Size + 2 * k, k);
        public Span<double> MeanY => _buffer.Slice(2 * k * Size + 3 * k, k);
        public Span<double> LogW => _buffer.Slice(2 * k * Size + 4 * k, k);

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
        var max = double.NegativeInfinity;
        for (var j = 0; j < Size; j++)
        {
            var d = SpatialSoftArgmax.Coordinate(j) - mu;
            g[j] = -d * d * inv2s2;
            max = Math.Max(max, g[j]);
        }
        for (var j = 0; j < Size; j++) g[j] -= max;
        VecMath.Exp(g, g);
        var sum = 0.0;
        for (var j = 0; j < Size; j++) sum += g[j];
        mean = 0.0;
        for (var j = 0; j < Size; j++)
        {
            g[j] /= sum;
            mean += g[j] * SpatialSoftArgmax.Coordinate(j);
        }
        return max + Math.Log(sum);
    }
}
