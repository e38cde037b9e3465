using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>GAE against its definitions and a naive loop, the clipped surrogate's gradient, PPO's seeded behaviour.</summary>
public class GaeTests
{
    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1.0, Math.Abs(b));

    [Property(MaxTest = 300)]
    public Property Lambda_one_is_the_discounted_return_minus_the_baseline_and_lambda_zero_the_one_step_td_error() =>
        Invariants.GaeReducesToTdErrorAndMonteCarlo(Gae.Advantages);

    /// <summary>The naive forward definition: A_t = Σ_k (γλ)^k δ_{t+k}, summed until (and including) the step that ends the episode.</summary>
    [Property(MaxTest = 300)]
    public Property The_backward_recursion_with_resets_equals_the_naive_sum() => Prop.ForAll(Generators.Rollouts(0.25).ToArbitrary(), x =>
    {
        var n = x.Rewards.Length;
        var advantages = Gae.Advantages(x.Rewards.AsSpan(), x.Values.AsSpan(), x.Continuations.AsSpan(), x.Gamma, x.Lambda);
        for (var t = 0; t < n; t++)
        {
            var naive = 0.0;
            var weight = 1.0;
            for (var k = t; k < n; k++)
            {
                naive += weight * (x.Rewards[k] + x.Gamma * x.Continuations[k] * x.Values[k + 1] - x.Values[k]);
                if (x.Continuations[k] == 0.0) break; // the episode ended: nothing after it belongs to A_t
                weight *= x.Gamma * x.Lambda;
            }
            if (!Close(advantages[t], naive)) return false;
        }
        return true;
    });

    [Fact]
    public void An_episode_end_stops_credit_from_flowing_back()
    {
        // two one-step episodes: the big reward of the second must not reach the first
        var advantages = Gae.Advantages([0.0, 100.0], [0.0, 0.0, 0.0], [0.0, 0.0], 0.99, 0.95);
        Assert.Equal(0.0, advantages[0]);
        Assert.Equal(100.0, advantages[1]);
    }

    [Fact]
    public void A_hand_computed_rollout()
    {
        // the Python lesson's example: V = 10, 12, 11, 10; r = 1; γ = 0.99
        double[] v = [10.0, 12.0, 11.0, 10.0];
        double[] r = [1.0, 1.0, 1.0];
        var a = Gae.Advantages(r, v, [1.0, 1.0, 1.0], 0.99, 0.95);
        double d0 = 1 + 0.99 * 12 - 10, d1 = 1 + 0.99 * 11 - 12, d2 = 1 + 0.99 * 10 - 11;
        Assert.Equal(d2, a[2], 12);
        Assert.Equal(d1 + 0.99 * 0.95 * d2, a[1], 12);
        Assert.Equal(d0 + 0.99 * 0.95 * (d1 + 0.99 * 0.95 * d2), a[0], 12);
        Assert.Equal(2.88, d0, 12);
    }

    [Fact]
    public void A_time_limit_cut_off_bootstraps_from_the_state_it_was_cut_off_in_and_stops_the_carry()
    {
        // step 0 is cut off in s′_0 (d = 1, last); step 1 starts the next episode and is terminal (d = 0, last).
        // γ = 0.5, λ = 0.5:  A_1 = 2 + 0 − 1 = 1;  A_0 = 1 + 0.5·4 − 3 = 0 (no carry of A_1 across the episode end).
        var cut = Gae.Advantages([1.0, 2.0], [3.0, 1.0], [4.0, 9.0], [1.0, 0.0], [true, true], 0.5, 0.5);
        Assert.Equal([0.0, 1.0], cut.ToArray());
        // the same step treated as terminal loses the bootstrap: A_0 = 1 − 3
        var terminal = Gae.Advantages([1.0, 2.0], [3.0, 1.0], [4.0, 9.0], [0.0, 0.0], [true, true], 0.5, 0.5);
        Assert.Equal([-2.0, 1.0], terminal.ToArray());
        // no episode end: A_0 = δ_0 + γλ·A_1 = (1 + 2 − 3) + 0.25·(2 + 0.5·9 − 1)
        var going = Gae.Advantages([1.0, 2.0], [3.0, 1.0], [4.0, 9.0], [1.0, 1.0], [false, false], 0.5, 0.5);
        Assert.Equal([0.25 * 5.5, 5.5], going.ToArray());
    }

    [Property(MaxTest = 200)]
    public Property With_next_values_from_the_next_row_and_ends_only_at_terminals_both_forms_agree_bit_for_bit() =>
        Prop.ForAll(Generators.Rollouts(0.3).ToArbitrary(), x =>
        {
            var n = x.Length;
            var lasts = x.Continuations.Select(c => c == 0.0).ToArray();
            var general = Gae.Advantages(x.Rewards.AsSpan(), x.Values.AsSpan(0, n), x.Values.AsSpan(1, n), x.Continuations.AsSpan(), lasts, x.Gamma, x.Lambda);
            return general.SequenceEqual(Gae.Advantages(x.Rewards.AsSpan(), x.Values.AsSpan(), x.Continuations.AsSpan(), x.Gamma, x.Lambda));
        });

    [Property(MaxTest = 200)]
    public Property Normalised_advantages_have_mean_zero_and_unit_deviation_up_to_epsilon() =>
        Prop.ForAll(Generators.Rollouts(0.2).Where(x => x.Length >= 2).ToArbitrary(), x =>
        {
            const double epsilon = 1e-8;
            var a = Gae.Normalize(x.Rewards.AsSpan(), epsilon);
            static double Std(IReadOnlyList<double> v) => Math.Sqrt(v.Select(e => (e - v.Average()) * (e - v.Average())).Average());
            var before = Std(x.Rewards);
            // the standard deviation becomes σ / (σ + ε): 1 for spread-out values, below 1 when σ is near ε
            return Math.Abs(a.Average()) < 1e-9 && Math.Abs(Std(a) - before / (before + epsilon)) < 1e-9;
        });
}

