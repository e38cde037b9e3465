using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>One named, shaped piece of a flat parameter buffer: values [Offset, Offset + Size), row-major in <see cref="Shape"/>.</summary>
public sealed record Segment(string Name, int Offset, ImmutableArray<int> Shape)
{
    /// <summary>The number of values: the product of the shape's dimensions.</summary>
    public int Size
    {
        get
        {
            var size = 1;
            foreach (var d in Shape) size *= d;
            return size;
        }
    }

    /// <summary>Equal names, offsets and shapes.</summary>
    public bool Equals(Segment? other) =>
        other is not null && Name == other.Name && Offset == other.Offset && Shape.AsSpan().SequenceEqual(other.Shape.AsSpan());

    /// <summary>A hash over name and offset.</summary>
    public override int GetHashCode() => HashCode.Combine(Name, Offset);
}

/// <summary>
/// The layout of a flat parameter buffer: consecutive named segments with shapes. Parameters, their
/// gradients and every optimizer moment share one layout, so element i means the same weight in all of them.
/// </summary>
public sealed record Layout(ImmutableArray<Segment> Segments)
{
    /// <summary>The total number of values.</summary>
    public int Size => Segments.IsEmpty ? 0 : Segments[^1].Offset + Segments[^1].Size;

    /// <summary>A layout with no segments.</summary>
    public static Layout Empty { get; } = new(ImmutableArray<Segment>.Empty);

    /// <summary>Consecutive segments with the given names and shapes, starting at offset 0.</summary>
    public static Layout Of(params (string Name, int[] Shape)[] parts)
    {
        var segments = ImmutableArray.CreateBuilder<Segment>(parts.Length);
        var offset = 0;
        foreach (var (name, shape) in parts)
        {
            var segment = new Segment(name, offset, ImmutableArray.Create(shape));
            segments.Add(segment);
            offset += segment.Size;
        }
        return new Layout(segments.MoveToImmutable());
    }

    /// <summary>The segment called <paramref name="name"/>.</summary>
    public Segment this[string name]
    {
        get
        {
            foreach (var s in Segments)
                if (s.Name == name) return s;
            throw new KeyNotFoundException($"no parameter segment named '{name}'");
        }
    }

    /// <summary>This layout with every name prefixed by <c>prefix/</c> and every offset moved by <paramref name="shift"/>.</summary>
    public Layout Prefixed(string prefix, int shift)
    {
        var segments = new Segment[Segments.Length];
        for (var i = 0; i < segments.Length; i++)
            segments[i] = Segments[i] with { Name = prefix + "/" + Segments[i].Name, Offset = Segments[i].Offset + shift };
        return new Layout(segments.Freeze());
    }

    /// <summary>Equal segment lists.</summary>
    public bool Equals(Layout? other)
    {
        if (other is null || other.Segments.Length != Segments.Length) return false;
        for (var i = 0; i < Segments.Length; i++)
            if (!Segments[i].Equals(other.Segments[i])) return false;
        return true;
    }

    /// <summary>A hash over the segment count and total size.</summary>
    public override int GetHashCode() => HashCode.Combine(Segments.Length, Size);
}

/// <summary>
/// Wᵀ of each weight matrix of a net, formed once for many backward passes with the same parameters: ∂L/∂x = δ·Wᵀ then runs
/// as one product over it, with the bits of <see cref="Numerics.Blas.MulTransB"/> (which forms Wᵀ on every call). Dreamer's
/// frozen nets are backpropagated through every imagined step of an update with unchanged weights.
/// </summary>
public sealed record Transposes(ImmutableArray<ImmutableArray<double>> Blocks);

/// <summary>A net's contribution to a combined parameter buffer: its name and its parameters.</summary>
public readonly record struct Named(string Name, Params Params);

/// <summary>
/// The parameters of any network (or a gradient, or an optimizer moment) as one flat immutable buffer
/// plus a <see cref="Layout"/> of named, shaped segments. Optimizers, clipping, target copies and soft
/// updates are written once over <see cref="Values"/>.
/// </summary>
/// <remarks>
/// A target-network copy is free: parameters are values, so <c>target = online</c> shares the buffer.
/// Several nets become one buffer with <see cref="Concat"/> and come apart again with <see cref="Part"/>.
/// Equality compares layouts and values element by element.
/// </remarks>
public sealed record Params(Layout Layout, ImmutableArray<double> Values)
{
    /// <summary>The names, shapes and offsets of the parts (get-only: a <c>with</c> expression cannot bypass the size check).</summary>
    public Layout Layout { get; } = Layout;

    /// <summary>The flat values, as many as the layout's size (checked at construction; get-only, as <see cref="Layout"/>).</summary>
    public ImmutableArray<double> Values { get; } = Values.Length == Layout.Size
        ? Values
        : throw new ArgumentException($"layout needs {Layout.Size} values, got {Values.Length}");

