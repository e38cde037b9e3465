using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

public class BartoSuttonTests
{
    [Theory]
    [InlineData(0.0, 0.0, 3 * 6 + 3)]
    [InlineData(-0.25, -1.5, 0)]
    [InlineData(0.25, 1.5, 35)]
    [InlineData(-0.15, 0.7, 1 * 6 + 4)]
    [InlineData(0.1, -0.5, 4 * 6 + 2)]   // values on an edge fall in the bin above it
    public void Boxes_are_six_angle_by_six_velocity_bins(double angle, double velocity, int box) =>
        Assert.Equal(box, BartoSutton.Box(new BalanceState(angle, velocity, 0)));

    [Fact]
    public void Failure_is_minus_one_and_ends_the_horizon_while_the_step_cap_does_not()
    {
        var fell = new Transition<BalanceState, int>(new(0.29, 1, 10), 1, 0.0, 0.0, new(0.31, 1, 11), true);
        var capped = new Transition<BalanceState, int>(new(0.0, 0, 499), 1, 1.0, 1.0, new(0.0, 0, 500), true);
        var going = new Transition<BalanceState, int>(new(0.0, 0, 4), 1, 1.0, 1.0, new(0.0, 0, 5), false);
        Assert.Equal(-1.0, BartoSutton.Reinforcement(fell));
        Assert.True(BartoSutton.IsFailure(fell));
        Assert.Equal(0.0, BartoSutton.Reinforcement(capped));
        Assert.False(BartoSutton.IsFailure(capped));
        Assert.Equal(0.0, BartoSutton.Reinforcement(going));
    }

    [Fact]
    public void One_failing_step_by_hand()
    {
        // From zero weights: r̂ = −1 + 0 − 0 = −1. Critic trace at the box left = 1, actor trace = (y − ½) = +½.
        var s = new BalanceState(0.29, 1.2, 10);
        var m = BartoSutton.BeginEpisode(BartoSutton.Initial(), s);
        var t = new Transition<BalanceState, int>(s, 1, 0.0, 0.0, new BalanceState(0.31, 1.2, 11), true);
        var next = BartoSutton.Learn(new BartoSuttonConfig(), m, t);
        var box = BartoSutton.Box(s);
        Assert.Equal(-0.1, next.CriticWeights[box], 12);   // β·r̂·ē = 0.1 · −1 · 1
        Assert.Equal(-5.0, next.ActorWeights[box], 12);    // α·r̂·e = 10 · −1 · ½
        Assert.Equal(1, next.CriticWeights.Count(w => w != 0.0));
    }

    [Fact]
    public void Traces_spread_blame_over_recent_boxes_by_the_decay()
    {
        // Two quiet steps through boxes b1, b2, then a failure from b3: ē = (¼, ½, 1) at the failure.
        var states = new[] { new BalanceState(-0.15, -0.7, 0), new BalanceState(-0.05, -0.2, 1), new BalanceState(0.05, 0.2, 2), new BalanceState(0.35, 0.2, 3) };
        var m = BartoSutton.BeginEpisode(BartoSutton.Initial(), states[0]);
        var c = new BartoSuttonConfig();
        for (var i = 0; i < 3; i++)
            m = BartoSutton.Learn(c, m, new Transition<BalanceState, int>(states[i], 0, i == 2 ? 0.0 : 1.0, i == 2 ? 0.0 : 1.0, states[i + 1], i == 2));
        Assert.Equal(-0.1 * 0.25, m.CriticWeights[BartoSutton.Box(states[0])], 12);
        Assert.Equal(-0.1 * 0.5, m.CriticWeights[BartoSutton.Box(states[1])], 12);
        Assert.Equal(-0.1 * 1.0, m.CriticWeights[BartoSutton.Box(states[2])], 12);
        Assert.Equal(10 * -1 * -0.5 * 0.25, m.ActorWeights[BartoSutton.Box(states[0])], 12); // pushed left: blame favours right
    }