public class PpoTests
{
    private static readonly PpoConfig Config = new();

    [Property(MaxTest = 200)]
    public bool The_clip_holds_only_where_the_ratio_has_left_the_interval_in_the_favoured_direction(ulong seed)
    {
        var k = Key.FromSeed(seed);
        for (var i = 0; i < 16; i++)
        {
            (var mean, k) = k.NextGaussian();
            (var logStd, k) = k.NextUniform(-1.5, 1.5);
            var policy = new GaussianPolicy(mean, logStd);
            (var action, k) = k.NextGaussian(mean, policy.Std);
            (var logRatio, k) = k.NextUniform(-1.0, 1.0);
            (var advantage, k) = k.NextGaussian();
            var objective = Ppo.Clip(Config, policy, action, policy.LogProb(action) - logRatio, advantage);
            var ratio = Math.Exp(logRatio);
            var stopped = (advantage > 0 && ratio > 1 + Config.ClipEpsilon) || (advantage < 0 && ratio < 1 - Config.ClipEpsilon);
            if (stopped != objective.ClipActive || Math.Abs(objective.Ratio - ratio) > 1e-12 * ratio) return false;
            var expected = Math.Min(ratio * advantage, Math.Clamp(ratio, 1 - Config.ClipEpsilon, 1 + Config.ClipEpsilon) * advantage);
            if (Math.Abs(objective.Value - expected) > 1e-12 * (1 + Math.Abs(expected))) return false;
        }
        return true;
    }

    /// <summary>A small model and a batch of 6 samples whose log ratios −0.5 … 0.5 lie inside and outside the clip.</summary>
    private static (PpoModel Model, PpoBatch Batch) SmallProblem(PpoConfig config)
    {
        var model = Ppo.Init(config with { Hidden = 5 }, 2, Key.FromSeed(11)).Value;
        var k = Key.FromSeed(12);
        var x = new double[12];
        for (var i = 0; i < x.Length; i++) (x[i], k) = k.NextGaussian(0, 0.3);
        var observations = Mat.Own(6, 2, x);
        var output = model.Actor.Predict(model.Theta, observations);
        double[] logRatios = [-0.5, -0.1, 0.0, 0.05, 0.1, 0.5];
        double[] advantages = [-1.0, -0.7, 0.4, -1.2, 0.9, 0.3]; // samples 0 and 5 are clipped (ratio out, Â favouring out)
        double[] returns = [0.5, -0.2, 1.5, 0.0, 2.0, -1.0];
        var actions = new double[6];
        var logOld = new double[6];
        for (var i = 0; i < 6; i++)
        {
            var policy = Ppo.PolicyFromOutput(config, output.Row(i));
            (actions[i], k) = k.NextGaussian(policy.Mean, policy.Std);
            logOld[i] = policy.LogProb(actions[i]) - logRatios[i];
        }
        return (model, new PpoBatch(observations, [.. actions], [.. logOld], [.. advantages], [.. returns]));
    }

