using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;
using Policywerk.Shell.Tables;

namespace Policywerk.Shell.Models;

/// <summary>Lesson 02's saved model: the actor's (ASE) weights w and the critic's (ACE) weights v, one per box of the
/// 6 × 6 grid of (θ, θ̇) boxes (<c>model.actor_weights</c>, <c>model.critic_weights</c>, box = angle bin · 6 + velocity
/// bin). Its evaluation is the lesson's: one episode of the actor without noise, nothing learned.</summary>
public sealed class Lesson02Model : LessonModel<Lesson02BartoSutton, BartoSuttonModel>
{
    public override int Lesson => 2;

    public override void Write(ModelWriter writer, BartoSuttonModel model)
    {
        writer.Numbers("actor_weights", model.ActorWeights.AsSpan());
        writer.Numbers("critic_weights", model.CriticWeights.AsSpan());
    }

    /// <summary>The weights on a fresh model (traces 0: every episode clears them before its first step).</summary>
    public override BartoSuttonModel Read(Lesson02BartoSutton lesson, ModelField model) =>
        BartoSutton.Initial() with
        {
            ActorWeights = model.Field("actor_weights").Numbers(BartoSutton.BoxCount),
            CriticWeights = model.Field("critic_weights").Numbers(BartoSutton.BoxCount),
        };

    private static Trajectory<BalanceState, int> Episode(Lesson02BartoSutton lesson, BartoSuttonModel model, ulong seed) =>
        Lesson02BartoSutton.Evaluation(lesson.Configuration, model, Lesson02BartoSutton.EvaluationKey(lesson.Configuration, seed));

    public override void Evaluate(IAnsiConsole console, Lesson02BartoSutton lesson, BartoSuttonModel model, ulong seed, int episodes)
    {
        var table = new Table().Title("[bold]Greedy evaluation: the actor without noise, nothing learned[/]")
            .AddColumn(new TableColumn("episode").RightAligned()).AddColumn(new TableColumn("seed").RightAligned())
            .AddColumn(new TableColumn("start θ").RightAligned()).AddColumn(new TableColumn("steps balanced").RightAligned());
        var i = 1;
        var max = Lesson02BartoSutton.Pole.Constants.MaxSteps;
        foreach (var s in Seeds(seed, episodes))
        {
            var episode = Episode(lesson, model, s);
            table.AddRow($"{i++}", $"{s}", Rounding.Signed(episode.Steps[0].State.Angle, 4), $"{episode.Length} of {max}");
        }
        console.Write(table);
    }

    public override void Watch(Frames frames, Lesson02BartoSutton lesson, BartoSuttonModel model, ulong seed, int episodes)
    {
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            var episode = Episode(lesson, model, s);
            PoleText.Play(frames, $"episode {i++} (seed {s})", Lesson02BartoSutton.Pole.Constants,
                          episode.Steps.Select(t => new PoleText.Step(t.State, t.Action == 1 ? "push →" : "push ←", t.Reward, t.Next)).ToList());
        }
    }
}
