using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using NCheck = Policywerk.Pure.Tests.Neural.Check;
using Policywerk.Pure.Worlds;
using Policywerk.Pure.Tests.Kit;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>Dreamer: gradient checks of the RSSM and the λ-return, λ-return and KL properties, determinism.</summary>
public class DreamerTests
{
    /// <summary>A tiny agent: small enough for central differences over every parameter segment.</summary>
    private static readonly DreamerConfig Tiny = new(Deter: 6, Stoch: 3, FeaturePoints: 2, Embed: 5, Hidden: 7, BatchSize: 3, ChunkLength: 4,
        ImaginationStarts: 4, Horizon: 3, FreeBits: 0.0, DynamicsWeight: 0.3, RepresentationWeight: 0.3, PrefillSteps: 150, WarmupUpdates: 0);

    private static (DreamerNets Nets, DreamerTraining<PointMassState> Training, DreamerBatch Batch) TinySetup(DreamerConfig c)
    {
        var world = new PixelPointMass();
        var training = Dreamer.Start(c, world, Key.FromSeed(1));
        var batch = DreamerBatch.From(training.Replay.Sample(c.BatchSize, c.ChunkLength, Key.FromSeed(2)).Value);
        return (DreamerNets.For(c, world), training, batch);
    }

    /// <summary>The analytic gradient against central differences on a sample of every segment's entries.</summary>
    private static double MaxSampledError(Params theta, Params grads, Func<double[], double> loss, int perSegment = 5)
    {
        var worst = 0.0;
        foreach (var segment in theta.Layout.Segments)
            for (var j = 0; j < Math.Min(segment.Size, perSegment); j++)
            {
                var i = segment.Offset + (j * 7919) % segment.Size;
                var v = theta.Values.ToArray();
                const double h = 1e-4; // the losses are O(10): a smaller step's rounding (≈ ε·L/h) swamps the heads' 1e-6-sized gradients
                v[i] += h;
                var up = loss((double[])v.Clone());
                v[i] -= 2 * h;
                var down = loss(v);
                var numeric = (up - down) / (2 * h);
                var analytic = grads.Values[i];
                var error = Math.Abs(numeric - analytic) / Math.Max(Math.Abs(numeric) + Math.Abs(analytic), 1e-7);
                worst = Math.Max(worst, error);
            }
        return worst;
    }

    [Fact]
    public void World_model_gradient_matches_central_differences_with_unequal_kl_weights()
    {
        // β_dyn ≠ β_rep, no free bits. The stop-gradients say which side each KL term trains: the dynamics term sees the
        // posterior's statistics frozen at θ₀, the representation term the prior's. So the loss whose plain derivative the
        // gradient must be is L_rec + L_rew + L_cont + β_dyn·KL(q(θ₀) ‖ p(θ)) + β_rep·KL(q(θ) ‖ p(θ₀)), each KL a mean over rows.
        var c = Tiny with { DynamicsWeight = 0.5, RepresentationWeight = 0.1 };
        var (nets, training, batch) = TinySetup(c);
        var w = training.Model.World;
        var flat = w.Flat;
        var n = batch.Batch * batch.Length;
        var frozen = DreamerRssm.Forward(c, nets, w, batch, Key.FromSeed(3));
        var grads = DreamerRssm.Backward(c, nets, w, batch, frozen, DreamerRssm.Loss(c, nets, batch, frozen, n).Cache, n).Flat;
        double Loss(double[] v)
        {
            var f = DreamerRssm.Forward(c, nets, WorldParams.FromFlat(flat.WithValues(v)), batch, Key.FromSeed(3));
            var (terms, _) = DreamerRssm.Loss(c, nets, batch, f, n);
            return terms.Reconstruction + terms.Reward + terms.Continue
                   + c.DynamicsWeight * DreamerLatent.Kl(frozen.Posterior, f.Prior).Sum() / n
                   + c.RepresentationWeight * DreamerLatent.Kl(f.Posterior, frozen.Prior).Sum() / n;
        }
        var err = MaxSampledError(flat, grads, Loss);
        Assert.True(err < 1e-5, $"relative error {err}");
    }