    [Fact]
    public void The_loss_is_the_sum_of_its_named_terms_and_backward_reports_the_same_terms()
    {
        var config = Config with { EntropyCoefficient = 0.01 };
        var (model, batch) = SmallProblem(config);
        var terms = Ppo.Loss(config, model, batch);
        Assert.Equal(-terms.ClippedSurrogate - 0.01 * terms.Entropy, terms.PolicyLoss, 14);
        Assert.Equal(terms.PolicyLoss + terms.ValueLoss, terms.Total);
        Assert.Equal(2.0 / 6, terms.ClipFraction);
        var backward = Ppo.Backward(config, model, batch).Terms;
        Assert.Equal(terms.PolicyLoss, backward.PolicyLoss, 14);
        Assert.Equal(terms.ValueLoss, backward.ValueLoss, 14);
        Assert.Equal(terms.ClipFraction, backward.ClipFraction);
    }

    [Fact]
    public void The_gradient_matches_finite_differences_of_the_loss_through_actor_and_critic()
    {
        var config = Config with { EntropyCoefficient = 0.01 };
        var (model, batch) = SmallProblem(config);
        var gradients = Ppo.Backward(config, model, batch);
        var thetaNumeric = GradCheck.Numerical(theta => Ppo.Loss(config, model with { Theta = theta }, batch).Total, model.Theta, 1e-6);
        var phiNumeric = GradCheck.Numerical(phi => Ppo.Loss(config, model with { Phi = phi }, batch).Total, model.Phi, 1e-6);
        Assert.True(GradCheck.RelativeError(gradients.Theta.Span, thetaNumeric.Span) < 1e-5);
        Assert.True(GradCheck.RelativeError(gradients.Phi.Span, phiNumeric.Span) < 1e-6);
        Assert.True(GradCheck.RelativeError(gradients.Theta.Scale(1.01).Span, thetaNumeric.Span) > 1e-3); // the check can fail
    }

    [Fact]
    public void Log_sigma_gets_no_gradient_where_it_is_clamped()
    {
        // an actor whose raw log σ output is 3 (above LogStdMax = 2) everywhere: its output weights and bias get no gradient
        var (model, batch) = SmallProblem(Config);
        var theta = model.Theta.Span.ToArray();
        var w = model.Actor.Layout["1.W"];
        var bias = model.Actor.Layout["1.b"];
        for (var j = 0; j < 5; j++) theta[w.Offset + 2 * j + 1] = 0.0;
        theta[bias.Offset + 1] = 3.0;
        var gradients = Ppo.Backward(Config, model with { Theta = model.Theta.WithValues(theta) }, batch).Theta.Span;
        Assert.Equal(0.0, gradients[bias.Offset + 1]);
        for (var j = 0; j < 5; j++) Assert.Equal(0.0, gradients[w.Offset + 2 * j + 1]);
        Assert.NotEqual(0.0, gradients[bias.Offset]); // the mean still learns
    }

    private static readonly ObservationWriter<BalanceState> Observe = (s, o) => { o[0] = s.Angle; o[1] = s.AngularVelocity; };

    private static PpoRunner<BalanceState> Train(PpoConfig config, ulong seed, int iterations)
    {
        var world = new Balance();
        var runner = Ppo.Start(config, world, 2, Key.FromSeed(seed));
        for (var i = 0; i < iterations; i++)
        {
            var it = Ppo.Iterate(config, world, Observe, runner);
            Assert.Null(it.Diverged);
            runner = it.Runner;
        }
        return runner;
    }

    [Fact]
    public void The_same_key_gives_the_same_model_and_another_key_a_different_one()
    {
        var config = Config with { RolloutSteps = 100, Iterations = 3 };
        var a = Train(config, 5, 3);
        var b = Train(config, 5, 3);
        var c = Train(config, 6, 3);
        Assert.Equal(a.Model.Theta, b.Model.Theta);
        Assert.Equal(a.Model.Phi, b.Model.Phi);
        Assert.NotEqual(a.Model.Theta, c.Model.Theta);
    }

    [Fact]
    public void Mini_batches_shuffle_and_take_several_steps_per_epoch()
    {
        var config = Config with { RolloutSteps = 100, MiniBatchSize = 25 };
        var runner = Train(config, 5, 2);
        Assert.Equal(2 * 3 * 4, runner.Model.ActorAdam.T);
    }

    [Fact]
    public void A_runaway_learning_rate_is_reported_as_a_divergence()
    {
        var config = Config with { RolloutSteps = 50, ActorLearningRate = 1e300, CriticLearningRate = 1e300 };
        var world = new Balance();
        var runner = Ppo.Start(config, world, 2, Key.FromSeed(1));
        Divergence? diverged = null;
        for (var i = 0; i < 20 && diverged is null; i++)
        {
            var it = Ppo.Iterate(config, world, Observe, runner);
            diverged = it.Diverged;
            runner = it.Runner;
        }
        Assert.NotNull(diverged);
        Assert.Contains("PPO diverged", diverged!.Message);
    }

