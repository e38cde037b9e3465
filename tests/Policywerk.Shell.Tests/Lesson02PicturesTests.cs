using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Progress;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 02's animation: the outlined box is the box of the pole drawn, one colour range for every frame, and
/// no frame shows an episode's length before it ends.</summary>
public class Lesson02PicturesTests
{
    private static readonly Lesson02BartoSutton.Run Run = (Lesson02BartoSutton.Run)new Lesson02BartoSutton().Train(42, ProgressBar.None);

    /// <summary>A number printed in <paramref name="text"/> after <paramref name="name"/> = .</summary>
    private static double Printed(string text, string name)
    {
        var from = text.IndexOf(name + " = ", StringComparison.Ordinal) + name.Length + 3;
        return double.Parse(text[from..text.IndexOf(' ', from)], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_outlined_box_is_the_box_of_the_theta_and_omega_printed_under_the_pole()
    {
        var frames = Run.Frames();
        Assert.NotEmpty(frames);
        foreach (var f in frames)
        {
            var text = Lesson02BartoSutton.Run.StateText(f.State);
            var (theta, omega) = (Printed(text, "θ"), Printed(text, "ω"));
            // a printed value within rounding of a box edge may round across it; every other one names the box
            var nearEdge = new[] { -0.2, -0.1, 0.0, 0.1, 0.2 }.Any(e => Math.Abs(theta - e) <= 0.0005)
                           || new[] { -1.0, -0.5, 0.0, 0.5, 1.0 }.Any(e => Math.Abs(omega - e) <= 0.005);
            if (!nearEdge) Assert.Equal(BartoSutton.Box(new BalanceState(theta, omega, 0)), f.Box);
        }
    }

    [Fact]
    public void One_colour_range_with_zero_covers_every_frames_weights()
    {
        var frames = Run.Frames();
        var (low, high) = Run.WeightRange(frames);
        Assert.True(low <= 0 && 0 <= high);
        Assert.All(frames.SelectMany(f => f.Episode.Before.ActorWeights), w => Assert.InRange(w, low, high));
    }

    [Fact]
    public void An_episode_shows_its_length_only_on_its_end_card_and_long_episodes_move()
    {
        var frames = Run.Frames();
        foreach (var episode in frames.GroupBy(f => f.Episode.Number))
        {
            var shown = episode.ToArray();
            Assert.All(shown[..^1], f => { Assert.Null(f.Card); Assert.True(f.State.Steps < f.Episode.Length); });
            Assert.NotNull(shown[^1].Card);
            Assert.Equal(shown[^1].Episode.Length, shown[^1].State.Steps);
            Assert.Contains(shown[^1].Episode.Length >= 500 ? "balanced" : $"fell at step {shown[^1].Episode.Length}", shown[^1].Card);
            // consecutive frames of the run at an episode's start are a few steps apart: the pole moves, not jumps
            Assert.True(shown[1].State.Steps - shown[0].State.Steps <= 10);
        }
    }
}
