namespace Policywerk.Pure.Numerics;

/// <summary>Fresh output buffers for kernels.</summary>
internal static class Buffers
{
    /// <summary>
    /// A new array whose contents are unspecified, for a kernel that writes every element before the array is
    /// frozen (the runtime then skips zeroing it: on this machine that halves the cost of an Adam step).
    /// Only for buffers that are fully overwritten; accumulators (+=) must use <c>new double[n]</c>.
    /// </summary>
    public static double[] Uninitialized(int length) => GC.AllocateUninitializedArray<double>(length);
}
