using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;
using Policywerk.Shell.Tables;

namespace Policywerk.Shell.Models;

/// <summary>Lesson 07's saved model: the world model's nets (<c>model.world</c>: <c>points</c>, <c>encoder</c>,
/// <c>gru</c>, <c>prior</c>, <c>posterior</c>, <c>decoder</c>, <c>reward</c>, <c>continue</c>), the actor
/// (<c>model.actor</c>) and the critic (<c>model.critic</c>). The critic's slow copy is loaded as the critic itself; the
/// return scale and the optimizers' moments are for training and are not saved. Its evaluation is the lesson's: the
/// random force, the greedy agent and the scripted controller from the same start layouts.</summary>
public sealed class Lesson07Model : LessonModel<Lesson07Dreamer, DreamerModel>
{
    public override int Lesson => 7;
    public override int DefaultEpisodes => Lesson07Dreamer.EvaluationEpisodes;

    private static readonly string[] WorldNets = ["points", "encoder", "gru", "prior", "posterior", "decoder", "reward", "continue"];

    private static Params[] Nets(WorldParams w) => [w.Points, w.Encoder, w.Gru, w.Prior, w.Posterior, w.Decoder, w.Reward, w.Continue];

    public override void Write(ModelWriter writer, DreamerModel model)
    {
        writer.Json.WriteStartObject("world");
        var nets = Nets(model.World);
        for (var i = 0; i < nets.Length; i++) writer.Params(WorldNets[i], nets[i]);
        writer.Json.WriteEndObject();
        writer.Params("actor", model.Actor);
        writer.Params("critic", model.Critic);
    }

    /// <summary>A fresh model of the lesson's architecture (its settings) with the file's parameters.</summary>
    public override DreamerModel Read(Lesson07Dreamer lesson, ModelField model)
    {
        var config = lesson.Configuration;
        var fresh = DreamerModel.Init(DreamerNets.For(config, Lesson07Dreamer.WorldOf(config)), Key.FromSeed(0)).Value;
        var world = model.Field("world");
        var expected = Nets(fresh.World);
        var read = WorldNets.Select((name, i) => world.Field(name).Params(expected[i].Layout, $"the lesson's {name} net")).ToArray();
        var worldParams = new WorldParams(read[0], read[1], read[2], read[3], read[4], read[5], read[6], read[7]);
        var actor = model.Field("actor").Params(fresh.Actor.Layout, "the lesson's actor");
        var critic = model.Field("critic").Params(fresh.Critic.Layout, "the lesson's critic");
        return fresh with
        {
            World = worldParams, Actor = actor, Critic = critic, SlowCritic = critic,
            WorldOptimizer = AdamState.Init(worldParams.Flat), ActorOptimizer = AdamState.Init(actor), CriticOptimizer = AdamState.Init(critic),
        };
    }

    public override void Evaluate(IAnsiConsole console, Lesson07Dreamer lesson, DreamerModel model, ulong seed, int episodes)
    {
        var e = Lesson07Dreamer.Evaluate(lesson.Configuration, model, Key.FromSeed(seed), episodes);
        Lesson07Dreamer.Run.WriteEvaluation(console, Lesson07Dreamer.Run.Scores(e), e.GapClosed, e.GapClosed >= 0.5 && e.SeparatedFromRandom);
    }

    /// <summary>The greedy agent's episodes of <see cref="Evaluate"/>, as the 16 × 16 frames it sees (the target dim, the
    /// point mass bright).</summary>
    public override void Watch(Frames frames, Lesson07Dreamer lesson, DreamerModel model, ulong seed, int episodes)
    {
        var world = Lesson07Dreamer.WorldOf(lesson.Configuration);
        var e = Lesson07Dreamer.Evaluate(lesson.Configuration, model, Key.FromSeed(seed), episodes);
        for (var i = 0; i < e.AgentEpisodes.Length; i++)
        {
            var episode = e.AgentEpisodes[i];
            frames.Line($"episode {i + 1} of the evaluation (seed {seed}): the greedy agent, as it sees the world (@ the point mass, * the target; x grows to the right, y downward)");
            var total = 0.0;
            for (var t = 0; t < episode.States.Length; t++)
            {
                var s = episode.States[t];
                var head = t == 0 ? "step 0" : $"step {t}: force ({F(episode.Actions[t - 1][0])}, {F(episode.Actions[t - 1][1])}), reward {F(episode.Rewards[t - 1])}, return {F(total += episode.Rewards[t - 1])}";
                frames.Show([head, $"  point mass at ({F(s.X)}, {F(s.Y)}), target at ({F(s.TargetX)}, {F(s.TargetY)})",
                             .. Frames.Pixels(world.Observe(s).AsSpan(), PixelPointMass.Size, PixelPointMass.Size).Select(l => "  " + l)]);
            }
            frames.EndEpisode();
            frames.Line($"  {episode.Rewards.Length} decisions, return {F(episode.Return)}");
        }
    }

    private static string F(double x) => Rounding.Signed(Math.Round(x, 2), 2);
}
