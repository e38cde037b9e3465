using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>
/// What <see cref="Gru.Forward"/> keeps for backpropagation through time. All per-step matrices are stacked
/// time-major: rows [t·B, (t+1)·B) belong to step t.
/// </summary>
/// <param name="Steps">T, the sequence length.</param>
/// <param name="Batch">B, the number of sequences.</param>
/// <param name="X">x_1 … x_T stacked, [T·B × In].</param>
/// <param name="H0">The initial hidden state h_0, [B × H].</param>
/// <param name="H">h_1 … h_T stacked, [T·B × H].</param>
/// <param name="Gates">r_t, z_t, n_t side by side, [T·B × 3H].</param>
/// <param name="HiddenN">W_hn·h_{t−1} + b_hn (the recurrent part of the candidate before r gates it), [T·B × H].</param>
public sealed record GruCache(int Steps, int Batch, Mat X, Mat H0, Mat H, Mat Gates, Mat HiddenN)
{
    /// <summary>h_t for t = 1 … T as a [B × H] matrix (t = 0 gives h_0).</summary>
    public Mat Hidden(int t) => t == 0 ? H0 : H.SliceRows((t - 1) * Batch, Batch);

    /// <summary>The last hidden state h_T.</summary>
    public Mat Last => Hidden(Steps);
}

/// <summary>BPTT's result: ∂L/∂θ, ∂L/∂x_t for every step (stacked [T·B × In]) and ∂L/∂h_0.</summary>
public sealed record GruGrads(Params Grads, Mat DX, Mat DH0);

/// <summary>
/// A gated recurrent unit (Cho et al. 2014), in the convention of cuDNN and PyTorch:
/// r = σ(x·W_xr + b_xr + h·W_hr + b_hr), z = σ(x·W_xz + b_xz + h·W_hz + b_hz),
/// n = tanh(x·W_xn + b_xn + r ⊙ (h·W_hn + b_hn)), h′ = (1 − z) ⊙ n + z ⊙ h.
/// Segments "Wx" [In, 3H], "Wh" [H, 3H], "bx" [3H], "bh" [3H], gate blocks in the order r, z, n.
/// </summary>
public sealed record Gru(int In, int Hidden)
{
    private int G => 3 * Hidden;

    /// <summary>Segments "Wx" [In, 3H], "Wh" [H, 3H], "bx" [3H], "bh" [3H].</summary>
    public Layout Layout => Layout.Of(("Wx", [In, G]), ("Wh", [Hidden, G]), ("bx", [G]), ("bh", [G]));

    /// <summary>3H·(In + H + 2).</summary>
    public int ParameterCount => G * (In + Hidden + 2);

    /// <summary>W_x per gate Glorot-uniform, W_h per gate orthogonal (Saxe et al. 2014), biases 0.</summary>
    public Draw<Params> Init(Key key)
    {
        var values = new double[ParameterCount];
        var wx = values.AsSpan(0, In * G);
        key = Neural.Init.FillGlorot(key, In, Hidden, 1.0, wx);
        var wh = values.AsSpan(In * G, Hidden * G);
        var block = new double[Hidden * Hidden];
        for (var gate = 0; gate < 3; gate++)
        {
            key = Neural.Init.FillOrthogonal(key, Hidden, Hidden, 1.0, block);
            for (var i = 0; i < Hidden; i++)
                block.AsSpan(i * Hidden, Hidden).CopyTo(wh.Slice(i * G + gate * Hidden, Hidden));
        }
        return new Draw<Params>(Params.Own(Layout, values), key);
    }

    /// <summary>One step h′ = GRU(x, h) for a batch (x [B × In], h [B × H]), keeping nothing for backward.</summary>
    public Mat Step(Params theta, Mat x, Mat h) => Forward(theta, [x], h).Last;