    [Fact]
    public void World_model_loss_is_the_sum_of_its_named_terms_and_two_shards_give_the_gradient_of_one()
    {
        var (nets, training, batch) = TinySetup(Tiny);
        var w = training.Model.World;
        var n = batch.Batch * batch.Length;
        var (terms, cache) = DreamerRssm.Loss(Tiny, nets, batch, DreamerRssm.Forward(Tiny, nets, w, batch, Key.FromSeed(3)), n);
        Assert.Equal(terms.Reconstruction + terms.Reward + terms.Continue + terms.Dynamics + terms.Representation, terms.Total);
        Assert.Equal(Tiny.DynamicsWeight / Tiny.RepresentationWeight, terms.Dynamics / terms.Representation, 12);
        Assert.Equal(cache.Kl.PerRow.Sum() / n, terms.Kl, 12);
        // two shards (2 and 1 sequences, each with its own half of the key) computed side by side and added, against
        // each shard computed as a batch of its own, its means divided by the whole batch's n
        var chunks = training.Replay.Sample(Tiny.BatchSize, Tiny.ChunkLength, Key.FromSeed(2)).Value; // the batch's sequences
        var sharded = Dreamer.StepWorld(Tiny, nets, w, training.Model.WorldOptimizer, chunks, Key.FromSeed(3), Sharding.Sequential);
        var shards = Sharding.Sequential.Map(batch.Batch, Key.FromSeed(3), (rows, k) => new Shard(rows, k)); // which rows and key each got
        Params Part(Shard s)
        {
            var part = DreamerBatch.From(chunks.Slice(s.Rows.First, s.Rows.Count));
            var f = DreamerRssm.Forward(Tiny, nets, w, part, s.Key);
            return DreamerRssm.Backward(Tiny, nets, w, part, f, DreamerRssm.Loss(Tiny, nets, part, f, n).Cache, n).Flat;
        }
        var step = Adam.Step(w.Flat, Clip.GlobalNorm(Part(shards.A).Add(Part(shards.B!)), Tiny.GradClip), training.Model.WorldOptimizer,
            new AdamHyper(Tiny.WorldLearningRateAt(training.Model.WorldOptimizer.T)));
        Assert.Equal(step.Theta, sharded.World.Flat);
        Assert.Equal(batch.Batch * batch.Length, sharded.Deter.Rows);
    }

    private sealed record Shard(Rows Rows, Key Key);

    [Property(MaxTest = 10)]
    public bool An_imagined_returns_terms_recombine_to_exactly_what_the_lambda_return_computes(ulong seed)
    {
        var c = Tiny;
        var nets = DreamerNets.For(c, new PixelPointMass());
        var (model, key) = DreamerModel.Init(nets, Key.FromSeed(seed));
        var h0 = NCheck.Gaussian(ref key, 4, c.Deter, 0.5);
        var z0 = NCheck.Gaussian(ref key, 4, c.Stoch, 0.5);
        var im = DreamerImagination.Rollout(c, nets, model.World, model.Actor, model.SlowCritic, h0, z0, key).Imagined;
        for (var n = 0; n < im.Starts; n++)
            for (var k = 0; k < im.Horizon; k++)
            {
                var x = DreamerImagination.ExplainReturn(im, n, k, c.Gamma, c.Lambda);
                if (x.Return != x.Reward + c.Gamma * x.Continue * ((1.0 - c.Lambda) * x.Value + c.Lambda * x.NextReturn)) return false;
            }
        return true;
    }

    [Property(MaxTest = 100)]
    public bool One_rows_balanced_kl_terms_are_its_weights_times_the_clipped_kl(ulong seed, byte freeTenths)
    {
        var key = Key.FromSeed(seed);
        var q = DreamerLatent.Stats(NCheck.Gaussian(ref key, 1, 8, 2.0), 0.1);
        var p = DreamerLatent.Stats(NCheck.Gaussian(ref key, 1, 8, 2.0), 0.1);
        var free = freeTenths % 40 / 10.0;
        var terms = DreamerLatent.BalancedKl(q, p, free, 0.5, 0.1, 1);
        var kl = DreamerLatent.Kl(q, p)[0];
        return terms.Kl == kl && terms.Dynamics == 0.5 * Math.Max(free, kl) && terms.Representation == 0.1 * Math.Max(free, kl);
    }

