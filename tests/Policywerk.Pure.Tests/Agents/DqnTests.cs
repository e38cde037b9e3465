using System.Collections.Immutable;
using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>DQN's ε schedule, target network, Huber-bounded update and seeded behaviour.</summary>
public class DqnTests
{
    private static readonly ObservationWriter<BreakoutState> Observe = Breakout.WriteObservation;

    [Property(MaxTest = 300)]
    public bool The_epsilon_schedule_is_monotone_and_stays_between_end_and_start(ulong seed)
    {
        var k = Key.FromSeed(seed);
        var (start, k1) = k.NextUniform(0.3, 1.0);
        var (end, k2) = k1.NextUniform(0.0, 0.3);
        var (decay, _) = k2.NextInt(400);
        var config = new DqnConfig(EpsilonStart: start, EpsilonEnd: end, EpsilonDecayEpisodes: decay);
        var previous = double.PositiveInfinity;
        for (var episode = 0; episode < 500; episode++)
        {
            var epsilon = Dqn.Epsilon(config, episode);
            if (epsilon > previous || epsilon < end - 1e-12 || epsilon > start + 1e-12) return false;
            previous = epsilon;
        }
        return Dqn.Epsilon(config, 0) == (decay == 0 ? end : start) && Math.Abs(Dqn.Epsilon(config, 499) - end) < 1e-12;
    }

    [Fact]
    public void The_lesson_schedule_goes_from_one_to_a_tenth_over_200_episodes()
    {
        var config = new DqnConfig();
        Assert.Equal(1.0, Dqn.Epsilon(config, 0));
        Assert.Equal(0.55, Dqn.Epsilon(config, 100), 12);
        Assert.Equal(0.1, Dqn.Epsilon(config, 200), 12);
        Assert.Equal(0.1, Dqn.Epsilon(config, 299), 12);
    }

    [Property(MaxTest = 200)]
    public bool The_huber_gradient_on_the_taken_actions_is_bounded_by_delta(ulong seed)
    {
        var k = Key.FromSeed(seed);
        var (delta, k1) = k.NextUniform(0.1, 3.0);
        const int b = 8;
        var q = new double[b * 3];
        var targets = new double[b];
        var actions = new int[b];
        for (var i = 0; i < q.Length; i++) (q[i], k1) = k1.NextGaussian(0, 10);
        for (var i = 0; i < b; i++)
        {
            (targets[i], k1) = k1.NextGaussian(0, 10);
            (actions[i], k1) = k1.NextInt(3);
        }
        var loss = Losses.HuberSelected(Mat.Own(b, 3, q), actions.ToImmutableArray(), targets, delta);
        for (var i = 0; i < b; i++)
            for (var a = 0; a < 3; a++)
            {
                var g = loss.Grad[i, a] * b; // per-sample gradient
                if (a != actions[i] && g != 0.0) return false;
                if (Math.Abs(g) > delta + 1e-12) return false;
            }
        return true;
    }

    [Property(MaxTest = 100)]
    public bool The_per_output_huber_is_the_selected_huber_over_the_number_of_actions(ulong seed)
    {
        // The Python original's huber/huber_derivative average over all |A| outputs (the untaken ones have zero error).
        var k = Key.FromSeed(seed);
        const int b = 8, actionsCount = 3;
        var q = new double[b * actionsCount];
        var targets = new double[b];
        var actions = new int[b];
        for (var i = 0; i < q.Length; i++) (q[i], k) = k.NextGaussian(0, 3);
        for (var i = 0; i < b; i++)
        {
            (targets[i], k) = k.NextGaussian(0, 3);
            (actions[i], k) = k.NextInt(actionsCount);
        }
        var selected = Losses.HuberSelected(Mat.Own(b, actionsCount, q), actions.ToImmutableArray(), targets);
        var perOutput = Losses.HuberSelectedPerOutput(Mat.Own(b, actionsCount, q), actions.ToImmutableArray(), targets);
        if (Math.Abs(perOutput.Value - selected.Value / actionsCount) > 1e-12) return false;
        for (var i = 0; i < q.Length; i++)
            if (Math.Abs(perOutput.Grad.Values[i] - selected.Grad.Values[i] / actionsCount) > 1e-15) return false;
        return true;
    }

    private static DqnConfig Short => new(MinReplay: 20, TargetEvery: 3, Episodes: 10);