    /// <summary>
    /// Runs the GRU over a sequence: h_t = GRU(x_t, h_{t−1}) for t = 1 … T, starting from h_0.
    /// <paramref name="xs"/>[t−1] is the batch of inputs x_t, [B × In].
    /// </summary>
    public GruCache Forward(Params theta, ImmutableArray<Mat> xs, Mat h0)
    {
        RequireTheta(theta);
        if (xs.IsEmpty) throw new ArgumentException("a sequence needs at least one step");
        var steps = xs.Length;
        var batch = h0.Rows;
        if (h0.Cols != Hidden) throw new ArgumentException($"h0 must have {Hidden} columns");
        foreach (var x in xs)
            if (x.Rows != batch || x.Cols != In) throw new ArgumentException($"every x_t must be {batch}×{In}");
        var th = theta.Span;
        var wx = th.Slice(0, In * G);
        var wh = th.Slice(In * G, Hidden * G);
        var bx = th.Slice(In * G + Hidden * G, G);
        var bh = th.Slice(In * G + Hidden * G + G, G);

        var X = Mat.StackRows(xs.AsSpan());
        var rows = steps * batch;
        // the input projections of every step at once: GX = X·Wx + bx
        var gates = Buffers.Uninitialized(rows * G);
        Blas.BroadcastRows(bx, gates, rows, G);
        Blas.MulAdd(X.Span, In, 1, wx, gates, rows, In, G);

        var H = Buffers.Uninitialized(rows * Hidden);
        var hiddenN = Buffers.Uninitialized(rows * Hidden);
        var gh = Buffers.Uninitialized(batch * G);
        for (var t = 0; t < steps; t++)
        {
            ReadOnlySpan<double> hPrev = t == 0 ? h0.Span : H.AsSpan((t - 1) * batch * Hidden, batch * Hidden);
            Blas.BroadcastRows(bh, gh, batch, G);
            Blas.MulAdd(hPrev, Hidden, 1, wh, gh, batch, Hidden, G);
            for (var b = 0; b < batch; b++)
            {
                var row = t * batch + b;
                var g = gates.AsSpan(row * G, G);       // holds GX on entry, r | z | n on exit
                var ghRow = gh.AsSpan(b * G, G);
                var hp = hPrev.Slice(b * Hidden, Hidden);
                var h = H.AsSpan(row * Hidden, Hidden);
                var hn = hiddenN.AsSpan(row * Hidden, Hidden);
                // r, z = σ(GX + GH) for both gates at once, in place
                var rz = g.Slice(0, 2 * Hidden);
                Blas.AddTo(ghRow.Slice(0, 2 * Hidden), rz);
                VecMath.Sigmoid(rz, rz);
                // n = tanh(GX_n + r ⊙ GH_n)
                var n = g.Slice(2 * Hidden, Hidden);
                ghRow.Slice(2 * Hidden, Hidden).CopyTo(hn);
                for (var j = 0; j < Hidden; j++) n[j] += g[j] * hn[j];
                VecMath.Tanh(n, n);
                // h′ = (1 − z) ⊙ n + z ⊙ h
                for (var j = 0; j < Hidden; j++)
                {
                    var z = g[Hidden + j];
                    h[j] = (1.0 - z) * n[j] + z * hp[j];
                }
            }
        }
        return new GruCache(steps, batch, X, h0, Mat.Own(rows, Hidden, H), Mat.Own(rows, G, gates), Mat.Own(rows, Hidden, hiddenN));
    }