    [Fact]
    public void Balanced_kl_gradients_match_central_differences_for_prior_and_posterior()
    {
        var key = Key.FromSeed(7);
        var rawQ = NCheck.Gaussian(ref key, 4, 6);
        var rawP = NCheck.Gaussian(ref key, 4, 6);
        const double dyn = 0.5, rep = 0.1;
        var q = DreamerLatent.Stats(rawQ, 0.1);
        var p = DreamerLatent.Stats(rawP, 0.1);
        var terms = DreamerLatent.BalancedKlBackward(q, p, DreamerLatent.BalancedKl(q, p, 0.0, dyn, rep, 4), 0.0, dyn, rep, 4);
        // rep: ∂(β_rep·mean KL)/∂raw_q; dyn: ∂(β_dyn·mean KL)/∂raw_p
        var dRawQ = DreamerLatent.StatsBackward(q, terms.DPostMean.Span, terms.DPostStd.Span);
        var dRawP = DreamerLatent.StatsBackward(p, terms.DPriorMean.Span, terms.DPriorStd.Span);
        double MeanKl(Mat rq, Mat rp) => DreamerLatent.Kl(DreamerLatent.Stats(rq, 0.1), DreamerLatent.Stats(rp, 0.1)).Average();
        NCheck.Gradient(v => rep * MeanKl(Mat.Own(4, 6, v), rawP), rawQ.Span, dRawQ.Span);
        NCheck.Gradient(v => dyn * MeanKl(rawQ, Mat.Own(4, 6, v)), rawP.Span, dRawP.Span);
    }

    [Fact]
    public void Lambda_return_gradient_matches_central_differences()
    {
        var key = Key.FromSeed(11);
        const int starts = 3, horizon = 5;
        var rewards = NCheck.Uniform(ref key, starts * horizon, -2, 0);
        var values = NCheck.Uniform(ref key, starts * horizon, -5, 0);
        var continues = NCheck.Uniform(ref key, starts * horizon, 0.5, 1);
        var probe = NCheck.Uniform(ref key, starts * horizon, -1, 1);
        double L(double[] r, double[] v)
        {
            var ret = DreamerImagination.LambdaReturns(r, continues, v, starts, 0.9, 0.8);
            var s = 0.0;
            for (var i = 0; i < ret.Length; i++) s += probe[i] * ret[i];
            return s;
        }
        var (dr, dv) = DreamerImagination.LambdaReturnsBackward(probe, continues, starts, 0.9, 0.8);
        NCheck.Gradient(r => L(r, values), rewards, dr.AsSpan());
        NCheck.Gradient(v => L(rewards, v), values, dv.AsSpan());
    }

    [Fact]
    public void Actor_gradient_matches_central_differences_through_the_imagined_dynamics()
    {
        // no entropy bonus, no mean penalty, a return scale below 1 (divisor 1): the actor's loss is −(1/n) Σ w_k R_k
        var c = Tiny with { EntropyWeight = 0.0, ActionMeanPenalty = 0.0 };
        var (nets, training, batch) = TinySetup(c);
        var m = training.Model;
        var f = DreamerRssm.Forward(c, nets, m.World, batch, Key.FromSeed(3));
        var h0 = f.Deter.SliceRows(0, c.ImaginationStarts);
        var z0 = f.Stoch.SliceRows(0, c.ImaginationStarts);
        var trace = DreamerImagination.Rollout(c, nets, m.World, m.Actor, m.SlowCritic, h0, z0, Key.FromSeed(5));
        var n = trace.Imagined.Returns.Length;
        var grads = DreamerImagination.ActorBackward(c, nets, m.World, m.Actor, m.SlowCritic, trace, 0.5, n,
            BehaviourTransposes.Of(nets, m.World, m.Actor, m.SlowCritic));
        // the weights w_k and the λ-return's continuations are held fixed (sg) in the analytic gradient: compare with them frozen
        Assert.True(MaxSampledError(m.Actor, grads, v => LossFrozen(v)) < 1e-5);

        double LossFrozen(double[] v)
        {
            var im = DreamerImagination.Rollout(c, nets, m.World, m.Actor.WithValues(v), m.SlowCritic, h0, z0, Key.FromSeed(5)).Imagined;
            var ret = DreamerImagination.LambdaReturns(im.Rewards.AsSpan(), trace.Imagined.Continues.AsSpan(), im.Values.AsSpan(), im.Starts, c.Gamma, c.Lambda);
            var s = 0.0;
            for (var i = 0; i < ret.Length; i++) s -= trace.Imagined.Weights[i] * ret[i];
            return s / n;
        }
    }

