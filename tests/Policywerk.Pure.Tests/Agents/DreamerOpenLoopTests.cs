using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Agents;

/// <summary>Dreamer's open-loop prediction against a real episode: determinism, the shared start, the first prior step.</summary>
public class DreamerOpenLoopTests
{
    private static readonly DreamerConfig C = new();

    private static (DreamerNets Nets, DreamerModel Model, ImmutableArray<double>[] Frames, ImmutableArray<double>[] Actions) Setup(ulong seed)
    {
        var world = new PixelPointMass();
        var nets = DreamerNets.For(C, world);
        var (model, key) = DreamerModel.Init(nets, Key.FromSeed(seed));
        var episode = Dreamer.RunEpisode(world, world.Reset(key).Value, key, (s, k) => new Draw<ImmutableArray<double>>(PointMassControllers.Scripted(s).Vector, k));
        return (nets, model, episode.States.Select(world.Observe).ToArray(), episode.Actions.ToArray());
    }

    [Theory]
    [InlineData(1UL, 0)]
    [InlineData(2UL, 5)]
    public void Same_inputs_give_the_same_frames_and_the_rollout_starts_from_the_shared_posterior(ulong seed, int start)
    {
        var (nets, model, frames, actions) = Setup(seed);
        var a = DreamerOpenLoop.Rollout(C, nets, model.World, frames, actions, start, 12);
        var b = DreamerOpenLoop.Rollout(C, nets, model.World, frames, actions, start, 12);
        Assert.Equal(start, a.Start);
        Assert.Equal(12, a.Steps);
        Assert.Equal(a.Reconstructed.Length, a.Imagined.Length);
        for (var k = 0; k <= a.Steps; k++)
        {
            Assert.Equal(a.Imagined[k].Pixels.ToArray(), b.Imagined[k].Pixels.ToArray());
            Assert.Equal(a.Reconstructed[k].Pixels.ToArray(), b.Reconstructed[k].Pixels.ToArray());
            Assert.Equal(a.Imagined[k].Blobs.ToArray(), b.Imagined[k].Blobs.ToArray());
        }
        Assert.Same(a.Reconstructed[0], a.Imagined[0]); // k = 0: both are the posterior at t₀
    }

    [Fact]
    public void First_predicted_step_is_the_one_step_prior_prediction_from_the_posterior()
    {
        var (nets, model, frames, actions) = Setup(3);
        const int start = 4;
        var roll = DreamerOpenLoop.Rollout(C, nets, model.World, frames, actions, start, 6);

        // the posterior by hand, as the agent keeps it while acting
        var belief = DreamerBelief.Initial(C, nets, 1);
        for (var t = 0; t <= start; t++)
        {
            if (t > 0) belief = belief with { PreviousAction = Mat.RowVector(actions[t - 1]) };
            belief = DreamerRssm.Observe(nets, model.World, belief, Mat.RowVector(frames[t]), Key.FromSeed(0), false, C.MinLatentStd).Value;
        }
        Assert.Equal(DreamerRssm.Decode(nets, model.World, belief).Values.ToArray(), roll.Reconstructed[0].Pixels.ToArray());
        var next = DreamerRssm.PredictMean(nets, model.World, belief, Mat.RowVector(actions[start]), C.MinLatentStd);
        Assert.Equal(DreamerRssm.Decode(nets, model.World, next).Values.ToArray(), roll.Imagined[1].Pixels.ToArray());
        Assert.Equal(new PixelPointMass().Intensity, roll.Imagined[1].Pixels.Sum(), 9);
        Assert.Equal(1.0, roll.Imagined[1].Blobs.Sum(b => b.Weight), 12);
    }

    [Fact]
    public void Rollout_is_cut_to_the_frames_the_episode_has()
    {
        var (nets, model, frames, actions) = Setup(4);
        var roll = DreamerOpenLoop.Rollout(C, nets, model.World, frames, actions, frames.Length - 3, 50);
        Assert.Equal(2, roll.Steps);
    }

    [Fact]
    public void A_pixel_centre_maps_back_to_its_pixel()
    {
        for (var j = 0; j < PixelPointMass.Size; j++)
            Assert.Equal(j, PixelPointMass.ToGrid(PixelPointMass.FromGrid(SpatialSoftArgmax.Coordinate(j, PixelPointMass.Size), 2.0), 2.0));
    }
}
