using FsCheck;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>GAE against its definitions and a naive loop, the clipped surrogate's gradient, PPO's seeded behaviour.</summary>
public class GaeTests
{
    private sealed record Rollout(double[] Rewards, double[] Values, double[] Continuations, double Gamma, double Lambda);

    /// <summary>A random rollout of 1–40 steps; <paramref name="endProbability"/> of an episode ending at each step.</summary>
    private static Rollout RandomRollout(ulong seed, double endProbability)
    {
        var key = Key.FromSeed(seed);
        var (n, k) = key.NextInt(40);
        n += 1;
        double[] r = new double[n], v = new double[n + 1], c = new double[n];
        for (var t = 0; t < n; t++)
        {
            (r[t], k) = k.NextGaussian();
            (var end, k) = k.NextBernoulli(endProbability);
            c[t] = end ? 0.0 : 1.0;
        }
        for (var t = 0; t <= n; t++) (v[t], k) = k.NextGaussian(0, 2);
        var (gamma, k2) = k.NextUniform(0.5, 1.0);
        var (lambda, _) = k2.NextUniform(0.0, 1.0);
        return new Rollout(r, v, c, gamma, lambda);
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1.0, Math.Abs(b));

    [Property(MaxTest = 300)]
    public bool Lambda_one_is_the_discounted_return_minus_the_baseline(ulong seed)
    {
        var x = RandomRollout(seed, 0.0);
        x.Continuations[^1] = 0.0; // one episode that ends at the last step: no bootstrap
        var advantages = Gae.Advantages(x.Rewards, x.Values, x.Continuations, x.Gamma, 1.0);
        var returns = Returns.DiscountedFromEachStep(x.Rewards, x.Gamma);
        return Enumerable.Range(0, x.Rewards.Length).All(t => Close(advantages[t], returns[t] - x.Values[t]));
    }

    [Property(MaxTest = 300)]
    public bool Lambda_zero_is_the_one_step_td_error(ulong seed)
    {
        var x = RandomRollout(seed, 0.3);
        var advantages = Gae.Advantages(x.Rewards, x.Values, x.Continuations, x.Gamma, 0.0);
        return Enumerable.Range(0, x.Rewards.Length).All(t =>
            Close(advantages[t], x.Rewards[t] + x.Gamma * x.Continuations[t] * x.Values[t + 1] - x.Values[t]));
    }

    /// <summary>The naive forward definition: A_t = Σ_k (γλ)^k δ_{t+k}, summed until (and including) the step that ends the episode.</summary>
    [Property(MaxTest = 300)]
    public bool The_backward_recursion_with_resets_equals_the_naive_sum(ulong seed)
    {
        var x = RandomRollout(seed, 0.25);
        var n = x.Rewards.Length;
        var advantages = Gae.Advantages(x.Rewards, x.Values, x.Continuations, x.Gamma, x.Lambda);
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
    }

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

    [Property(MaxTest = 200)]
    public bool Normalised_advantages_have_mean_zero_and_unit_deviation(ulong seed)
    {
        var x = RandomRollout(seed, 0.2);
        if (x.Rewards.Length < 2) return true;
        var a = Gae.Normalize(x.Rewards);
        var mean = a.Average();
        var std = Math.Sqrt(a.Select(v => (v - mean) * (v - mean)).Average());
        return Math.Abs(mean) < 1e-9 && (Math.Abs(std - 1.0) < 1e-6 || std < 1e-6);
    }
}

public class PpoTests
{
    private static readonly PpoConfig Config = new();