    [Fact]
    public void Actor_loss_is_the_sum_of_its_named_terms()
    {
        var (nets, training, batch) = TinySetup(Tiny);
        var m = training.Model;
        var f = DreamerRssm.Forward(Tiny, nets, m.World, batch, Key.FromSeed(3));
        var trace = DreamerImagination.Rollout(Tiny, nets, m.World, m.Actor, m.SlowCritic, f.Deter.SliceRows(0, 4), f.Stoch.SliceRows(0, 4), Key.FromSeed(5));
        var im = trace.Imagined;
        var n = im.Returns.Length;
        var terms = DreamerImagination.ActorLoss(Tiny, trace, 2.0, n);
        Assert.Equal(terms.Return + terms.Entropy + terms.MeanPenalty, terms.Total);
        Assert.Equal(-Enumerable.Range(0, n).Sum(i => im.Weights[i] * im.Returns[i]) / (2.0 * n), terms.Return, 12);
        Assert.True(terms.MeanPenalty >= 0.0);
        var logStd = trace.ActorStats.Sum(st => st.Std.Values.Sum(Math.Log));
        Assert.Equal(-Tiny.EntropyWeight * logStd / n, terms.Entropy, 12);
    }

    [Fact]
    public void World_learning_rate_holds_then_anneals_to_its_end_value_along_a_half_cosine()
    {
        // N = 100 warm-up + 70 × 8 = 660 updates, the anneal from t₀ = 0.8·660 = 528 over the last 132
        var c = new DreamerConfig();
        Assert.Equal(660, c.WorldUpdates);
        Assert.Equal(2e-3, c.WorldLearningRateAt(0));
        Assert.Equal(2e-3, c.WorldLearningRateAt(528));
        Assert.Equal(1e-4 + 1.9e-3 * 0.5 * (1 + Math.Cos(Math.PI / 132)), c.WorldLearningRateAt(529), 15);
        Assert.Equal((2e-3 + 1e-4) / 2, c.WorldLearningRateAt(594), 15); // half-way: the mean of the two
        Assert.Equal(1e-4, c.WorldLearningRateAt(660));
        Assert.Equal(1e-4, c.WorldLearningRateAt(5000));
        Assert.Equal(2e-3, (c with { WorldAnnealFrom = 1.0 }).WorldLearningRateAt(659)); // f = 1: constant for the whole run
    }

    [Property(MaxTest = 200)]
    public Property World_learning_rate_never_rises_and_stays_between_its_end_and_start_values() =>
        Prop.ForAll(Gen.Choose(0, 10).ToArbitrary(), Gen.Choose(0, 400).ToArbitrary(), Gen.Choose(0, 1200).ToArbitrary(), (tenths, warmup, t) =>
        {
            var c = new DreamerConfig(WarmupUpdates: warmup, WorldAnnealFrom: tenths / 10.0);
            double now = c.WorldLearningRateAt(t), next = c.WorldLearningRateAt(t + 1);
            return next <= now && now <= c.WorldLearningRate && now >= c.WorldLearningRateEnd;
        });

