using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;
using Policywerk.Shell.Tables;

namespace Policywerk.Shell.Models;

/// <summary>Lesson 01's model: value iteration's values V*(s) and its greedy policy π(s) (an action index, N E S W), one
/// per cell of the grid, row-major.</summary>
public sealed record GridValues(ImmutableArray<double> Values, ImmutableArray<int> Policy);

/// <summary>Lesson 01's saved model (<c>model.values</c>, <c>model.policy</c>). Its evaluation is the greedy walk from the
/// start that the lesson prints, with the values and the policy as tables.</summary>
public sealed class Lesson01Model : LessonModel<Lesson01Bellman, GridValues>
{
    public override int Lesson => 1;

    public override void Write(ModelWriter writer, GridValues model)
    {
        writer.Numbers("values", model.Values.AsSpan());
        writer.Ints("policy", model.Policy.AsSpan());
    }

    public override GridValues Read(Lesson01Bellman lesson, ModelField model)
    {
        var world = new Gridworld(lesson.Map.Map);
        return new GridValues(model.Field("values").Numbers(world.StateCount), model.Field("policy").Ints(world.StateCount, 4));
    }

    /// <summary>The lesson's greedy walk from the start (<see cref="Lesson01Bellman.GreedyWalk"/>) with seed
    /// <paramref name="seed"/>: only a slippery map draws from it.</summary>
    private static Pure.Mdp.Trajectory<int, Move> Walk(Gridworld world, GridValues model, ulong seed) =>
        Lesson01Bellman.GreedyWalk(world, model.Policy, Key.FromSeed(seed));

    public override void Evaluate(IAnsiConsole console, Lesson01Bellman lesson, GridValues model, ulong seed, int episodes)
    {
        var world = new Gridworld(lesson.Map.Map);
        console.WriteLine("Value iteration: V*(s)");
        foreach (var row in Lesson01Bellman.Run.ValueRows(world, model.Values)) console.WriteLine("  " + row);
        console.WriteLine("Value iteration: greedy policy");
        foreach (var row in Lesson01Bellman.Run.PolicyRows(world, model.Policy)) console.WriteLine("  " + row);
        console.WriteLine($"V(start) = {Rounding.Signed(Math.Round(model.Values[world.StartState], 3), 3)}");
        var table = new Table().Title("[bold]Greedy path from the start[/]").AddColumn(new TableColumn("episode").RightAligned())
            .AddColumn(new TableColumn("seed").RightAligned()).AddColumn(new TableColumn("steps").RightAligned())
            .AddColumn(new TableColumn("reward").RightAligned()).AddColumn("path");
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            var walk = Walk(world, model, s);
            table.AddRow($"{i++}", $"{s}", $"{walk.Length}", Rounding.Signed(Math.Round(walk.TotalReward, 2), 2),
                         Markup.Escape(walk.Length > 0 ? Lesson01Bellman.Run.PathText(world, walk) : "(starts at the end)"));
        }
        console.Write(table);
    }

    public override void Watch(Frames frames, Lesson01Bellman lesson, GridValues model, ulong seed, int episodes)
    {
        var world = new Gridworld(lesson.Map.Map);
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            var walk = Walk(world, model, s);
            GridText.Play(frames, world, $"episode {i++} (seed {s})", walk.Steps.Select(t => new GridText.Step(t.State, (int)t.Action, t.Reward, t.Next)).ToList());
        }
    }
}

/// <summary>A gridworld as text, one character per cell: the map format's characters (<see cref="GridMap.Symbol"/>, the
/// start <c>S</c>) with <c>@</c> for the agent; watch's frames for lessons 01 and 04.</summary>
public static class GridText
{
    private static readonly string[] Arrows = ["↑", "→", "↓", "←"];

    /// <summary>One step: from a state, the action (N E S W), its reward and the next state.</summary>
    public sealed record Step(int State, int Action, double Reward, int Next);

    /// <summary>The grid with the agent in <paramref name="agent"/>.</summary>
    public static IReadOnlyList<string> Grid(Gridworld world, int agent) =>
        Enumerable.Range(0, world.Rows).Select(r => "  " + string.Join(' ', Enumerable.Range(0, world.Cols).Select(c =>
        {
            var s = r * world.Cols + c;
            return s == agent ? '@' : s == world.StartState ? GridMap.StartSymbol : GridMap.Symbol(world.KindOf(s));
        }))).ToList();

    /// <summary>An episode frame by frame: the start, then the grid after each step with the move, its reward and the return so far.</summary>
    public static void Play(Frames frames, Gridworld world, string title, IReadOnlyList<Step> steps)
    {
        frames.Line(title);
        frames.Show([$"step 0: at the start", .. Grid(world, steps.Count > 0 ? steps[0].State : world.StartState)]);
        var total = 0.0;
        for (var t = 0; t < steps.Count; t++)
        {
            total += steps[t].Reward;
            frames.Show([$"step {t + 1}: {Arrows[steps[t].Action]}  reward {R(steps[t].Reward)}, return {R(total)}", .. Grid(world, steps[t].Next)]);
        }
        frames.EndEpisode();
        frames.Line($"  {steps.Count} steps, return {R(total)}");
    }

    private static string R(double x) => Rounding.Signed(Math.Round(x, 2), 2);
}
