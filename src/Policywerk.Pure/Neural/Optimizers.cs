using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>Writes every element of a gradient, in the parameters' layout, into the span it is given.</summary>
public delegate void GradientWriter(Span<double> grads);

/// <summary>An optimizer step's result: the new parameters θ′ and the optimizer's new state.</summary>
public sealed record Stepped<TState>(Params Theta, TState State);

/// <summary>Plain stochastic gradient descent.</summary>
public static class Sgd
{
    /// <summary>θ′ = θ − α·g</summary>
    public static Params Step(Params theta, Params grads, double learningRate) => theta.AddScaled(-learningRate, grads);
}

/// <summary>Hyperparameters of SGD with momentum: learning rate α and momentum μ.</summary>
public sealed record MomentumHyper(double LearningRate, double Momentum = 0.9);

/// <summary>The velocity v of SGD with momentum (same layout as the parameters).</summary>
public sealed record MomentumState(Params Velocity)
{
    /// <summary>v = 0 for parameters shaped like <paramref name="theta"/>.</summary>
    public static MomentumState Init(Params theta) => new(theta.ZerosLike());
}

/// <summary>SGD with (heavy-ball) momentum (Polyak 1964; Sutskever et al. 2013).</summary>
public static class Momentum
{
    /// <summary>v′ = μ·v + g;  θ′ = θ − α·v′</summary>
    public static Stepped<MomentumState> Step(Params theta, Params grads, MomentumState state, MomentumHyper hyper)
    {
        theta.RequireSameSize(grads);
        theta.RequireSameSize(state.Velocity);
        var n = theta.Count;
        var v = Buffers.Uninitialized(n);
        var next = Buffers.Uninitialized(n);
        var g = grads.Span;
        var v0 = state.Velocity.Span;
        var th = theta.Span;
        for (var i = 0; i < n; i++)
        {
            v[i] = hyper.Momentum * v0[i] + g[i];
            next[i] = th[i] - hyper.LearningRate * v[i];
        }
        return new Stepped<MomentumState>(theta.WithValues(next), new MomentumState(state.Velocity.WithValues(v)));
    }
}

/// <summary>
/// Adam's hyperparameters (Kingma &amp; Ba 2015): learning rate α, decay rates β₁ and β₂, ε, and the
/// decoupled weight decay λ used by <see cref="AdamW"/> (ignored by <see cref="Adam"/>).
/// </summary>
public sealed record AdamHyper(double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0.0);

/// <summary>Adam's state: the step count t and the moment estimates m and v (same layout as the parameters).</summary>
public sealed record AdamState(int T, Params M, Params V)
{
    /// <summary>t = 0, m = v = 0 for parameters shaped like <paramref name="theta"/>.</summary>
    public static AdamState Init(Params theta)
    {
        var zeros = theta.ZerosLike();
        return new AdamState(0, zeros, zeros);
    }
}

/// <summary>Adam with bias correction (Kingma &amp; Ba 2015, Algorithm 1).</summary>
public static class Adam
{
    /// <summary>
    /// m′ = β₁m + (1−β₁)g;  v′ = β₂v + (1−β₂)g²;  m̂ = m′/(1−β₁ᵗ);  v̂ = v′/(1−β₂ᵗ);  θ′ = θ − α·m̂/(√v̂ + ε),
    /// with t the new step count.
    /// </summary>
    public static Stepped<AdamState> Step(Params theta, Params grads, AdamState state, AdamHyper hyper) =>
        Update(theta, grads, state, hyper, weightDecay: 0.0);

    /// <summary>
    /// <see cref="Step(Params, Params, AdamState, AdamHyper)"/> with the gradient written by <paramref name="gradient"/> into
    /// scratch memory the step owns (on the stack for small nets) instead of into a <see cref="Params"/> of its own: the
    /// same update, bit for bit, without building and then dropping a gradient buffer.
    /// </summary>
    [SkipLocalsInit] // the writer overwrites every element of the scratch (Mlp.BackwardInto does), so it need not be zeroed first
    public static Stepped<AdamState> Step(Params theta, GradientWriter gradient, AdamState state, AdamHyper hyper)
    {
        var n = theta.Count;
        Span<double> g = n <= MaxStackGradient ? stackalloc double[n] : Buffers.Uninitialized(n);
        gradient(g);
        return Update(theta, g, state, hyper, weightDecay: 0.0);
    }

    /// <summary>The largest gradient (in doubles, 32 KB) <see cref="Step(Params, GradientWriter, AdamState, AdamHyper)"/> keeps on the stack.</summary>
    private const int MaxStackGradient = 4096;