    /// <summary>A batch of B rows of actor output (μ, raw log σ), actions, old log-probabilities with log ratios in ±1, and advantages.</summary>
    private static (Mat Output, double[] Actions, double[] LogOld, double[] Advantages) RandomBatch(ulong seed, int b)
    {
        var k = Key.FromSeed(seed);
        double[] output = new double[2 * b], actions = new double[b], logOld = new double[b], advantages = new double[b];
        for (var i = 0; i < b; i++)
        {
            (output[2 * i], k) = k.NextGaussian();
            (output[2 * i + 1], k) = k.NextUniform(-1.5, 1.5);
            (actions[i], k) = k.NextGaussian(output[2 * i], Math.Exp(output[2 * i + 1]));
            var policy = new GaussianPolicy(output[2 * i], output[2 * i + 1]);
            (var logRatio, k) = k.NextUniform(-1.0, 1.0);
            logOld[i] = Ppo.LogProb(actions[i], policy) - logRatio;
            (advantages[i], k) = k.NextGaussian();
        }
        return (Mat.Own(b, 2, output), actions, logOld, advantages);
    }

    [Property(MaxTest = 200)]
    public bool The_clip_stops_the_gradient_only_where_the_ratio_has_left_the_interval_in_the_favoured_direction(ulong seed)
    {
        var (output, actions, logOld, advantages) = RandomBatch(seed, 16);
        var loss = Ppo.Surrogate(Config, output, actions, logOld, advantages);
        var eps = Config.ClipEpsilon;
        for (var i = 0; i < 16; i++)
        {
            var ratio = Math.Exp(Ppo.LogProb(actions[i], Ppo.PolicyFromOutput(Config, output.Row(i))) - logOld[i]);
            var stopped = (advantages[i] > 0 && ratio > 1 + eps) || (advantages[i] < 0 && ratio < 1 - eps);
            var zero = loss.Grad[i, 0] == 0.0 && loss.Grad[i, 1] == 0.0;
            if (stopped != zero) return false;
        }
        return true;
    }

    [Fact]
    public void The_surrogate_gradient_matches_finite_differences_through_the_actor()
    {
        var config = Config with { EntropyCoefficient = 0.01 };
        var actor = Mlp.Create([2, 5, 2], Activation.Tanh);
        var (theta, k) = actor.Init(Key.FromSeed(11));
        var x = new double[12];
        for (var i = 0; i < x.Length; i++) (x[i], k) = k.NextGaussian(0, 0.3);
        var observations = Mat.Own(6, 2, x);
        var output = actor.Predict(theta, observations);
        // log ratios −0.5, −0.1, 0, 0.05, 0.1, 0.5 (inside and outside the clip, away from its edges), mixed-sign advantages
        double[] logRatios = [-0.5, -0.1, 0.0, 0.05, 0.1, 0.5];
        double[] advantages = [1.0, -0.7, 0.4, -1.2, 0.9, -0.3];
        var actions = new double[6];
        var logOld = new double[6];
        for (var i = 0; i < 6; i++)
        {
            var policy = Ppo.PolicyFromOutput(config, output.Row(i));
            (actions[i], k) = k.NextGaussian(policy.Mean, policy.Std);
            logOld[i] = Ppo.LogProb(actions[i], policy) - logRatios[i];
        }
        double Loss(Params p) => Ppo.Surrogate(config, actor.Predict(p, observations), actions, logOld, advantages).Value;

        var cache = actor.Forward(theta, observations);
        var analytic = actor.Backward(theta, cache, Ppo.Surrogate(config, cache.Output, actions, logOld, advantages).Grad).Grads;
        const double h = 1e-6;
        for (var j = 0; j < theta.Count; j++)
        {
            var plus = theta.Span.ToArray();
            var minus = theta.Span.ToArray();
            plus[j] += h;
            minus[j] -= h;
            var numeric = (Loss(theta.WithValues(plus)) - Loss(theta.WithValues(minus))) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic.Span[j]) <= 1e-6 + 1e-4 * Math.Abs(numeric),
                $"parameter {j}: numeric {numeric}, analytic {analytic.Span[j]}");
        }
    }

    [Fact]
    public void Log_sigma_gets_no_gradient_where_it_is_clamped()
    {
        var output = Mat.FromRows([0.0, 3.0], [0.0, -3.0]);
        var loss = Ppo.Surrogate(Config, output, [0.5, 0.5], [-1.0, -1.0], [1.0, 1.0]);
        Assert.Equal(0.0, loss.Grad[0, 1]);
        Assert.Equal(0.0, loss.Grad[1, 1]);
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
}
