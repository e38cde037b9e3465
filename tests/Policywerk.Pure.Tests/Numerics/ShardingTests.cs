using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tests.Kit;
using Xunit;

namespace Policywerk.Pure.Tests.Numerics;

/// <summary>The sharding helper's contract: which rows and which key each shard gets, sums in a fixed order, and a
/// pipeline that gives what its parts give in turn, whatever the evaluation order.</summary>
public class ShardingTests
{
    private sealed record Part(Rows Rows, Key Key);

    [Property(MaxTest = 100)]
    public bool Two_shards_are_the_first_half_rounded_up_and_the_rest_each_with_its_half_of_the_key(PositiveInt size, ulong seed)
    {
        var n = size.Get % 50 + 1;
        var key = Key.FromSeed(seed);
        var shards = new Sharding(new ReversedEvaluator()).Map(n, key, (rows, k) => new Part(rows, k));
        var (left, right) = key.Split();
        if (n == 1) return shards.B is null && shards.A == new Part(new Rows(0, 1), left);
        var half = (n + 1) / 2;
        return shards.A == new Part(new Rows(0, half), left) && shards.B == new Part(new Rows(half, n - half), right);
    }

    [Fact]
    public void A_sum_adds_shard_A_then_shard_B_whatever_runs_first()
    {
        // string concatenation does not commute: the order of the sum shows
        string Of(Rows rows, Key _) => $"[{rows.First},{rows.First + rows.Count})";
        Assert.Equal("[0,3)[3,5)", Sharding.Sequential.Sum(5, Key.FromSeed(1), Of, string.Concat));
        Assert.Equal("[0,3)[3,5)", new Sharding(new ReversedEvaluator()).Sum(5, Key.FromSeed(1), Of, string.Concat));
        Assert.Equal("[0,1)", Sharding.Sequential.Sum(1, Key.FromSeed(1), Of, string.Concat));
    }

    private sealed record Box(int Value);

    [Property(MaxTest = 50)]
    public bool A_pipeline_gives_what_its_two_parts_give_in_turn(PositiveInt steps, int seed)
    {
        // lead u depends on lead u − 1 only; follow u on follow u − 1 and lead u
        int Lead(int u, int? previous) => unchecked((previous ?? seed) * 31 + u);
        long Follow(long y, int x, int u) => unchecked(y * 17 + x - u);
        var n = steps.Get % 12;
        var inTurn = 0L;
        int? lead = null;
        for (var u = 0; u < n; u++)
        {
            lead = Lead(u, lead);
            inTurn = Follow(inTurn, lead.Value, u);
        }
        var piped = new Sharding(new ReversedEvaluator()).Pipeline<Box, long>(n, 0L, (u, previous) => new Box(Lead(u, previous?.Value)),
            (y, x, u) => Follow(y, x.Value, u));
        return piped == inTurn;
    }
}