    [Fact]
    public void The_greedy_action_is_the_clamped_mean()
    {
        var model = Ppo.Init(Config, 2, Key.FromSeed(3)).Value;
        var s = new BalanceState(0.2, -0.4, 0);
        var policy = Ppo.Policy(Config, model, Observe, s);
        Assert.Equal(Math.Clamp(policy.Mean, -1, 1), Ppo.Act(Config, model, Observe, s));
    }

    [Property(MaxTest = 10)]
    public bool A_samples_terms_recombine_to_exactly_what_GAE_and_the_clipped_objective_compute(ulong seed, byte stepByte)
    {
        foreach (var bootstrap in new[] { true, false })
        {
            var config = new PpoConfig(RolloutSteps: 128, BootstrapTimeLimits: bootstrap);
            var world = new Balance();
            var runner = Ppo.Start(config, world, 2, Key.FromSeed(seed));
            var (rollout, _) = Ppo.Collect(config, world, Observe, runner);
            var batch = Ppo.Advantages(config, runner.Model, rollout);
            var (updated, _) = Ppo.Update(config, runner.Model, batch, Key.FromSeed(seed + 1));
            var t = stepByte % rollout.Length;
            var x = Ppo.ExplainSamples(config, runner.Model, updated, rollout)[t];
            var delta = x.Reward + config.Gamma * x.Discount * x.NextValue - x.Value;
            var advantage = delta + config.Gamma * config.Lambda * (x.Last ? 0.0 : 1.0) * x.NextAdvantage;
            var ratio = Math.Exp(x.LogProbNew - x.LogProbOld);
            var objective = Math.Min(ratio * x.NormalizedAdvantage,
                Math.Clamp(ratio, 1.0 - config.ClipEpsilon, 1.0 + config.ClipEpsilon) * x.NormalizedAdvantage);
            if (x.TdError != delta || x.Advantage != advantage || x.NormalizedAdvantage != batch.Advantages[t]) return false;
            if (x.Objective.Ratio != ratio || x.Objective.Value != objective || x.LogProbOld != batch.LogProbsOld[t]) return false;
        }
        return true;
    }
}

public class PpoTimeLimitTests
{
    private static readonly ObservationWriter<BalanceState> Observe = (s, o) => { o[0] = s.Angle; o[1] = s.AngularVelocity; };

    [Fact]
    public void A_cut_off_bootstraps_unless_the_config_treats_time_limits_as_terminal()
    {
        // a 20-step time limit inside a 50-step rollout: steps 19 and 39 are cut off, not terminal
        var world = new Balance(new BalanceConstants(MaxSteps: 20, InitialTilt: 0.0));
        var config = new PpoConfig(RolloutSteps: 50);
        var runner = Ppo.Start(config, world, 2, Key.FromSeed(3));
        var (rollout, _) = Ppo.Collect(config, world, Observe, runner);
        var cutOffs = Enumerable.Range(0, rollout.Length).Where(t => rollout.Lasts[t]).ToArray();
        Assert.Equal([19, 39], cutOffs);
        Assert.All(cutOffs, t => Assert.Equal(1.0, rollout.Discounts[t]));

        var bootstrapped = Ppo.Advantages(config, runner.Model, rollout);
        var terminal = Ppo.Advantages(config with { BootstrapTimeLimits = false }, runner.Model, rollout);
        var asIfTerminal = Ppo.Advantages(config, runner.Model, rollout with { Discounts = rollout.Discounts.Select((d, t) => rollout.Lasts[t] ? 0.0 : d).ToImmutableArray() });
        Assert.Equal(asIfTerminal.Returns.ToArray(), terminal.Returns.ToArray());
        // the cut-off step's return differs by exactly γ·V(s′_19), its bootstrap; the third episode (steps 40–49, no cut-off
        // inside the rollout) is the same either way: the carry stops at every episode end
        var vNext = runner.Model.Critic.Predict(runner.Model.Phi, Mat.RowVector(rollout.NextObservations.Row(19))).Values[0];
        Assert.Equal(config.Gamma * vNext, bootstrapped.Returns[19] - terminal.Returns[19], 12);
        Assert.NotEqual(0.0, vNext);
        Assert.Equal(terminal.Returns.Skip(40).ToArray(), bootstrapped.Returns.Skip(40).ToArray());
    }
}