    internal static Stepped<AdamState> Update(Params theta, Params grads, AdamState state, AdamHyper hyper, double weightDecay) =>
        Update(theta, grads.Span, state, hyper, weightDecay); // the span form checks the sizes

    private static Stepped<AdamState> Update(Params theta, ReadOnlySpan<double> grads, AdamState state, AdamHyper hyper, double weightDecay)
    {
        if (grads.Length != theta.Count) throw new ArgumentException($"parameter buffers differ in size: {theta.Count} vs {grads.Length}");
        theta.RequireSameSize(state.M);
        theta.RequireSameSize(state.V);
        var t = state.T + 1;
        var n = theta.Count;
        var m = Buffers.Uninitialized(n);
        var v = Buffers.Uninitialized(n);
        var next = Buffers.Uninitialized(n);
        double b1 = hyper.Beta1, b2 = hyper.Beta2;
        var c1 = 1.0 / (1.0 - Math.Pow(b1, t));
        var c2 = 1.0 / (1.0 - Math.Pow(b2, t));
        Kernel(theta.Span, grads, state.M.Span, state.V.Span, next, m, v, hyper.LearningRate, b1, b2, c1, c2, hyper.Epsilon, weightDecay);
        return new Stepped<AdamState>(theta.WithValues(next), new AdamState(t, theta.WithValues(m), theta.WithValues(v)));
    }

    /// <summary>The element-wise update; the vector and scalar paths do the same IEEE operations in the same order.</summary>
    private static void Kernel(ReadOnlySpan<double> th, ReadOnlySpan<double> g, ReadOnlySpan<double> m0, ReadOnlySpan<double> v0,
        Span<double> next, Span<double> m, Span<double> v, double lr, double b1, double b2, double c1, double c2, double eps, double decay)
    {
        var n = th.Length;
        ref var thr = ref MemoryMarshal.GetReference(th);
        ref var gr = ref MemoryMarshal.GetReference(g);
        ref var m0r = ref MemoryMarshal.GetReference(m0);
        ref var v0r = ref MemoryMarshal.GetReference(v0);
        ref var nr = ref MemoryMarshal.GetReference(next);
        ref var mr = ref MemoryMarshal.GetReference(m);
        ref var vr = ref MemoryMarshal.GetReference(v);
        Vector256<double> vb1 = Vector256.Create(b1), va1 = Vector256.Create(1.0 - b1), vb2 = Vector256.Create(b2), va2 = Vector256.Create(1.0 - b2);
        Vector256<double> vc1 = Vector256.Create(c1), vc2 = Vector256.Create(c2), veps = Vector256.Create(eps), vlr = Vector256.Create(lr), vdecay = Vector256.Create(decay);
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            var o = (nuint)i;
            var gi = Vector256.LoadUnsafe(ref gr, o);
            var thi = Vector256.LoadUnsafe(ref thr, o);
            var mi = vb1 * Vector256.LoadUnsafe(ref m0r, o) + va1 * gi;
            var vi = vb2 * Vector256.LoadUnsafe(ref v0r, o) + va2 * (gi * gi);
            var update = (mi * vc1) / (Vector256.Sqrt(vi * vc2) + veps) + vdecay * thi;
            (thi - vlr * update).StoreUnsafe(ref nr, o);
            mi.StoreUnsafe(ref mr, o);
            vi.StoreUnsafe(ref vr, o);
        }
        for (; i < n; i++)
        {
            var mi = b1 * m0[i] + (1.0 - b1) * g[i];
            var vi = b2 * v0[i] + (1.0 - b2) * (g[i] * g[i]);
            var update = (mi * c1) / (Math.Sqrt(vi * c2) + eps) + decay * th[i];
            next[i] = th[i] - lr * update;
            m[i] = mi;
            v[i] = vi;
        }
    }
}

/// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019).</summary>
public static class AdamW
{
    /// <summary>θ′ = θ − α·(m̂/(√v̂ + ε) + λθ), with m̂, v̂ as in <see cref="Adam.Step(Params, Params, AdamState, AdamHyper)"/> and λ = <see cref="AdamHyper.WeightDecay"/>.</summary>
    public static Stepped<AdamState> Step(Params theta, Params grads, AdamState state, AdamHyper hyper) =>
        Adam.Update(theta, grads, state, hyper, hyper.WeightDecay);
}

/// <summary>Gradient clipping.</summary>
public static class Clip
{
    /// <summary>g′ = g·min(1, c/‖g‖₂) (global-norm clipping, Pascanu et al. 2013): the direction is kept, the norm is at most c.</summary>
    public static Params GlobalNorm(Params grads, double maxNorm)
    {
        var norm = grads.GlobalNorm();
        return norm > maxNorm ? grads.Scale(maxNorm / norm) : grads;
    }
}
