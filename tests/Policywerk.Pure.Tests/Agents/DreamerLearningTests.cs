using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>Dreamer: the keypoint decoder's gradient, and that a briefly trained world model predicts the future.</summary>
public class DreamerLearningTests
{
    private static double[] Frame(PointMassState s) => new PixelPointMass().Observe(s).ToArray();

    [Fact]
    public void Keypoint_decoder_gradient_matches_central_differences()
    {
        var o = Frame(PointMass.StartAt(-0.7, 0.4, 1.1, -1.3));
        double[] raw = [0.3, -0.2, -0.5, 0.6, 0.4, -0.1];
        var grad = new double[raw.Length];
        KeypointDecoder.LossAndGradient(raw, o, 0.2, 1.0, grad);
        var worst = 0.0;
        for (var i = 0; i < raw.Length; i++)
        {
            const double h = 1e-5;
            var up = (double[])raw.Clone();
            up[i] += h;
            var down = (double[])raw.Clone();
            down[i] -= h;
            var numeric = (KeypointDecoder.LossAndGradient(up, o, 0.2, 1.0, new double[6]).Loss
                - KeypointDecoder.LossAndGradient(down, o, 0.2, 1.0, new double[6]).Loss) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - grad[i]) / Math.Max(1.0, Math.Abs(numeric)));
        }
        Assert.True(worst < 1e-6, $"relative error {worst}");
    }

    [Fact]
    public void Rendered_frame_carries_the_whole_mass()
    {
        var frame = new double[PixelPointMass.ObservationSize];
        KeypointDecoder.Render([0.1, 0.2, -0.4, 0.9, 0.0, 0.3], 0.133, frame);
        Assert.Equal(KeypointDecoder.SoftArgmaxMass, frame.Sum(), 9);
    }

    /// <summary>
    /// One-step prediction after the warm-up (world model only, on random-policy data, in the lesson's world): predict
    /// o_{t+1} open loop (prior, real actions of a half-strength scripted episode) from the posterior at t, scored by the
    /// log-likelihood −Σ o log q per frame. It must beat the untrained model's, and stay within 0.75 nats per frame of
    /// the "copy the current frame" forecast rendered with the same blobs (≈ 4.65 vs 4.12 at seed 11, untrained ≈ 16.9).
    /// Beating the copy is issue 6's last bar and not met (README, lesson 07 "Not yet": a forecast that knew the true next
    /// state would beat the copy by ≈ 0.2 nats here, but the model's one-step prior is not precise enough, after 200
    /// updates or after the lesson's whole run); this test guards the gap from growing.
    /// </summary>
    [Fact]
    public void Briefly_trained_model_predicts_the_next_frame_better_than_the_untrained_one_and_near_the_copy()
    {
        var c = new DreamerConfig(PrefillSteps: 2000, WarmupUpdates: 200, Iterations: 0);
        var world = c.World;
        var model = Dreamer.Start(world, c, Key.FromSeed(11)).Model;
        var untrained = Dreamer.Start(world, c with { WarmupUpdates = 0 }, Key.FromSeed(11)).Model;
        var trained = ForecastLoss(c, model, ahead: 1, push: 0.5);
        var before = ForecastLoss(c, untrained, ahead: 1, push: 0.5);
        Assert.True(trained.Model < before.Model, $"trained {trained.Model:0.00} vs untrained {before.Model:0.00} nats per frame");
        Assert.True(trained.Model < trained.Copy + 0.75, $"trained {trained.Model:0.00} vs copy {trained.Copy:0.00} untrained {before.Model:0.00} nats per frame");
    }

    /// <summary>
    /// The lesson's own run (default configuration, seed 42 — its training key; five seconds in Release) has learned how the
    /// agent moves. On every frame of 30 episodes the scripted controller drives at full push, its open-loop forecast three
    /// decisions ahead beats copying the current frame by a wide margin (≈ 4.24 vs 5.06 nats per frame) and ten ahead too
    /// (≈ 4.20 vs 5.17); one decision ahead it is just behind the copy (≈ 4.16 vs 4.12). An untrained model scores ≈ 14 three ahead, and a model
    /// whose prior or GRU had not learned the dynamics would lose to the copy at three and ten.
    /// </summary>
    [Fact]
    public void Lesson_run_forecasts_three_and_ten_decisions_ahead_better_than_copying_the_current_frame()
    {
        var c = new DreamerConfig();
        var world = c.World;
        var training = Dreamer.Start(world, c, Key.FromSeed(42).Split().Left);
        for (var i = 0; i < c.Iterations; i++) training = Dreamer.Iterate(world, training, c).Training;
        var one = ForecastLoss(c, training.Model, ahead: 1, push: 1.0);
        var three = ForecastLoss(c, training.Model, ahead: 3, push: 1.0);
        var ten = ForecastLoss(c, training.Model, ahead: 10, push: 1.0);
        Assert.True(three.Model < three.Copy - 0.5, $"3 ahead: model {three.Model:0.000} vs copy {three.Copy:0.000} nats per frame");
        Assert.True(ten.Model < ten.Copy - 0.5, $"10 ahead: model {ten.Model:0.000} vs copy {ten.Copy:0.000} nats per frame");
        Assert.True(one.Model < one.Copy + 0.1, $"1 ahead: model {one.Model:0.000} vs copy {one.Copy:0.000} nats per frame");
    }

    /// <summary>
    /// Mean −Σ o log q per predicted frame of the model's open-loop forecast <paramref name="ahead"/> frames ahead and of
    /// copying the current frame, in the lesson's world (<see cref="DreamerConfig.World"/>), over every frame of 30
    /// episodes the scripted controller drives at <paramref name="push"/> of its force; an episode ends where the world
    /// ends it (the target reached, or its 100 physics steps).
    /// </summary>
    private static (double Model, double Copy, int Frames) ForecastLoss(DreamerConfig c, DreamerModel model, int ahead, double push)
    {
        var world = c.World;
        var nets = DreamerNets.For(c);
        double modelLoss = 0, copyLoss = 0;
        var frames = 0;
        foreach (var key in Key.FromSeed(12).Split(30))
        {
            var episode = Dreamer.RunEpisode(world, world.Reset(key).Value, key, (state, k) =>
            {
                var full = PointMassControllers.Scripted(state);
                return new Draw<Force>(new Force(push * full.X, push * full.Y), k);
            });
            var (states, actions) = (episode.States, episode.Actions);
            var belief = DreamerBelief.Initial(c, 1);
            for (var t = 0; t + ahead < states.Length; t++)
            {
                belief = DreamerRssm.Observe(nets, model.World, belief, Mat.RowVector(world.Observe(states[t])), key, false, c.MinLatentStd).Value;
                var b = belief;
                for (var k = 0; k < ahead; k++)
                    b = DreamerRssm.PredictMean(nets, model.World, b, Mat.FromRows([actions[t + k].X, actions[t + k].Y]), c.MinLatentStd);
                var future = world.Observe(states[t + ahead]).ToArray();
                var raw = nets.Decoder.Predict(model.World.Decoder, b.State).Row(0).ToArray();
                modelLoss += KeypointDecoder.LossAndGradient(raw, future, c.BlobWidth, 1.0, new double[raw.Length]).Loss;
                var now = states[t];
                double[] copy = [Grid(now.X), Grid(now.Y), Grid(now.TargetX), Grid(now.TargetY), 0.0, Math.Log(0.7)];
                copyLoss += KeypointDecoder.LossAndGradient(copy, future, c.BlobWidth, 1.0, new double[copy.Length]).Loss;
                frames++;
                belief = belief with { PreviousAction = Mat.FromRows([actions[t].X, actions[t].Y]) };
            }
        }
        return (modelLoss / frames, copyLoss / frames, frames);
    }

    private static double Grid(double v) => SpatialSoftArgmax.Coordinate(PixelPointMass.ToGrid(v, 2.0));
}
