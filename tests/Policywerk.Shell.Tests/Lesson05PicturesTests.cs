using Policywerk.Shell.Lessons;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Lesson 05's animation tells how training went: each checkpoint's greedy game is played to its end, which ends
/// on a card written from the game's numbers.</summary>
public class Lesson05PicturesTests
{
    internal static readonly DqnTraining Training = Lesson05Dqn.Learn(Lesson05Dqn.Config, 42);

    [Fact]
    public void Lesson_05s_checkpoints_show_different_bricks_counts_as_training_goes_on_seed_42()
    {
        var checkpoints = Lesson05Dqn.CheckpointGames(Training);
        Assert.Equal([50, 100, 150, 200, 250], checkpoints.Select(c => c.Episode));
        Assert.All(checkpoints, c => Assert.True(c.Game.States[^1].Done, $"the game after {c.Episode} episodes is played to its end"));
        var bricks = checkpoints.Select(c => c.Game.Bricks).ToList();
        Assert.True(bricks.Distinct().Count() > 1, $"the checkpoints' bricks: {string.Join(", ", bricks)}");

        var frames = Lesson05Dqn.AnimationFrames(Training, checkpoints);
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
        var frames = Lesson05Dqn.AnimationFrames(Training, Lesson05Dqn.CheckpointGames(Training));
        var random = frames.Where(f => f.BoardTitle.StartsWith("Before training")).ToList();
        Assert.NotEmpty(random);
        Assert.All(random, f => Assert.False(f.Greedy));
        Assert.All(frames.Except(random), f => Assert.True(f.Greedy));
        var end = Training.Greedy.Steps[^1].Next;
        Assert.Equal(end, frames[^1].State);
        Assert.Contains($"{end.Score}/12 bricks", frames[^1].Card);
    }

    [Fact]
    public void The_poster_shows_the_best_greedy_game_the_run_played_the_earliest_of_equals()
    {
        var (episode, game, online) = Lesson05Dqn.PosterGame(Training, Lesson05Dqn.CheckpointGames(Training));
        var games = Lesson05Dqn.CheckpointGames(Training).Select(c => (c.Episode, c.Game.Bricks))
            .Append((Episode: Training.Episodes.Length, Bricks: Lesson05Dqn.PlayedGame.Of("trained", Training.Greedy).Bricks)).ToList();
        Assert.Equal(games.Max(g => g.Bricks), game.Bricks);
        Assert.Equal(games.First(g => g.Bricks == game.Bricks).Episode, episode);
        Assert.Equal((200, 12), (episode, game.Bricks)); // seed 42: the network after 200 episodes clears the wall (the spec's 12 bricks)
        Assert.Same(Training.Snapshots.Single(s => s.Episode == episode).Online, online);
        Assert.Equal(game.States, Lesson05Dqn.PlayedGame.Of("again", Lesson05Dqn.GreedyGame(Training.Model.Net, online)).States);
    }

    [Fact]
    public void The_Q_axis_holds_the_usual_differences_between_actions_and_cuts_the_rare_large_ones()
    {
        // largest |Q − mean| per frame: 0.1, 0.2, 0.3, 0.4, 1.0 → the 0.9 quantile of five (index ⌊0.9·4⌋ = 3) is the fourth, 0.4
        double[][] qs = [[0.1, 0, -0.1], [1.2, 1, 0.8], [0.3, 0, -0.3], [2.4, 2, 1.6], [1, 0, -1]];
        Assert.Equal(1.3 * 0.4, Pictures.BreakoutPicture.QSpread(qs), 12);
        var spread = Pictures.BreakoutPicture.QSpread(Lesson05Dqn.AnimationFrames(Training, Lesson05Dqn.CheckpointGames(Training))
            .Select(f => (IReadOnlyList<double>)Policywerk.Pure.Agents.Dqn.QValues(f.Model, Lesson05Dqn.Observe, f.State)));
        Assert.InRange(spread, 0.1, 0.4); // seed 42: about ±0.2, so a difference of 0.05 between actions is a quarter of the half-height
    }
}
