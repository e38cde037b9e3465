using Policywerk.Shell.Lessons;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 05's animation tells how training went: each checkpoint's greedy game is played to its end, which ends
/// on a card written from the game's numbers.</summary>
public class Lesson05PicturesTests
{
    private static readonly DqnTraining Training = Lesson05Dqn.Learn(Lesson05Dqn.Config, 42);

    [Fact]
    public void Lesson_05s_checkpoints_show_different_bricks_counts_as_training_goes_on_seed_42()
    {
        var checkpoints = Lesson05Dqn.CheckpointGames(Training);
        Assert.Equal([50, 100, 150, 200, 250], checkpoints.Select(c => c.Episode));
        Assert.All(checkpoints, c => Assert.True(c.Game.States[^1].Done, $"the game after {c.Episode} episodes is played to its end"));
        var bricks = checkpoints.Select(c => c.Game.Bricks).ToList();
        Assert.True(bricks.Distinct().Count() > 1, $"the checkpoints' bricks: {string.Join(", ", bricks)}");

        var frames = Lesson05Dqn.AnimationFrames(Training);
        var cards = new List<string>();
        foreach (var (episode, game) in checkpoints)
        {
            var clip = frames.Where(f => f.BoardTitle == $"After {episode} episodes (greedy)").ToList();
            Assert.NotEmpty(clip);
            var last = clip[^1];
            Assert.Equal(game.States[^1], last.State); // the clip ends where the game ends
            var card = Assert.Single(clip.Select(f => f.Card).OfType<string>().Distinct());
            Assert.Contains($"after {episode} episodes:", card);
            Assert.Contains($"{last.State.Score}/12 bricks", card);
            Assert.Contains($"at step {last.State.Steps}", card);
            cards.Add(card);
        }
        Assert.True(cards.Distinct().Count() > 1, "the end cards differ");
    }

    [Fact]
    public void Random_play_colours_no_bar_as_greedy_and_the_trained_game_ends_on_a_card()
    {
        var frames = Lesson05Dqn.AnimationFrames(Training);
        var random = frames.Where(f => f.BoardTitle.StartsWith("Before training")).ToList();
        Assert.NotEmpty(random);
        Assert.All(random, f => Assert.False(f.Greedy));
        Assert.All(frames.Except(random), f => Assert.True(f.Greedy));
        var end = Training.Greedy.Steps[^1].Next;
        Assert.Equal(end, frames[^1].State);
        Assert.Contains($"{end.Score}/12 bricks", frames[^1].Card);
    }
}