    [Fact]
    public void The_target_network_changes_only_at_copy_points()
    {
        var config = Short;
        var world = new Breakout();
        var runner = Dqn.Start<BreakoutState>(config, Breakout.ObservationSize, Breakout.ActionCount, Key.FromSeed(4));
        var copies = 0;
        for (var e = 0; e < config.Episodes; e++)
        {
            var before = runner.Model.Target;
            var episode = Dqn.Episode(config, world, Observe, runner);
            Assert.Null(episode.Diverged);
            var model = episode.Runner.Model;
            if (model.Episodes % config.TargetEvery == 0)
            {
                Assert.Same(model.Online, model.Target); // θ⁻ ← θ
                copies++;
            }
            else
            {
                Assert.Same(before, model.Target); // untouched
            }
            runner = episode.Runner;
        }
        Assert.Equal(3, copies);
        Assert.True(runner.Model.Updates > 0, "the short run must have made updates");
        Assert.NotEqual(runner.Model.Online, runner.Model.Target); // updates since the last copy moved θ only
    }

    [Fact]
    public void An_update_moves_the_taken_action_towards_its_target_and_leaves_the_model_it_came_from_alone()
    {
        var config = new DqnConfig(LearningRate: 0.001);
        var model = Dqn.Init(config, Breakout.ObservationSize, 3, Key.FromSeed(2)).Value;
        var world = new Breakout();
        var s0 = Breakout.Start;
        var step = world.Step(s0, Breakout.Right, default);
        var t = new Transition<BreakoutState, int>(s0, Breakout.Right, step.Reward, step.Discount, step.Next, step.Last);
        var batch = ImmutableArray.Create(t, t, t, t);
        var target = t.Reward + config.Gamma * Dqn.QValues(model, Observe, t.Next).Max();
        var before = Dqn.QValues(model, Observe, s0)[Breakout.Right];
        var onlineBefore = model.Online;
        var packed = DqnBatch.Pack(batch, Observe, Breakout.ObservationSize);
        var updated = Dqn.Update(config, model, packed).Model;
        for (var i = 0; i < 20; i++) updated = Dqn.Update(config, updated, packed).Model;
        var after = Dqn.QValues(updated, Observe, s0)[Breakout.Right];
        Assert.True(Math.Abs(after - target) < Math.Abs(before - target), $"|{after} − {target}| should be below |{before} − {target}|");
        Assert.Same(onlineBefore, model.Online);
        Assert.Equal(21, updated.Updates);
        Assert.Equal(model.Target, updated.Target);
    }

    [Fact]
    public void The_same_key_gives_the_same_model_and_another_key_a_different_one()
    {
        DqnModel Run(ulong seed)
        {
            var config = Short;
            var runner = Dqn.Start<BreakoutState>(config, Breakout.ObservationSize, 3, Key.FromSeed(seed));
            for (var e = 0; e < config.Episodes; e++) runner = Dqn.Episode(config, new Breakout(), Observe, runner).Runner;
            return runner.Model;
        }
        var a = Run(8);
        Assert.Equal(a.Online, Run(8).Online);
        Assert.NotEqual(a.Online, Run(9).Online);
    }

    [Fact]
    public void A_runaway_learning_rate_is_reported_as_a_divergence()
    {
        var config = Short with { LearningRate = 1e300, Episodes = 40 };
        var runner = Dqn.Start<BreakoutState>(config, Breakout.ObservationSize, 3, Key.FromSeed(1));
        Divergence? diverged = null;
        for (var e = 0; e < config.Episodes && diverged is null; e++)
        {
            var episode = Dqn.Episode(config, new Breakout(), Observe, runner);
            diverged = episode.Diverged;
            runner = episode.Runner;
        }
        Assert.NotNull(diverged);
        Assert.Contains("DQN diverged", diverged!.Message);
    }

    [Fact]
    public void Q_values_beyond_any_return_are_a_divergence_and_the_defaults_stay_inside()
    {
        var world = new Breakout();
        Assert.Equal(1.0, world.MaxAbsReward);
        (Divergence? Diverged, double LargestQ) Run(DqnConfig config)
        {
            var runner = Dqn.Start<BreakoutState>(config, Breakout.ObservationSize, 3, Key.FromSeed(42));
            var largest = 0.0;
            for (var e = 0; e < config.Episodes; e++)
            {
                var episode = Dqn.Episode(config, world, Observe, runner);
                largest = Math.Max(largest, Math.Abs(episode.Log.MeanMaxQ));
                if (episode.Diverged is not null) return (episode.Diverged, largest);
                runner = episode.Runner;
            }
            return (null, largest);
        }
        var bound = world.MaxAbsReward / (1 - Short.Gamma);
        var calm = Run(Short with { Episodes = 60 });
        Assert.Null(calm.Diverged);
        Assert.True(calm.LargestQ < bound / 4, $"max_a Q reached {calm.LargestQ}");
        var wild = Run(Short with { LearningRate = 5, Episodes = 60 });
        Assert.NotNull(wild.Diverged);
        Assert.True(wild.LargestQ > bound);
        Assert.StartsWith("DQN diverged: max_a Q averaged", wild.Diverged!.Message);
    }
}
