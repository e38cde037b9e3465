using System.Globalization;
using System.Text;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;
using Policywerk.Shell.Tables;

namespace Policywerk.Shell.Models;

/// <summary>Lesson 06's saved model: the actor θ (<c>model.actor</c>, 2 → hidden tanh → 2: μ and log σ) and the critic φ
/// (<c>model.critic</c>, 2 → hidden tanh → 1). Its evaluation is the lesson's greedy episode, torque = clamp(μ(s), −1, 1),
/// from a start angle drawn from the seed.</summary>
public sealed class Lesson06Model : LessonModel<Lesson06Ppo, PpoModel>
{
    public override int Lesson => 6;

    public override void Write(ModelWriter writer, PpoModel model)
    {
        writer.Params("actor", model.Theta);
        writer.Params("critic", model.Phi);
    }

    public override PpoModel Read(Lesson06Ppo lesson, ModelField model)
    {
        var fresh = Ppo.Init(lesson.Configuration, 2, Key.FromSeed(0)).Value;
        var theta = model.Field("actor").Params(fresh.Theta.Layout, $"the lesson's actor ({string.Join(" → ", fresh.Actor.Widths)})");
        var phi = model.Field("critic").Params(fresh.Phi.Layout, $"the lesson's critic ({string.Join(" → ", fresh.Critic.Widths)})");
        return fresh with { Theta = theta, Phi = phi, ActorAdam = AdamState.Init(theta), CriticAdam = AdamState.Init(phi) };
    }

    /// <summary>The greedy episode of <c>lesson 6 --seed</c> <paramref name="seed"/>.</summary>
    private static Trajectory<BalanceState, double> Episode(Lesson06Ppo lesson, PpoModel model, ulong seed) =>
        Lesson06Ppo.GreedyEpisode(lesson.Configuration, model, Lesson06Ppo.GreedyKey(Key.FromSeed(seed)));

    public override void Evaluate(IAnsiConsole console, Lesson06Ppo lesson, PpoModel model, ulong seed, int episodes)
    {
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
            console.Write(Lesson06Ppo.GreedyScore.Of(Episode(lesson, model, s))
                .Table(episodes == 1 ? $"Greedy evaluation, seed {s}" : $"Greedy evaluation, episode {i++}, seed {s}"));
        console.Write(Lesson06Ppo.ProbeTable(Lesson06Ppo.Probes(lesson.Configuration, model)));
    }

    public override void Watch(Frames frames, Lesson06Ppo lesson, PpoModel model, ulong seed, int episodes)
    {
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            var episode = Episode(lesson, model, s);
            PoleText.Play(frames, $"episode {i++} (seed {s})", Lesson06Ppo.World.Constants,
                          episode.Steps.Select(t => new PoleText.Step(t.State, $"torque {Rounding.Signed(t.Action, 2)}", t.Reward, t.Next)).ToList());
        }
    }
}

/// <summary>The pole as one line of text per step: the angle θ on a bar from −θ_max to +θ_max (<c>|</c> marks upright)
/// with the push; watch's frames for lessons 02 and 06.</summary>
public static class PoleText
{
    /// <summary>One step: the state, the push as words, the reward and the next state.</summary>
    public sealed record Step(BalanceState State, string Push, double Reward, BalanceState Next);

    private const int HalfWidth = 20;

    /// <summary>"θ = +0.052 rad ·········|····●······  torque +0.31".</summary>
    public static string Line(BalanceConstants constants, BalanceState s)
    {
        var position = (int)Math.Round(Math.Clamp(s.Angle / constants.MaxAngle, -1, 1) * HalfWidth) + HalfWidth;
        var bar = new StringBuilder(new string('·', 2 * HalfWidth + 1));
        bar[HalfWidth] = '|';
        bar[position] = '●';
        return $"θ = {Rounding.Signed(s.Angle, 3)} rad  [{bar}]";
    }

    /// <summary>An episode frame by frame, then its length and return.</summary>
    public static void Play(Frames frames, string title, BalanceConstants constants, IReadOnlyList<Step> steps)
    {
        frames.Line(title);
        var total = 0.0;
        for (var t = 0; t < steps.Count; t++)
        {
            total += steps[t].Reward;
            frames.Show([$"step {t + 1,3}: {Line(constants, steps[t].Next)}  {steps[t].Push}"]);
        }
        frames.EndEpisode();
        var fell = steps.Count > 0 && Math.Abs(steps[^1].Next.Angle) > constants.MaxAngle;
        frames.Line($"  {(fell ? "fell" : "balanced")} after {steps.Count} of {constants.MaxSteps} steps, return {total.ToString("0.##", CultureInfo.InvariantCulture)}");
    }
}