    [Fact]
    public void World_learning_rate_refuses_an_anneal_start_outside_the_run_and_an_end_value_that_is_not_lower()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamerConfig(WorldAnnealFrom: 1.5).WorldLearningRateAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamerConfig(WorldAnnealFrom: double.NaN).WorldLearningRateAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamerConfig(WorldLearningRateEnd: 3e-3).WorldLearningRateAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DreamerConfig(WorldLearningRateEnd: 0.0).WorldLearningRateAt(0));
    }

    /// <summary>One imagined trajectory of 1–8 steps: rewards in [−3, 1], values in [−10, 10], continuation in [0, 1].</summary>
    private static (int Horizon, double[] Rewards, double[] Values, double[] Continues) RandomImagination(ulong seed)
    {
        var (h, key) = Key.FromSeed(seed).NextInt(8);
        var horizon = h + 1;
        var rewards = NCheck.Uniform(ref key, horizon, -3, 1);
        var values = NCheck.Uniform(ref key, horizon, -10, 10);
        var continues = NCheck.Uniform(ref key, horizon, 0, 1);
        return (horizon, rewards, values, continues);
    }

    [Property(MaxTest = 100)]
    public bool Lambda_one_is_the_discounted_sum_plus_the_bootstrapped_tail(ulong seed)
    {
        var (horizon, rewards, values, continues) = RandomImagination(seed);
        const double gamma = 0.9;
        var ret = DreamerImagination.LambdaReturns(rewards, continues, values, 1, gamma, 1.0);
        for (var k = 0; k < horizon; k++)
        {
            double g = 0.0, discount = 1.0;
            for (var j = k; j < horizon; j++)
            {
                g += discount * rewards[j];
                discount *= gamma * continues[j];
            }
            g += discount * values[horizon - 1];
            if (Math.Abs(g - ret[k]) > 1e-9 * (1 + Math.Abs(g))) return false;
        }
        return true;
    }

    [Property(MaxTest = 100)]
    public bool Lambda_zero_is_the_one_step_target(ulong seed)
    {
        var (horizon, rewards, values, continues) = RandomImagination(seed);
        var ret = DreamerImagination.LambdaReturns(rewards, continues, values, 1, 0.95, 0.0);
        for (var k = 0; k < horizon; k++)
            if (Math.Abs(rewards[k] + 0.95 * continues[k] * values[k] - ret[k]) > 1e-12) return false;
        return true;
    }

    [Property(MaxTest = 200)]
    public Property Kl_balancing_with_free_bits_is_never_negative() =>
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), Gen.Choose(0, 30).ToArbitrary(), (seed, freeTenths) =>
        {
            var key = Key.FromSeed(seed);
            var q = DreamerLatent.Stats(NCheck.Gaussian(ref key, 5, 8, 3.0), 0.1);
            var p = DreamerLatent.Stats(NCheck.Gaussian(ref key, 5, 8, 3.0), 0.1);
            var terms = DreamerLatent.BalancedKl(q, p, freeTenths / 10.0, 0.5, 0.1, 5);
            return terms.Dynamics >= 0.0 && terms.Representation >= 0.0 && terms.Kl >= -1e-12 && DreamerLatent.Kl(q, p).All(x => x >= -1e-12);
        });

    [Property(MaxTest = 10)]
    public bool The_imagined_rollout_with_the_same_key_is_identical(ulong seed)
    {
        var c = Tiny;
        var nets = DreamerNets.For(c, new PixelPointMass());
        var (model, key) = DreamerModel.Init(nets, Key.FromSeed(seed));
        var h0 = NCheck.Gaussian(ref key, 4, c.Deter, 0.5);
        var z0 = NCheck.Gaussian(ref key, 4, c.Stoch, 0.5);
        var a = DreamerImagination.Rollout(c, nets, model.World, model.Actor, model.SlowCritic, h0, z0, key).Imagined;
        var b = DreamerImagination.Rollout(c, nets, model.World, model.Actor, model.SlowCritic, h0, z0, key).Imagined;
        var other = DreamerImagination.Rollout(c, nets, model.World, model.Actor, model.SlowCritic, h0, z0, key.Split().Left).Imagined;
        return a.States.Equals(b.States) && a.Actions.Equals(b.Actions) && a.Returns.SequenceEqual(b.Returns)
               && !a.States.Equals(other.States);
    }

    private static ulong Checksum(DreamerModel m)
    {
        var h = 1469598103934665603UL;
        foreach (var p in new[] { m.World.Flat, m.Actor, m.Critic, m.SlowCritic, m.WorldOptimizer.V, m.ActorOptimizer.M })
            foreach (var v in p.Span)
                h = (h ^ (ulong)BitConverter.DoubleToInt64Bits(v)) * 1099511628211UL;
        return h ^ (ulong)BitConverter.DoubleToInt64Bits(m.ReturnScale);
    }

    [Fact]
    public void An_iteration_gives_the_same_bits_whatever_the_evaluation_order()
    {
        var c = Tiny with { StepsPerIteration = 5, UpdatesPerIteration = 3 };
        var (_, training, _) = TinySetup(c);
        var world = new PixelPointMass();
        var (inTurn, log) = Dreamer.Iterate(c, world, training);
        var (reversed, reversedLog) = Dreamer.Iterate(c, world, training, new Sharding(new ReversedEvaluator()));
        Assert.Equal(c.UpdatesPerIteration, inTurn.Model.Updates - training.Model.Updates);
        Assert.Equal(Checksum(inTurn.Model), Checksum(reversed.Model));
        Assert.Equal(log, reversedLog);
    }

}
