using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

/// <summary>One step's backward pass (<see cref="Gru.StepBackward"/>): ∂L/∂x, ∂L/∂h_0 and the gate gradients
/// ∂L/∂(x·W_x + b_x), ∂L/∂(h·W_h + b_h) that <see cref="Gru.ParameterGradient"/> turns into ∂L/∂θ.</summary>
public sealed record GruStepGrads(Mat DX, Mat DH0, Mat DGX, Mat DGH);

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

        var X = xs.Length == 1 ? xs[0] : Mat.StackRows(xs.AsSpan()); // one step: its input as it is
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
                Blas.AddProduct(g.Slice(0, Hidden), hn, n);
                VecMath.Tanh(n, n);
                // h′ = (1 − z) ⊙ n + z ⊙ h
                Blas.Interpolate(g.Slice(Hidden, Hidden), n, hp, h);
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

        var dGX = Buffers.Uninitialized(rows * G);
        var dGHAll = Buffers.Uninitialized(rows * G);      // ∂L/∂(h_{t−1}·W_h + b_h) for every step, for one W_h product at the end
        var dNext = new double[batch * Hidden];   // ∂L/∂h_t arriving from step t+1
        var dh = Buffers.Uninitialized(batch * Hidden);
        var whT = Buffers.Uninitialized(Hidden * G);       // W_hᵀ once for every step's δh·W_hᵀ
        Blas.Transpose(wh, whT, Hidden, G);
        var H = cache.H.Span;
        for (var t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<double> hPrev = t == 0 ? cache.H0.Span : H.Slice((t - 1) * batch * Hidden, batch * Hidden);
            dH.Span.Slice(t * batch * Hidden, batch * Hidden).CopyTo(dh);
            Blas.AddTo(dNext, dh);
            GateBackward(cache, t * batch, hPrev, dh, dGX.AsSpan(t * batch * G, batch * G), dGHAll.AsSpan(t * batch * G, batch * G), dNext);
            // dNext += dGH·Whᵀ
            Blas.MulAdd(dGHAll.AsSpan(t * batch * G, batch * G), G, 1, whT, dh, batch, G, Hidden, accumulate: false);
            Blas.AddTo(dh, dNext);
        }
        // the weights over all steps at once, with h_{t−1} for every step: [h_0; …; h_{T−1}]
        var hPrevAll = Buffers.Uninitialized(rows * Hidden);
        cache.H0.Span.CopyTo(hPrevAll);
        H.Slice(0, (rows - batch) * Hidden).CopyTo(hPrevAll.AsSpan(batch * Hidden));
        var grads = Buffers.Uninitialized(ParameterCount);
        ParameterGradientInto(cache.X.Span, hPrevAll, dGX, dGHAll, rows, grads);
        var dX = Buffers.Uninitialized(rows * In);
        Blas.MulTransB(dGX, wx, dX, rows, In, G);
        return new GruGrads(Params.Own(Layout, grads), Mat.Own(rows, In, dX), Mat.Own(batch, Hidden, dNext));
    }

    /// <summary>
    /// One step's backward pass from a one-step cache (a sequence run step by step, or a frozen GRU in imagination): the
    /// <see cref="Backward"/> recursion for T = 1 — ∂L/∂x, ∂L/∂h_0 and the step's gate gradients, from which
    /// <see cref="ParameterGradient"/> forms ∂L/∂θ over many steps at once. The same operations in the same order as
    /// <see cref="Backward"/>'s ∂L/∂x and ∂L/∂h_0.
    /// </summary>
    public GruStepGrads StepBackward(Params theta, GruCache cache, ReadOnlySpan<double> dH, Transposes? transposes = null)
    {
        RequireTheta(theta);
        int batch = cache.Batch;
        if (cache.Steps != 1 || dH.Length != batch * Hidden) throw new ArgumentException($"a one-step cache and dH of {batch}×{Hidden}");
        var t = transposes ?? Transpose(theta);
        ReadOnlySpan<double> wxT = t.Blocks[0].AsSpan(), whT = t.Blocks[1].AsSpan();
        var dGX = Buffers.Uninitialized(batch * G);
        var dGH = Buffers.Uninitialized(batch * G);
        var dH0 = Buffers.Uninitialized(batch * Hidden);
        GateBackward(cache, 0, cache.H0.Span, dH, dGX, dGH, dH0);
        var recurrent = Buffers.Uninitialized(batch * Hidden);
        Blas.MulAdd(dGH, G, 1, whT, recurrent, batch, G, Hidden, accumulate: false);
        Blas.AddTo(recurrent, dH0);
        var dX = Buffers.Uninitialized(batch * In);
        Blas.MulAdd(dGX, G, 1, wxT, dX, batch, G, In, accumulate: false);
        return new GruStepGrads(Mat.Own(batch, In, dX), Mat.Own(batch, Hidden, dH0), Mat.Own(batch, G, dGX), Mat.Own(batch, G, dGH));
    }

    /// <summary>
    /// ∂L/∂θ of a sequence run step by step, from its one-step caches and each step's gate gradients (<see cref="StepBackward"/>):
    /// ∂L/∂W_x = Σ_t x_tᵀ·δgx_t, ∂L/∂W_h = Σ_t h_{t−1}ᵀ·δgh_t, ∂L/∂b_x = Σ δgx, ∂L/∂b_h = Σ δgh — one product over every
    /// step's rows, in order.
    /// </summary>
    public Params ParameterGradient(IReadOnlyList<GruCache> steps, IReadOnlyList<GruStepGrads> grads)
    {
        if (steps.Count != grads.Count || steps.Count == 0) throw new ArgumentException("one gradient for each one-step cache");
        var x = new Mat[steps.Count];
        var h = new Mat[steps.Count];
        var dgx = new Mat[steps.Count];
        var dgh = new Mat[steps.Count];
        for (var i = 0; i < x.Length; i++)
        {
            (x[i], h[i], dgx[i], dgh[i]) = (steps[i].X, steps[i].H0, grads[i].DGX, grads[i].DGH);
        }
        Mat X = Mat.StackRows(x), Hprev = Mat.StackRows(h), DGX = Mat.StackRows(dgx), DGH = Mat.StackRows(dgh);
        var result = Buffers.Uninitialized(ParameterCount);
        ParameterGradientInto(X.Span, Hprev.Span, DGX.Span, DGH.Span, X.Rows, result);
        return Params.Own(Layout, result);
    }

    /// <summary>∂L/∂W_x = Xᵀ·δgx, ∂L/∂W_h = H_prevᵀ·δgh, ∂L/∂b_x = Σ_rows δgx, ∂L/∂b_h = Σ_rows δgh over <paramref name="rows"/> stacked
    /// rows, written into every segment of <paramref name="grads"/> (which may be uninitialised).</summary>
    private void ParameterGradientInto(ReadOnlySpan<double> x, ReadOnlySpan<double> hPrev, ReadOnlySpan<double> dGX, ReadOnlySpan<double> dGH,
        int rows, Span<double> grads)
    {
        Blas.MulAdd(x, 1, In, dGX, grads.Slice(0, In * G), In, rows, G, accumulate: false);
        Blas.MulAdd(hPrev, 1, Hidden, dGH, grads.Slice(In * G, Hidden * G), Hidden, rows, G, accumulate: false);
        Blas.SetColumnSums(dGX, grads.Slice(In * G + Hidden * G, G), rows, G);
        Blas.SetColumnSums(dGH, grads.Slice(In * G + Hidden * G + G, G), rows, G);
    }

    /// <summary>W_xᵀ [3H × In] and W_hᵀ [3H × H] (<see cref="Transposes"/>), for many one-step backward passes with these parameters.</summary>
    public Transposes Transpose(Params theta)
    {
        RequireTheta(theta);
        var th = theta.Span;
        var wxT = Buffers.Uninitialized(In * G);
        var whT = Buffers.Uninitialized(Hidden * G);
        Blas.Transpose(th.Slice(0, In * G), wxT, In, G);
        Blas.Transpose(th.Slice(In * G, Hidden * G), whT, Hidden, G);
        return new Transposes([wxT.Freeze(), whT.Freeze()]);
    }

    /// <summary>
    /// One step's gates, row by row (rows first … first + B − 1 of the cache): with δh given, δa_n = δh ⊙ (1 − z) ⊙ (1 − n²),
    /// δa_z = δh ⊙ (h_{t−1} − n) ⊙ z(1 − z), δa_r = δa_n ⊙ (h·W_hn + b_hn) ⊙ r(1 − r); writes ∂L/∂(x·W_x + b_x) = [δa_r, δa_z, δa_n],
    /// ∂L/∂(h·W_h + b_h) = [δa_r, δa_z, r ⊙ δa_n] and the direct part δh ⊙ z of ∂L/∂h_{t−1}.
    /// </summary>
    private void GateBackward(GruCache cache, int first, ReadOnlySpan<double> hPrev, ReadOnlySpan<double> dh, Span<double> dGX, Span<double> dGH,
        Span<double> dPrev)
    {
        var gates = cache.Gates.Span;
        var hiddenN = cache.HiddenN.Span;
        nuint zo = (nuint)Hidden, no = (nuint)(2 * Hidden); // the z and n gates' offsets in a row of G = 3H
        var one = Vector256<double>.One;
        for (var b = 0; b < cache.Batch; b++)
        {
            var row = first + b;
            var g = gates.Slice(row * G, G);
            var hn = hiddenN.Slice(row * Hidden, Hidden);
            var hp = hPrev.Slice(b * Hidden, Hidden);
            var dgx = dGX.Slice(b * G, G);
            var dgh = dGH.Slice(b * G, G);
            var d = dh.Slice(b * Hidden, Hidden);
            var dp = dPrev.Slice(b * Hidden, Hidden);
            ref var gr = ref MemoryMarshal.GetReference(g);
            ref var hnr = ref MemoryMarshal.GetReference(hn);
            ref var hpr = ref MemoryMarshal.GetReference(hp);
            ref var dr = ref MemoryMarshal.GetReference(d);
            ref var dgxr = ref MemoryMarshal.GetReference(dgx);
            ref var dghr = ref MemoryMarshal.GetReference(dgh);
            ref var dpr = ref MemoryMarshal.GetReference(dp);
            var j = 0;
            for (; j + 4 <= Hidden; j += 4)
            {
                var o = (nuint)j;
                var r = Vector256.LoadUnsafe(ref gr, o);
                var z = Vector256.LoadUnsafe(ref gr, o + zo);
                var n = Vector256.LoadUnsafe(ref gr, o + no);
                var dv = Vector256.LoadUnsafe(ref dr, o);
                var dan = dv * (one - z) * (one - n * n);
                var daz = dv * (Vector256.LoadUnsafe(ref hpr, o) - n) * z * (one - z);
                var dar = dan * Vector256.LoadUnsafe(ref hnr, o) * r * (one - r);
                dar.StoreUnsafe(ref dgxr, o);
                daz.StoreUnsafe(ref dgxr, o + zo);
                dan.StoreUnsafe(ref dgxr, o + no);
                dar.StoreUnsafe(ref dghr, o);
                daz.StoreUnsafe(ref dghr, o + zo);
                (dan * r).StoreUnsafe(ref dghr, o + no);
                (dv * z).StoreUnsafe(ref dpr, o);
            }
            for (; j < Hidden; j++) // the same operations, one element at a time
            {
                double r = g[j], z = g[Hidden + j], n = g[2 * Hidden + j], dj = d[j];
                var dan = dj * (1.0 - z) * (1.0 - n * n);
                var daz = dj * (hp[j] - n) * z * (1.0 - z);
                var dar = dan * hn[j] * r * (1.0 - r);
                dgx[j] = dar;
                dgx[Hidden + j] = daz;
                dgx[2 * Hidden + j] = dan;
                dgh[j] = dar;
                dgh[Hidden + j] = daz;
                dgh[2 * Hidden + j] = dan * r;
                dp[j] = dj * z;
            }
        }
    }

    private void RequireTheta(Params theta)
    {
        if (theta.Count != ParameterCount) throw new ArgumentException($"GRU({In}→{Hidden}) needs {ParameterCount} parameters, got {theta.Count}");
    }
}