    [Fact]
    public void Acting_without_noise_follows_the_sign_of_the_weight()
    {
        var m = BartoSutton.Initial() with { ActorWeights = Policywerk.Pure.Immutable.Filled(36, -1.0) };
        Assert.Equal(0, BartoSutton.Act(m, new BalanceState(0, 0, 0), 0.0, Key.FromSeed(1)).Value);
        Assert.Equal(1, BartoSutton.Act(BartoSutton.Initial(), new BalanceState(0, 0, 0), 0.0, Key.FromSeed(1)).Value);
    }

    private static int[] Lesson02Lengths(ulong seed, out BartoSuttonModel model)
    {
        var world = new Balance();
        var c = new BartoSuttonConfig();
        model = BartoSutton.Initial();
        var keys = Key.FromSeed(seed).Split(100);
        var lengths = new int[100];
        for (var e = 0; e < 100; e++)
        {
            var episode = BartoSutton.Episode(c, world, model, keys[e]);
            model = episode.Model;
            lengths[e] = episode.Trajectory.Length;
        }
        return lengths;
    }

    [Fact]
    public void Seed_42_balances_within_ten_episodes_and_ends_at_500()
    {
        var lengths = Lesson02Lengths(42, out _);
        Assert.InRange(Array.FindIndex(lengths, l => l >= 500), 0, 10);
        Assert.True(lengths[^10..].Average() >= 490, $"final 10 average {lengths[^10..].Average()}");
    }

    [Fact]
    public void Most_seeds_learn_quickly()
    {
        var quick = 0;
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var lengths = Lesson02Lengths(seed, out _);
            if (Array.FindIndex(lengths, l => l >= 500) is >= 0 and <= 15 && lengths[^10..].Average() >= 450) quick++;
        }
        Assert.True(quick >= 16, $"{quick}/20 seeds learned within 15 episodes");
    }

    [Fact]
    public void Same_key_same_run()
    {
        var a = Lesson02Lengths(7, out var ma);
        var b = Lesson02Lengths(7, out var mb);
        Assert.Equal(a, b);
        Assert.Equal(ma.ActorWeights.ToArray(), mb.ActorWeights.ToArray());
        Assert.Equal(ma.CriticWeights.ToArray(), mb.CriticWeights.ToArray());
    }

    [FsCheck.Xunit.Property(MaxTest = 30)]
    public bool The_explained_terms_rebuild_exactly_the_weights_learn_computes(ulong seed)
    {
        var c = new BartoSuttonConfig(Gamma: 0.95, ActorAlpha: 10.0, CriticBeta: 0.1, TraceDecay: 0.5, NoiseSigma: 0.1);
        var world = new Balance();
        var model = BartoSutton.Initial();
        foreach (var key in Key.FromSeed(seed).Split(3))
        {
            var (resetKey, _) = key.Split();
            var episode = BartoSutton.Episode(c, world, model, key);
            var m = BartoSutton.BeginEpisode(model, world.Reset(resetKey).Value);
            foreach (var t in episode.Trajectory.Steps)
            {
                var terms = BartoSutton.Explain(c, m, t);
                var next = BartoSutton.Learn(c, m, t);
                if (terms.TdError != BartoSutton.Reinforcement(t) + c.Gamma * t.Discount * m.CriticWeights[BartoSutton.Box(t.Next)] - m.PreviousPrediction)
                    return false;
                var changed = terms.Changes.ToDictionary(x => x.Box);
                for (var b = 0; b < BartoSutton.BoxCount; b++)
                {
                    var (dv, dw) = changed.TryGetValue(b, out var x) ? (x.CriticChange, x.ActorChange) : (0.0, 0.0);
                    if (m.CriticWeights[b] + dv != next.CriticWeights[b] || m.ActorWeights[b] + dw != next.ActorWeights[b]) return false;
                }
                m = next;
            }
            if (!m.CriticWeights.SequenceEqual(episode.Model.CriticWeights)) return false; // the replay is the episode's own fold
            model = episode.Model;
        }
        return true;
    }
}