    /// <summary>
    /// Backpropagation through time. With δh_t = ∂L/∂h_t (from <paramref name="dH"/>, stacked [T·B × H]) plus what
    /// flows back from step t+1: δn = δh ⊙ (1 − z), δz = δh ⊙ (h_{t−1} − n), δa_n = δn ⊙ (1 − n²),
    /// δa_r = (δa_n ⊙ (h·W_hn + b_hn)) ⊙ r(1 − r), δa_z = δz ⊙ z(1 − z);
    /// ∂L/∂(x·W_x + b_x) = [δa_r, δa_z, δa_n], ∂L/∂(h·W_h + b_h) = [δa_r, δa_z, r ⊙ δa_n];
    /// δh_{t−1} = δh ⊙ z + ∂L/∂(h·W_h + b_h)·W_hᵀ. Returns ∂L/∂θ, ∂L/∂x_t for all t and ∂L/∂h_0.
    /// </summary>
    public GruGrads Backward(Params theta, GruCache cache, Mat dH)
    {
        RequireTheta(theta);
        int steps = cache.Steps, batch = cache.Batch, rows = steps * batch;
        if (dH.Rows != rows || dH.Cols != Hidden) throw new ArgumentException($"dH must be {rows}×{Hidden} (stacked time-major)");
        var th = theta.Span;
        var wx = th.Slice(0, In * G);
        var wh = th.Slice(In * G, Hidden * G);

        var grads = new double[ParameterCount];
        var dWx = grads.AsSpan(0, In * G);
        var dWh = grads.AsSpan(In * G, Hidden * G);
        var dbx = grads.AsSpan(In * G + Hidden * G, G);
        var dbh = grads.AsSpan(In * G + Hidden * G + G, G);

        var dGX = Buffers.Uninitialized(rows * G);
        var dGHAll = Buffers.Uninitialized(rows * G);      // ∂L/∂(h_{t−1}·W_h + b_h) for every step, for one W_h product at the end
        var dNext = new double[batch * Hidden];   // ∂L/∂h_t arriving from step t+1
        var dh = Buffers.Uninitialized(batch * Hidden);
        var gates = cache.Gates.Span;
        var hiddenN = cache.HiddenN.Span;
        var H = cache.H.Span;
        for (var t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<double> hPrev = t == 0 ? cache.H0.Span : H.Slice((t - 1) * batch * Hidden, batch * Hidden);
            dH.Span.Slice(t * batch * Hidden, batch * Hidden).CopyTo(dh);
            Blas.AddTo(dNext, dh);
            for (var b = 0; b < batch; b++)
            {
                var row = t * batch + b;
                var g = gates.Slice(row * G, G);
                var hn = hiddenN.Slice(row * Hidden, Hidden);
                var hp = hPrev.Slice(b * Hidden, Hidden);
                var dgx = dGX.AsSpan(row * G, G);
                var dgh = dGHAll.AsSpan(row * G, G);
                for (var j = 0; j < Hidden; j++)
                {
                    double r = g[j], z = g[Hidden + j], n = g[2 * Hidden + j], d = dh[b * Hidden + j];
                    var dan = d * (1.0 - z) * (1.0 - n * n);
                    var daz = d * (hp[j] - n) * z * (1.0 - z);
                    var dar = dan * hn[j] * r * (1.0 - r);
                    dgx[j] = dar;
                    dgx[Hidden + j] = daz;
                    dgx[2 * Hidden + j] = dan;
                    dgh[j] = dar;
                    dgh[Hidden + j] = daz;
                    dgh[2 * Hidden + j] = dan * r;
                    dNext[b * Hidden + j] = d * z;
                }
            }
            // dNext += dGH·Whᵀ
            Blas.MulTransB(dGHAll.AsSpan(t * batch * G, batch * G), wh, dh, batch, Hidden, G);
            Blas.AddTo(dh, dNext);
        }
        // the recurrent weights over all steps at once: ∂L/∂W_h = [h_0; …; h_{T−1}]ᵀ·dGH
        var hPrevAll = Buffers.Uninitialized(rows * Hidden);
        cache.H0.Span.CopyTo(hPrevAll);
        H.Slice(0, (rows - batch) * Hidden).CopyTo(hPrevAll.AsSpan(batch * Hidden));
        Blas.MulAdd(hPrevAll, 1, Hidden, dGHAll, dWh, Hidden, rows, G);
        Blas.AddColumnSums(dGHAll, dbh, rows, G);
        // the input side of every step at once
        Blas.MulAdd(cache.X.Span, 1, In, dGX, dWx, In, rows, G);
        Blas.AddColumnSums(dGX, dbx, rows, G);
        var dX = Buffers.Uninitialized(rows * In);
        Blas.MulTransB(dGX, wx, dX, rows, In, G);
        return new GruGrads(Params.Own(Layout, grads), Mat.Own(rows, In, dX), Mat.Own(batch, Hidden, dNext));
    }

    private void RequireTheta(Params theta)
    {
        if (theta.Count != ParameterCount) throw new ArgumentException($"GRU({In}→{Hidden}) needs {ParameterCount} parameters, got {theta.Count}");
    }
}
