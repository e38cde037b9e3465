using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;
using Policywerk.Shell.Tables;

namespace Policywerk.Shell.Models;

/// <summary>Lesson 05's saved model: the online network's parameters θ (<c>model.online</c>, one block per layer's
/// weights and biases, 82 → hidden ReLU → 3). Its evaluation is the lesson's greedy game, a = argmax_a Q(s, a; θ), which
/// draws nothing: every episode and seed plays the same game.</summary>
public sealed class Lesson05Model : LessonModel<Lesson05Dqn, DqnModel>
{
    public override int Lesson => 5;

    public override void Write(ModelWriter writer, DqnModel model) => writer.Params("online", model.Online);

    /// <summary>A fresh model of the lesson's architecture with the file's θ as online and target parameters (Adam at zero).</summary>
    public override DqnModel Read(Lesson05Dqn lesson, ModelField model)
    {
        var fresh = Dqn.Init(lesson.Configuration, Breakout.ObservationSize, Breakout.ActionCount, Key.FromSeed(0)).Value;
        var theta = model.Field("online").Params(fresh.Online.Layout, $"the lesson's network ({string.Join(" → ", fresh.Net.Widths)})");
        return fresh with { Online = theta, Target = theta, Adam = AdamState.Init(theta) };
    }

    public override void Evaluate(IAnsiConsole console, Lesson05Dqn lesson, DqnModel model, ulong seed, int episodes)
    {
        var score = Lesson05Dqn.GreedyScore.Of(Lesson05Dqn.GreedyGame(model.Net, model.Online)); // the same game every episode
        for (var i = 1; i <= episodes; i++)
            console.Write(score.Table(episodes == 1 ? "Greedy game (ε = 0)" : $"Greedy game (ε = 0), episode {i}"));
        var q = Dqn.QValues(model, Lesson05Dqn.Observe, Breakout.Start);
        console.Write(Lesson05Dqn.StartQTable(q, Arg.Max(q.AsSpan())));
    }

    public override void Watch(Frames frames, Lesson05Dqn lesson, DqnModel model, ulong seed, int episodes)
    {
        var game = Lesson05Dqn.GreedyGame(model.Net, model.Online); // the same game every episode
        for (var i = 1; i <= episodes; i++)
        {
            frames.Line($"episode {i}: the greedy game (the same for every seed)");
            frames.Show(["step 0", .. Board(game.Steps[0].State)]);
            var total = 0.0;
            for (var t = 0; t < game.Length; t++)
            {
                var step = game.Steps[t];
                total += step.Reward;
                frames.Show([$"step {t + 1}: {Lesson05Dqn.ActionNames[step.Action].ToLowerInvariant()}, reward {Signed(step.Reward)}, return {Signed(total)}, bricks {step.Next.Score}",
                             .. Board(step.Next)]);
            }
            frames.EndEpisode();
            var score = Lesson05Dqn.GreedyScore.Of(game);
            frames.Line($"  {score.Steps} steps, reward {Signed(score.Reward)}, bricks hit {score.BricksHit}/{Pictures.BreakoutPicture.TotalBricks}");
        }
    }

    /// <summary>The board as the network sees it (its 80 pixels): bricks ▒, ball o, paddle =.</summary>
    private static IReadOnlyList<string> Board(BreakoutState s)
    {
        var pixels = Breakout.Observe(s);
        var lines = new List<string> { "  +" + new string('-', Breakout.Cols) + "+" };
        for (var r = 0; r < Breakout.Rows; r++)
            lines.Add("  |" + string.Concat(Enumerable.Range(0, Breakout.Cols).Select(c => pixels[r * Breakout.Cols + c] switch
            {
                Breakout.BrickPixel => '▒',
                Breakout.BallPixel => 'o',
                Breakout.PaddlePixel => '=',
                _ => ' ',
            })) + "|");
        return lines;
    }

    private static string Signed(double x) => Rounding.Signed(Math.Round(x, 2), 2);
}
