using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>
/// What <see cref="Mlp.Forward"/> keeps for the backward pass: the input, each layer's activation a_l, and its
/// pre-activation z_l where f_l′ needs it (softplus, SiLU). For the other activations f_l′ is a function of a_l,
/// so <see cref="Z"/>[l] is the same matrix as <see cref="A"/>[l] and no extra buffer is built.
/// </summary>
public sealed record MlpCache(Mat Input, ImmutableArray<Mat> Z, ImmutableArray<Mat> A)
{
    /// <summary>The network's output a_L.</summary>
    public Mat Output => A[^1];

    /// <summary>The caches of several batches (passes with the same parameters) as one, their rows in order: one
    /// <see cref="Mlp.Backward"/> over it sums each parameter's gradient over every row.</summary>
    public static MlpCache Stack(IReadOnlyList<MlpCache> caches)
    {
        var depth = caches[0].A.Length;
        var inputs = new Mat[caches.Count];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = caches[i].Input;
        var z = new Mat[depth];
        var a = new Mat[depth];
        for (var l = 0; l < depth; l++)
        {
            var parts = new Mat[caches.Count];
            for (var i = 0; i < parts.Length; i++) parts[i] = caches[i].A[l];
            a[l] = Mat.StackRows(parts);
            if (ReferenceEquals(caches[0].Z[l], caches[0].A[l])) z[l] = a[l]; // f′ needs only a_l: one buffer, as in Forward
            else
            {
                for (var i = 0; i < parts.Length; i++) parts[i] = caches[i].Z[l];
                z[l] = Mat.StackRows(parts);
            }
        }
        return new MlpCache(Mat.StackRows(inputs), z.Freeze(), a.Freeze());
    }
}

/// <summary>
/// A multilayer perceptron: a_0 = x, z_l = a_{l−1}·W_l + b_l, a_l = f_l(z_l), output a_L.
/// Widths [n_0, …, n_L] and one activation per layer. Parameter segments "l.W" [n_{l−1}, n_l] and "l.b" [n_l]
/// for l = 0 … L−1.
/// </summary>
public sealed record Mlp
{
    /// <summary>Layer widths n_0 (input) … n_L (output).</summary>
    public ImmutableArray<int> Widths { get; }

    /// <summary>f_1 … f_L, one per layer.</summary>
    public ImmutableArray<Activation> Activations { get; }

    /// <summary>An MLP with the given widths and one activation per layer (widths.Length − 1 of them).</summary>
    public Mlp(ImmutableArray<int> widths, ImmutableArray<Activation> activations)
    {
        if (widths.Length < 2) throw new ArgumentException("an MLP needs at least an input and an output width");
        if (activations.Length != widths.Length - 1) throw new ArgumentException($"{widths.Length - 1} layers need {widths.Length - 1} activations");
        foreach (var w in widths)
            if (w <= 0) throw new ArgumentException("widths must be positive");
        Widths = widths;
        Activations = activations;
        Layout = LayoutOf(widths);
    }

    /// <summary>widths[0] → … → widths[^1], <paramref name="hidden"/> after every hidden layer and <paramref name="output"/> at the end.
    /// Example: <c>Mlp.Create([82, 32, 3], Activation.Relu)</c>.</summary>
    public static Mlp Create(int[] widths, Activation hidden, Activation output = Activation.Identity)
    {
        var acts = new Activation[widths.Length - 1];
        for (var i = 0; i < acts.Length; i++) acts[i] = i == acts.Length - 1 ? output : hidden;
        return new Mlp(ImmutableArray.Create(widths), acts.Freeze());
    }

    /// <summary>The number of layers L.</summary>
    public int Depth => Widths.Length - 1;

    /// <summary>Input width n_0.</summary>
    public int In => Widths[0];

    /// <summary>Output width n_L.</summary>
    public int Out => Widths[^1];

    /// <summary>Σ_l (n_{l−1}·n_l + n_l).</summary>
    public int ParameterCount => Offset(Depth);

    /// <summary>Segments "0.W", "0.b", "1.W", … in order (built once: every backward pass labels its gradient with it).</summary>
    public Layout Layout { get; }

    private static Layout LayoutOf(ImmutableArray<int> widths)
    {
        var parts = new (string, int[])[2 * (widths.Length - 1)];
        for (var l = 0; l < widths.Length - 1; l++)
        {
            parts[2 * l] = ($"{l}.W", [widths[l], widths[l + 1]]);
            parts[2 * l + 1] = ($"{l}.b", [widths[l + 1]]);
        }
        return Layout.Of(parts);
    }

    /// <summary>The dense layer l as a stand-alone <see cref="Dense"/>.</summary>
    public Dense Layer(int l) => new(Widths[l], Widths[l + 1]);