    /// <summary>The number of values.</summary>
    public int Count => Values.Length;

    /// <summary>All values as a read-only span.</summary>
    public ReadOnlySpan<double> Span => Values.AsSpan();

    /// <summary>The values of the segment called <paramref name="name"/>.</summary>
    public ReadOnlySpan<double> this[string name]
    {
        get
        {
            var s = Layout[name];
            return Values.AsSpan().Slice(s.Offset, s.Size);
        }
    }

    /// <summary>Takes ownership of a freshly filled array (no copy); the caller must not touch it afterwards.</summary>
    public static Params Own(Layout layout, double[] values)
    {
        if (values.Length != layout.Size)
            throw new ArgumentException($"layout needs {layout.Size} values, got {values.Length}");
        return new Params(layout, values.Freeze());
    }

    /// <summary>All zeros in <paramref name="layout"/>.</summary>
    public static Params Zeros(Layout layout) => Own(layout, new double[layout.Size]);

    /// <summary>All zeros in this layout (the shape of a gradient or a first moment).</summary>
    public Params ZerosLike() => Zeros(Layout);

    /// <summary>The same layout holding <paramref name="values"/> (which must have the right length).</summary>
    public Params WithValues(double[] values) => Own(Layout, values);

    /// <summary>
    /// θ = [θ₁; θ₂; …]: several nets' parameters (or gradients) as one buffer, each segment renamed
    /// <c>name/segment</c>. Gradients concatenated in the same order line up with the parameters.
    /// </summary>
    public static Params Concat(params Named[] parts)
    {
        var size = 0;
        foreach (var p in parts) size += p.Params.Count;
        var values = new double[size];
        var segments = ImmutableArray.CreateBuilder<Segment>();
        var offset = 0;
        foreach (var (name, p) in parts)
        {
            p.Span.CopyTo(values.AsSpan(offset));
            segments.AddRange(p.Layout.Prefixed(name, offset).Segments);
            offset += p.Count;
        }
        return Own(new Layout(segments.ToImmutable()), values);
    }

    /// <summary>The part of a <see cref="Concat"/>-ed buffer that came from the net called <paramref name="name"/>, with its original layout.</summary>
    public Params Part(string name)
    {
        var prefix = name + "/";
        var first = -1;
        var last = -1;
        for (var i = 0; i < Layout.Segments.Length; i++)
        {
            if (!Layout.Segments[i].Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (first < 0) first = i;
            last = i;
        }
        if (first < 0) throw new KeyNotFoundException($"no part named '{name}'");
        var start = Layout.Segments[first].Offset;
        var segments = new Segment[last - first + 1];
        for (var i = first; i <= last; i++)
        {
            var s = Layout.Segments[i];
            segments[i - first] = s with { Name = s.Name.Substring(prefix.Length), Offset = s.Offset - start };
        }
        var layout = new Layout(segments.Freeze());
        return Own(layout, Values.AsSpan().Slice(start, layout.Size).ToArray());
    }

    /// <summary>‖θ‖₂ = √(Σ_i θ_i²), summed in a fixed order.</summary>
    public double GlobalNorm() => Math.Sqrt(Blas.SumOfSquares(Span));

    /// <summary>θ + α·g (element-wise; layouts must match in size).</summary>
    public Params AddScaled(double alpha, Params g)
    {
        RequireSameSize(g);
        var values = Values.AsSpan().ToArray();
        Blas.Axpy(alpha, g.Span, values);
        return Own(Layout, values);
    }

    /// <summary>θ + g (for example the sum of two losses' gradients).</summary>
    public Params Add(Params g) => AddScaled(1.0, g);

    /// <summary>c·θ.</summary>
    public Params Scale(double c)
    {
        var values = Buffers.Uninitialized(Count);
        var source = Span;
        for (var i = 0; i < values.Length; i++) values[i] = c * source[i];
        return Own(Layout, values);
    }

    /// <summary>
    /// θ⁻ ← τ·θ + (1 − τ)·θ⁻: the soft (Polyak) target update, with this as the target θ⁻ and
    /// <paramref name="online"/> as θ. τ = 1 is a hard copy.
    /// </summary>
    public Params Polyak(Params online, double tau)
    {
        RequireSameSize(online);
        var values = Buffers.Uninitialized(Count);
        var target = Span;
        var theta = online.Span;
        for (var i = 0; i < values.Length; i++) values[i] = tau * theta[i] + (1.0 - tau) * target[i];
        return Own(Layout, values);
    }

    internal void RequireSameSize(Params other)
    {
        if (other.Count != Count) throw new ArgumentException($"parameter buffers differ in size: {Count} vs {other.Count}");
    }

    /// <summary>Equal layouts and values.</summary>
    public bool Equals(Params? other) =>
        other is not null && Layout.Equals(other.Layout) && Span.SequenceEqual(other.Span);

    /// <summary>A hash over the size.</summary>
    public override int GetHashCode() => Count;
}
