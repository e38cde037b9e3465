using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Policywerk.Pure;

/// <summary>Building immutable arrays once, without a copy: fill a fresh array, then freeze it.</summary>
public static class Immutable
{
    /// <summary>Hands ownership of <paramref name="items"/> to an <see cref="ImmutableArray{T}"/> without copying.
    /// The caller must not touch the array afterwards.</summary>
    public static ImmutableArray<T> Freeze<T>(this T[] items) => ImmutableCollectionsMarshal.AsImmutableArray(items);

    /// <summary>An immutable array of <paramref name="length"/> copies of <paramref name="value"/>.</summary>
    public static ImmutableArray<T> Filled<T>(int length, T value)
    {
        var items = new T[length];
        Array.Fill(items, value);
        return items.Freeze();
    }
}