    /// <summary>
    /// Weights drawn layer by layer with <paramref name="init"/> (biases 0). The last layer's weights are
    /// scaled by <paramref name="outputGain"/> (e.g. 0.01 for a PPO policy head).
    /// </summary>
    public Draw<Params> Init(Key key, Initializer init = Initializer.Glorot, double gain = 1.0, double outputGain = 1.0)
    {
        var values = new double[ParameterCount];
        for (var l = 0; l < Depth; l++)
        {
            var g = l == Depth - 1 ? gain * outputGain : gain;
            key = Neural.Init.Fill(init, key, Widths[l], Widths[l + 1], g, values.AsSpan(Offset(l), Widths[l] * Widths[l + 1]));
        }
        return new Draw<Params>(Params.Own(Layout, values), key);
    }

    /// <summary>z_l = a_{l−1}·W_l + b_l, a_l = f_l(z_l) for l = 1 … L, over a batch x [B × n_0].</summary>
    public MlpCache Forward(Params theta, Mat x)
    {
        RequireShape(theta, x);
        var batch = x.Rows;
        var z = new Mat[Depth];
        var a = new Mat[Depth];
        var input = x;
        for (var l = 0; l < Depth; l++)
        {
            int nIn = Widths[l], nOut = Widths[l + 1];
            var zl = Buffers.Uninitialized(batch * nOut); // ForwardCore writes b first
            Dense.ForwardCore(theta.Span.Slice(Offset(l), nIn * nOut + nOut), nIn, nOut, input.Span, batch, zl);
            if (Numerics.Activations.NeedsPreActivation(Activations[l]))
            {
                var al = Buffers.Uninitialized(batch * nOut);
                Numerics.Activations.Apply(Activations[l], zl, al);
                z[l] = Mat.Own(batch, nOut, zl);
                a[l] = Mat.Own(batch, nOut, al);
            }
            else
            {
                Numerics.Activations.Apply(Activations[l], zl, zl); // in place: f′ needs only a_l
                a[l] = z[l] = Mat.Own(batch, nOut, zl);
            }
            input = a[l];
        }
        return new MlpCache(x, z.Freeze(), a.Freeze());
    }

    /// <summary>a_L for a batch x (the forward pass, keeping only the output).</summary>
    public Mat Predict(Params theta, Mat x) => Forward(theta, x).Output;

    /// <summary>
    /// a_L for one input row, written into <paramref name="output"/>: the same layers as <see cref="Forward"/> (the same
    /// bits) without building a cache or a matrix, for acting one step at a time.
    /// </summary>
    public void PredictRow(Params theta, ReadOnlySpan<double> x, Span<double> output)
    {
        if (theta.Count != ParameterCount || x.Length != In || output.Length != Out)
            throw new ArgumentException($"PredictRow needs {ParameterCount} parameters, {In} inputs and {Out} outputs");
        var widest = 0;
        for (var l = 1; l <= Depth; l++) widest = Math.Max(widest, Widths[l]);
        Span<double> even = stackalloc double[widest], odd = stackalloc double[widest];
        scoped ReadOnlySpan<double> input = x;
        for (var l = 0; l < Depth; l++)
        {
            int nIn = Widths[l], nOut = Widths[l + 1];
            var z = (l % 2 == 0 ? even : odd)[..nOut];
            Dense.ForwardCore(theta.Span.Slice(Offset(l), nIn * nOut + nOut), nIn, nOut, input, 1, z);
            Numerics.Activations.Apply(Activations[l], z, z);
            input = z;
        }
        input.CopyTo(output);
    }

    /// <summary>
    /// Backpropagation: δ_L = ∂L/∂a_L ⊙ f_L′(z_L); ∂L/∂W_l = a_{l−1}ᵀ·δ_l, ∂L/∂b_l = Σ_rows δ_l,
    /// δ_{l−1} = (δ_l·W_lᵀ) ⊙ f_{l−1}′(z_{l−1}). ∂L/∂x = δ_1·W_1ᵀ only if <paramref name="inputGradient"/>.
    /// </summary>
    public LayerGrads Backward(Params theta, MlpCache cache, Mat dOutput, bool inputGradient = false, Transposes? transposes = null)
    {
        var grads = Buffers.Uninitialized(ParameterCount); // every layer's backward overwrites its slice (BackwardInto checks the shapes)
        var dX = BackwardInto(theta, cache, dOutput, grads, inputGradient, transposes);
        return new LayerGrads(Params.Own(Layout, grads), dX is null ? null : Mat.Own(cache.Input.Rows, In, dX));
    }

