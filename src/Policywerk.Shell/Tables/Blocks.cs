namespace Policywerk.Shell.Tables;

/// <summary>Consecutive items [<see cref="From"/>, <see cref="From"/> + <see cref="Count"/>) of a run's log (0-based):
/// the episodes or iterations one printed row averages.</summary>
public readonly record struct Block(int From, int Count)
{
    /// <summary>The index of the block's last item.</summary>
    public int Last => From + Count - 1;
}

/// <summary>The one way the shell cuts a run's log into printed blocks and averages each.</summary>
public static class Blocks
{
    /// <summary>[0, size), [size, 2·size), … over <paramref name="length"/> items; the last block is shorter when
    /// <paramref name="size"/> does not divide <paramref name="length"/>.</summary>
    public static IEnumerable<Block> Of(int length, int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "a block holds at least one item");
        for (var from = 0; from < length; from += size) yield return new Block(from, Math.Min(size, length - from));
    }

    /// <summary>The last <paramref name="count"/> of <paramref name="length"/> items.</summary>
    public static Block Last(int length, int count) => new(length - count, count);

    /// <summary>items[From], …, items[Last], in order.</summary>
    public static IEnumerable<T> Items<T>(IReadOnlyList<T> items, Block block)
    {
        for (var i = block.From; i <= block.Last; i++) yield return items[i];
    }

    /// <summary>(1/Count) Σ_{i ∈ block} value(items[i]), summed in index order (it is <see cref="Enumerable.Average{TSource}(IEnumerable{TSource}, Func{TSource, double})"/>
    /// over the block's items, so the bits are LINQ's).</summary>
    public static double Mean<T>(IReadOnlyList<T> items, Block block, Func<T, double> value) => Items(items, block).Average(value);

    /// <summary>(1/Count) Σ_{i ∈ block} values[i], summed in index order.</summary>
    public static double Mean(IReadOnlyList<double> values, Block block) => Items(values, block).Average();
}
