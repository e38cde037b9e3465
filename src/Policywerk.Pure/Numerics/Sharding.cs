namespace Policywerk.Pure.Numerics;

/// <summary>Rows [<see cref="First"/>, <see cref="First"/> + <see cref="Count"/>) of a batch: one shard.</summary>
public readonly record struct Rows(int First, int Count);

/// <summary>The two shards of a batch (<see cref="Sharding.Map{T}"/>): A, and B when the batch had two rows or more.</summary>
public sealed record Shards<T>(T A, T? B) where T : class
{
    /// <summary>The shards in order, A first.</summary>
    public IEnumerable<T> All => B is null ? [A] : [A, B];
}

/// <summary>
/// How a batch of independent rows is computed in pieces: two fixed shards, the first ⌈n/2⌉ rows and the rest, each
/// with its own half of the key, and a sum over the batch as shard A's part + shard B's part, in that order. The shards
/// are fixed by n alone, so the order of every sum is too: the <see cref="IEvaluator"/> decides only whether the two
/// parts run side by side, never the bits. Losses and gradients are written for one batch; this is the only place
/// that knows they may run as two.
/// </summary>
public sealed record Sharding(IEvaluator Evaluator)
{
    /// <summary>Both shards on the calling thread, one after the other.</summary>
    public static Sharding Sequential { get; } = new(Numerics.Sequential.Instance);

    /// <summary>(f(rows A, key A), f(rows B, key B)), or f(all rows, key A) alone when n &lt; 2.</summary>
    public Shards<T> Map<T>(int n, Key key, Func<Rows, Key, T> f) where T : class
    {
        var (kA, kB) = key.Split();
        if (n < 2) return new Shards<T>(f(new Rows(0, n), kA), null);
        var half = (n + 1) / 2;
        var (a, b) = Evaluator.Both(() => f(new Rows(0, half), kA), () => f(new Rows(half, n - half), kB));
        return new Shards<T>(a, b);
    }

    /// <summary>f(A) + f(B) over shards already made (f(A) alone for one).</summary>
    public TOut Sum<T, TOut>(Shards<T> shards, Func<T, TOut> f, Func<TOut, TOut, TOut> add) where T : class
    {
        if (shards.B is null) return f(shards.A);
        var (a, b) = Evaluator.Both(() => f(shards.A), () => f(shards.B));
        return add(a, b);
    }

    /// <summary>f(rows A, key A) + f(rows B, key B), or f(all rows, key A) when n &lt; 2.</summary>
    public T Sum<T>(int n, Key key, Func<Rows, Key, T> f, Func<T, T, T> add) where T : class
    {
        var shards = Map(n, key, f);
        return shards.B is null ? shards.A : add(shards.A, shards.B);
    }

    /// <summary>
    /// A chain of <paramref name="steps"/> steps, each in two parts, where the first part of step u needs only the first
    /// part of step u − 1: x_0 = lead(0, none); for u = 0 … steps − 1, x_{u+1} = lead(u + 1, x_u) runs side by side
    /// with y_{u+1} = follow(y_u, x_u, u). Returns y_steps: the same bits as running lead and follow in turn.
    /// </summary>
    public TFollow Pipeline<TLead, TFollow>(int steps, TFollow start, Func<int, TLead?, TLead> lead, Func<TFollow, TLead, int, TFollow> follow)
        where TLead : class
    {
        var state = start;
        if (steps <= 0) return state;
        var ahead = lead(0, null);
        for (var u = 0; u < steps; u++)
        {
            var (current, before, step) = (ahead, state, u);
            (ahead, state) = Evaluator.Both(() => step + 1 < steps ? lead(step + 1, current) : null!, () => follow(before, current, step));
        }
        return state;
    }
}