    /// <summary><see cref="Backward"/> with ∂L/∂θ written into <paramref name="grads"/> (every element, in <see cref="Layout"/>):
    /// for an optimizer step that keeps no gradient buffer (<see cref="Adam.Step(Params, GradientWriter, AdamState, AdamHyper)"/>).
    /// Returns ∂L/∂x when <paramref name="inputGradient"/>.</summary>
    public double[]? BackwardInto(Params theta, MlpCache cache, Mat dOutput, Span<double> grads, bool inputGradient = false,
        Transposes? transposes = null)
    {
        RequireShape(theta, cache.Input);
        var batch = cache.Input.Rows;
        if (dOutput.Rows != batch || dOutput.Cols != Out) throw new ArgumentException($"dOutput must be {batch}×{Out}");
        if (grads.Length != ParameterCount) throw new ArgumentException($"grads must hold {ParameterCount} values");
        double[]? dX = null;
        var dA = dOutput.Span.ToArray();      // ∂L/∂a_l, turned into δ_l in place
        for (var l = Depth - 1; l >= 0; l--)
        {
            int nIn = Widths[l], nOut = Widths[l + 1];
            Numerics.Activations.Backward(Activations[l], cache.Z[l].Span, cache.A[l].Span, dA, dA);
            var below = l == 0 ? cache.Input : cache.A[l - 1];
            var dBelow = l > 0 || inputGradient ? Buffers.Uninitialized(batch * nIn) : null; // X·Wᵀ writes every entry
            Dense.BackwardCore(theta.Span.Slice(Offset(l), nIn * nOut + nOut), nIn, nOut, below.Span, dA, batch,
                grads.Slice(Offset(l), nIn * nOut + nOut), dBelow, WeightT(transposes, l));
            if (l == 0) dX = dBelow;
            else dA = dBelow!;
        }
        return dX;
    }

    /// <summary>
    /// ∂L/∂x alone, for a net whose parameters stay fixed (a frozen world model or target): the <see cref="Backward"/>
    /// recursion δ_{l−1} = (δ_l·W_lᵀ) ⊙ f′_{l−1}(z_{l−1}), ∂L/∂x = δ_1·W_1ᵀ without the parameter gradients a_{l−1}ᵀ·δ_l
    /// (a third of the cost). The same operations in the same order as <see cref="Backward"/>'s ∂L/∂x, so the same bits.
    /// </summary>
    public Mat InputGradient(Params theta, MlpCache cache, ReadOnlySpan<double> dOutput, Transposes? transposes = null)
    {
        RequireShape(theta, cache.Input);
        var batch = cache.Input.Rows;
        if (dOutput.Length != batch * Out) throw new ArgumentException($"dOutput must be {batch}×{Out}");
        var dA = dOutput.ToArray(); // ∂L/∂a_l, turned into δ_l in place
        for (var l = Depth - 1; l >= 0; l--)
        {
            int nIn = Widths[l], nOut = Widths[l + 1];
            Numerics.Activations.Backward(Activations[l], cache.Z[l].Span, cache.A[l].Span, dA, dA);
            var dBelow = Buffers.Uninitialized(batch * nIn);
            Dense.InputGradientCore(theta.Span.Slice(Offset(l), nIn * nOut + nOut), nIn, nOut, dA, batch, dBelow, WeightT(transposes, l));
            dA = dBelow;
        }
        return Mat.Own(batch, In, dA);
    }

    /// <summary>W_lᵀ for every layer (<see cref="Transposes"/>), for many backward passes with these parameters.</summary>
    public Transposes Transpose(Params theta)
    {
        if (theta.Count != ParameterCount) throw new ArgumentException($"this MLP needs {ParameterCount} parameters, got {theta.Count}");
        var blocks = new ImmutableArray<double>[Depth];
        for (var l = 0; l < Depth; l++)
        {
            int nIn = Widths[l], nOut = Widths[l + 1];
            var wT = Buffers.Uninitialized(nIn * nOut);
            Blas.Transpose(theta.Span.Slice(Offset(l), nIn * nOut), wT, nIn, nOut);
            blocks[l] = wT.Freeze();
        }
        return new Transposes(blocks.Freeze());
    }

    private static ReadOnlySpan<double> WeightT(Transposes? transposes, int l) => transposes is null ? default : transposes.Blocks[l].AsSpan();

    /// <summary>Offset of layer l's W in the flat buffer (l = Depth gives the total size).</summary>
    private int Offset(int l)
    {
        var offset = 0;
        for (var k = 0; k < l; k++) offset += Widths[k] * Widths[k + 1] + Widths[k + 1];
        return offset;
    }

    private void RequireShape(Params theta, Mat x)
    {
        if (theta.Count != ParameterCount) throw new ArgumentException($"this MLP needs {ParameterCount} parameters, got {theta.Count}");
        if (x.Cols != In) throw new ArgumentException($"this MLP needs inputs with {In} columns, got {x.Cols}");
    }

    /// <summary>Equal widths and activations.</summary>
    public bool Equals(Mlp? other) =>
        other is not null && Widths.AsSpan().SequenceEqual(other.Widths.AsSpan()) && Activations.AsSpan().SequenceEqual(other.Activations.AsSpan());

    /// <summary>A hash over the widths.</summary>
    public override int GetHashCode() => HashCode.Combine(Widths.Length, In, Out);
}
