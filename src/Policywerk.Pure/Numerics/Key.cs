using System.Collections.Immutable;

namespace Policywerk.Pure.Numerics;

/// <summary>A value drawn from a <see cref="Key"/>, together with the key to use next.</summary>
public readonly record struct Draw<T>(T Value, Key Next);

/// <summary>The two independent keys a <see cref="Key.Split()"/> produces.</summary>
public readonly record struct KeyPair(Key Left, Key Right);

/// <summary>
/// An immutable, splittable random key: SplitMix64 (Steele, Lea &amp; Flood 2014, the generator behind
/// Java's <c>SplittableRandom</c>). A key is a value: drawing returns the number and the next key,
/// splitting returns two keys whose streams are independent of each other and of the parent.
/// Same key, same stream, bit for bit, on every machine.
/// </summary>
/// <remarks>
/// State: a 64-bit <c>Seed</c> advanced by an odd <c>Gamma</c> at each draw; output is the
/// MurmurHash3-style finaliser <c>Mix64</c> of the advanced seed. A split child gets a fresh seed and
/// a fresh gamma, both mixed from the parent's stream.
/// </remarks>
public readonly record struct Key(ulong Seed, ulong Gamma)
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The root key for a user-facing integer seed.</summary>
    public static Key FromSeed(ulong seed) => new(Mix64(seed), GoldenGamma);

    /// <summary>64 uniformly distributed bits and the next key.</summary>
    public Draw<ulong> NextBits()
    {
        var advanced = Seed + Gamma;
        return new Draw<ulong>(Mix64(advanced), this with { Seed = advanced });
    }

    /// <summary>Two independent keys, each with its own seed and gamma mixed from the parent's stream; neither
    /// repeats the parent's stream, so the parent should not be used again.</summary>
    public KeyPair Split()
    {
        var s1 = Seed + Gamma;
        var s2 = s1 + Gamma;
        var s3 = s2 + Gamma;
        var s4 = s3 + Gamma;
        return new KeyPair(new Key(Mix64(s1), MixGamma(s2)), new Key(Mix64(s3), MixGamma(s4)));
    }

    /// <summary><paramref name="count"/> independent keys (for parallel runs, one per run).</summary>
    public ImmutableArray<Key> Split(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), "count must be non-negative");
        var keys = ImmutableArray.CreateBuilder<Key>(count);
        var rest = this;
        for (var i = 0; i < count; i++)
        {
            var (child, next) = rest.Split();
            keys.Add(child);
            rest = next;
        }
        return keys.MoveToImmutable();
    }

    /// <summary>A double uniform on [0, 1) with 53 random bits.</summary>
    public Draw<double> NextDouble()
    {
        var (bits, next) = NextBits();
        return new Draw<double>((bits >> 11) * (1.0 / (1UL << 53)), next);
    }

    /// <summary>An integer uniform on [0, n), without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public Draw<int> NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive");
        var key = this;
        var bound = (ulong)n;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var (bits, next) = key.NextBits();
            key = next;
            var product = Math.BigMul(bits, bound, out var low);
            if (low >= threshold) return new Draw<int>((int)product, key);
        }
    }

    /// <summary>A standard normal N(0, 1) by the Box–Muller transform (uses two uniforms).</summary>
    public Draw<double> NextGaussian()
    {
        var (u1, k1) = NextDouble();
        var (u2, k2) = k1.NextDouble();
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - u1)); // 1 − u1 ∈ (0, 1]: never log(0)
        return new Draw<double>(radius * Math.Cos(2.0 * Math.PI * u2), k2);
    }

    /// <summary>
    /// <paramref name="count"/> standard normals, two from each Box–Muller draw: with r = √(−2 ln(1 − u₁)) and θ = 2πu₂,
    /// r·cos θ and r·sin θ are independent N(0, 1) (the sine half that <see cref="NextGaussian()"/> leaves unused), four
    /// draws at a time with the core's own vectorised log, sin and cos (so the bits do not depend on the platform's libm).
    /// </summary>
    public Draw<ImmutableArray<double>> NextGaussians(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), "count must not be negative");
        var uniforms = new double[(count + 1) / 2 * 2];
        var key = this;
        for (var i = 0; i < uniforms.Length; i++) (uniforms[i], key) = key.NextDouble();
        var values = new double[count];
        VecMath.Gaussians(uniforms, values);
        return new Draw<ImmutableArray<double>>(values.Freeze(), key);
    }

    /// <summary>A normal N(mean, σ²).</summary>
    public Draw<double> NextGaussian(double mean, double sigma)
    {
        var (z, next) = NextGaussian();
        return new Draw<double>(mean + sigma * z, next);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public Draw<bool> NextBernoulli(double p)
    {
        var (u, next) = NextDouble();
        return new Draw<bool>(u < p, next);
    }

    /// <summary>A uniform double on [low, high).</summary>
    public Draw<double> NextUniform(double low, double high)
    {
        var (u, next) = NextDouble();
        return new Draw<double>(low + (high - low) * u, next);
    }

    /// <summary><paramref name="count"/> uniform doubles on [low, high), drawn in turn.</summary>
    public Draw<ImmutableArray<double>> NextUniforms(int count, double low, double high)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), "count must not be negative");
        var values = new double[count];
        var key = this;
        for (var i = 0; i < count; i++) (values[i], key) = key.NextUniform(low, high);
        return new Draw<ImmutableArray<double>>(values.Freeze(), key);
    }

    /// <summary>A uniformly random permutation of 0..n−1 (Fisher–Yates).</summary>
    public Draw<ImmutableArray<int>> NextPermutation(int n)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        var key = this;
        for (var i = n - 1; i > 0; i--)
        {
            var (j, next) = key.NextInt(i + 1);
            key = next;
            (order[i], order[j]) = (order[j], order[i]);
        }
        return new Draw<ImmutableArray<int>>(order.Freeze(), key);
    }

    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong MixGamma(ulong z)
    {
        z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDUL;
        z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53UL;
        z = (z ^ (z >> 33)) | 1UL;
        var transitions = ulong.PopCount(z ^ (z >> 1));
        return transitions < 24 ? z ^ 0xAAAAAAAAAAAAAAAAUL : z;
    }
}
