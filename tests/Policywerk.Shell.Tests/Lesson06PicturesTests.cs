using System.Globalization;
using Policywerk.Pure.Numerics;
using Policywerk.Shell.Lessons;
using Policywerk.Shell.Pictures;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 06's animation plays each checkpoint's greedy episode to its end and says how it ended; earlier bell
/// curves fade from light to dark in the order they were learnt.</summary>
public class Lesson06PicturesTests
{
    [Fact]
    public void Each_checkpoint_episode_is_played_to_its_end_and_its_card_states_how_long_it_survived_and_how_far_it_leaned()
    {
        var training = Lesson06Ppo.Learn(Lesson06Ppo.Config, Key.FromSeed(42));
        var checkpoints = Lesson06Ppo.CheckpointEpisodes(Lesson06Ppo.Config, training);
        Assert.Equal([50, 100, 150, 200], checkpoints.Select(c => c.Iteration));
        foreach (var (iteration, episode) in checkpoints)
        {
            var card = Lesson06Ppo.EndCard($"after {iteration} iterations", episode);
            var end = episode.Steps[^1].Next;
            var fell = Math.Abs(end.Angle) > Lesson06Ppo.World.Constants.MaxAngle;
            Assert.True(fell || episode.Length == Lesson06Ppo.World.Constants.MaxSteps, $"iteration {iteration}: the episode ends by a fall or the time limit");
            Assert.Contains(fell ? $"fell at step {episode.Length}" : $"balanced {episode.Length}/500 steps", card);
            Assert.Contains(episode.Steps.Max(s => Math.Abs(s.Next.Angle)).ToString("0.000", CultureInfo.InvariantCulture), card);
        }
        // seed 42: the policy after 50 iterations falls just before the limit; the later ones balance to it
        Assert.Contains("fell", Lesson06Ppo.EndCard("50", checkpoints[0].Episode));
        Assert.Contains("balanced 500/500", Lesson06Ppo.EndCard("200", checkpoints[^1].Episode));
    }
}
