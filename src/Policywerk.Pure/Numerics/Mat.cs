using System.Collections.Immutable;

namespace Policywerk.Pure.Numerics;

/// <summary>
/// An immutable row-major matrix: a mini-batch is <see cref="Rows"/> samples of <see cref="Cols"/>
/// features each, stored contiguously (<c>Values[r·Cols + c]</c>).
/// </summary>
/// <remarks>Equality compares the values element by element (not by reference), so tests can compare matrices.
/// The shape and values are get-only: a <c>with</c> expression cannot set them, so every matrix passes the shape check
/// of its constructor.</remarks>
public sealed record Mat(int Rows, int Cols, ImmutableArray<double> Values)
{
    /// <summary>The number of rows (samples).</summary>
    public int Rows { get; } = Rows;

    /// <summary>The number of columns (features).</summary>
    public int Cols { get; } = Cols;

    /// <summary>The Rows·Cols values, row-major (checked at construction).</summary>
    public ImmutableArray<double> Values { get; } = Rows >= 0 && Cols >= 0 && Values.Length == Rows * Cols
        ? Values
        : throw new ArgumentException($"a {Rows}×{Cols} matrix needs {Rows * Cols} values, got {Values.Length}");

    /// <summary>The element in row <paramref name="r"/>, column <paramref name="c"/>.</summary>
    public double this[int r, int c] => Values[r * Cols + c];

    /// <summary>Row <paramref name="r"/> as a read-only span (no copy).</summary>
    public ReadOnlySpan<double> Row(int r) => Values.AsSpan().Slice(r * Cols, Cols);

    /// <summary>All values as a read-only span (no copy).</summary>
    public ReadOnlySpan<double> Span => Values.AsSpan();

    /// <summary>A <paramref name="rows"/>×<paramref name="cols"/> matrix of zeros.</summary>
    public static Mat Zeros(int rows, int cols) => new(rows, cols, new double[rows * cols].Freeze());

    /// <summary>Takes ownership of a freshly filled array (no copy); the caller must not touch it afterwards.</summary>
    public static Mat Own(int rows, int cols, double[] values)
    {
        if (rows < 0 || cols < 0 || values.Length != rows * cols)
            throw new ArgumentException($"a {rows}×{cols} matrix needs {rows * cols} values, got {values.Length}");
        return new Mat(rows, cols, values.Freeze());
    }

    /// <summary>A matrix copied from a span of <c>rows·cols</c> values.</summary>
    public static Mat From(int rows, int cols, ReadOnlySpan<double> values) => Own(rows, cols, values.ToArray());

    /// <summary>A one-row matrix (a batch of one) holding <paramref name="values"/>.</summary>
    public static Mat RowVector(ReadOnlySpan<double> values) => From(1, values.Length, values);

    /// <summary>A one-row matrix (a batch of one) sharing <paramref name="values"/> (no copy).</summary>
    public static Mat RowVector(ImmutableArray<double> values) => new(1, values.Length, values);

    /// <summary>A matrix from jagged rows (for tests and small literals).</summary>
    public static Mat FromRows(params double[][] rows)
    {
        var cols = rows.Length == 0 ? 0 : rows[0].Length;
        var values = new double[rows.Length * cols];
        for (var r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length != cols) throw new ArgumentException("all rows must have the same length");
            rows[r].CopyTo(values, r * cols);
        }
        return Own(rows.Length, cols, values);
    }

    /// <summary>Stacks matrices with the same column count on top of each other.</summary>
    public static Mat StackRows(ReadOnlySpan<Mat> parts)
    {
        if (parts.Length == 0) return Zeros(0, 0);
        var cols = parts[0].Cols;
        var rows = 0;
        foreach (var p in parts)
        {
            if (p.Cols != cols) throw new ArgumentException("all parts must have the same column count");
            rows += p.Rows;
        }
        var values = Buffers.Uninitialized(rows * cols); // every element is copied in below
        var offset = 0;
        foreach (var p in parts)
        {
            p.Span.CopyTo(values.AsSpan(offset));
            offset += p.Values.Length;
        }
        return Own(rows, cols, values);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>) as a new matrix.</summary>
    public Mat SliceRows(int start, int count) => From(count, Cols, Span.Slice(start * Cols, count * Cols));

    /// <summary>Places matrices with the same row count side by side: [A | B | …].</summary>
    public static Mat ConcatCols(ReadOnlySpan<Mat> parts)
    {
        if (parts.Length == 0) return Zeros(0, 0);
        var rows = parts[0].Rows;
        var cols = 0;
        foreach (var p in parts)
        {
            if (p.Rows != rows) throw new ArgumentException("all parts must have the same row count");
            cols += p.Cols;
        }
        var values = Buffers.Uninitialized(rows * cols); // every element is copied in below
        for (var r = 0; r < rows; r++)
        {
            var offset = r * cols;
            foreach (var p in parts)
            {
                p.Row(r).CopyTo(values.AsSpan(offset));
                offset += p.Cols;
            }
        }
        return Own(rows, cols, values);
    }

    /// <summary>Columns [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>) as a new matrix.</summary>
    public Mat SliceCols(int start, int count)
    {
        var values = Buffers.Uninitialized(Rows * count);
        for (var r = 0; r < Rows; r++) Row(r).Slice(start, count).CopyTo(values.AsSpan(r * count));
        return Own(Rows, count, values);
    }

    /// <summary>Element-wise equality of shape and values.</summary>
    public bool Equals(Mat? other) =>
        other is not null && Rows == other.Rows && Cols == other.Cols && Span.SequenceEqual(other.Span);

    /// <summary>A hash over the shape only (values are compared in <see cref="Equals(Mat?)"/>).</summary>
    public override int GetHashCode() => HashCode.Combine(Rows, Cols);
}
