using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Xunit;
using NCheck = Policywerk.Pure.Tests.Neural.Check;

namespace Policywerk.Pure.Tests.Neural;

/// <summary>The pixel layers: the spatial soft-argmax (an encoder's first stage) and the keypoint decoder (a decoder's
/// last stage), on frames of the pixel point mass.</summary>
public class PixelLayerTests
{
    private static double[] Frame(PointMassState s) => new PixelPointMass().Observe(s).ToArray();

    [Fact]
    public void Keypoint_decoder_gradient_matches_central_differences()
    {
        var o = Frame(PointMass.StartAt(-0.7, 0.4, 1.1, -1.3));
        double[] raw = [0.3, -0.2, -0.5, 0.6, 0.4, -0.1];
        var decoder = new KeypointDecoder(2, 0.2, PixelPointMass.Size, 1.7);
        var grad = decoder.Backward(decoder.Loss(Mat.RowVector(raw), Mat.RowVector(o)).Cache, 1.0).Values;
        var worst = 0.0;
        for (var i = 0; i < raw.Length; i++)
        {
            const double h = 1e-5;
            var up = (double[])raw.Clone();
            up[i] += h;
            var down = (double[])raw.Clone();
            down[i] -= h;
            var numeric = (decoder.Loss(Mat.RowVector(up), Mat.RowVector(o)).Loss - decoder.Loss(Mat.RowVector(down), Mat.RowVector(o)).Loss) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - grad[i]) / Math.Max(1.0, Math.Abs(numeric)));
        }
        Assert.True(worst < 1e-6, $"relative error {worst}");
    }

    [Fact]
    public void Rendered_frame_carries_the_whole_mass()
    {
        var world = new PixelPointMass();
        var decoder = new KeypointDecoder(2, 0.133, world.Side, world.Intensity);
        var frame = new double[decoder.Pixels];
        decoder.Render([0.1, 0.2, -0.4, 0.9, 0.0, 0.3], frame);
        Assert.Equal(world.Intensity, frame.Sum(), 9);
    }

    [Fact]
    public void Soft_argmax_gradient_matches_central_differences()
    {
        var points = new SpatialSoftArgmax(3, PixelPointMass.Size);
        var world = new PixelPointMass();
        var frames = Mat.StackRows(new[]
        {
            Mat.RowVector(world.Observe(PointMass.StartAt(0.3, -0.7, -1.1, 0.9))),
            Mat.RowVector(world.Observe(PointMass.StartAt(-1.4, 1.2, 0.5, 0.5))),
        });
        var key = Key.FromSeed(5);
        var probe = NCheck.Gaussian(ref key, 2, points.Out);
        var theta = Params.Own(points.Layout, [3.0, 5.0, 8.0, -1.0, -4.0, -2.0]);
        var grads = points.Backward(theta, points.Forward(theta, frames), probe);
        NCheck.Gradient(v => NCheck.Probe(probe, points.Forward(Params.Own(points.Layout, v), frames).Points), theta.Span, grads.Span);
    }

    [Fact]
    public void Soft_argmax_finds_the_agent_with_its_brightest_channel()
    {
        var points = new SpatialSoftArgmax(4, PixelPointMass.Size);
        var world = new PixelPointMass();
        var state = PointMass.StartAt(1.2, -0.5, -1.0, 1.0);
        var agent = world.AgentAt(state);
        var out1 = points.Forward(points.Init(), Mat.RowVector(world.Observe(state))).Points;
        Assert.Equal(SpatialSoftArgmax.Coordinate(agent.Col, PixelPointMass.Size), out1[0, 6], 2);
        Assert.Equal(SpatialSoftArgmax.Coordinate(agent.Row, PixelPointMass.Size), out1[0, 7], 2);
    }
}
