using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;

namespace Policywerk.Shell.Models;

/// <summary>Lesson 04's model: the Q table Q-learning learned and the one SARSA learned.</summary>
public sealed record QTables(QTable QLearning, QTable Sarsa);

/// <summary>Lesson 04's saved model (<c>model.q_learning</c>, <c>model.sarsa</c>: each <c>states</c>, <c>actions</c> and
/// <c>values</c>, Q(s, a) row by row). Its evaluation is the lesson's greedy walk from the start with each table.</summary>
public sealed class Lesson04Model : LessonModel<Lesson04QLearning, QTables>
{
    public override int Lesson => 4;

    public override void Write(ModelWriter writer, QTables model)
    {
        Table(writer, "q_learning", model.QLearning);
        Table(writer, "sarsa", model.Sarsa);
    }

    private static void Table(ModelWriter writer, string name, QTable q)
    {
        writer.Json.WriteStartObject(name);
        writer.Json.WriteNumber("states", q.StateCount);
        writer.Json.WriteNumber("actions", q.ActionCount);
        writer.Numbers("values", q.Values.AsSpan());
        writer.Json.WriteEndObject();
    }

    public override QTables Read(Lesson04QLearning lesson, ModelField model)
    {
        var grid = lesson.World.Grid;
        return new QTables(Table(model.Field("q_learning"), grid), Table(model.Field("sarsa"), grid));
    }

    private static QTable Table(ModelField field, Gridworld grid)
    {
        var states = field.Field("states").Int();
        var actions = field.Field("actions").Int();
        if (states != grid.StateCount || actions != grid.ActionCount)
            throw field.Error($"is a {states} × {actions} table; the lesson's {grid.Rows}×{grid.Cols} map needs {grid.StateCount} × {grid.ActionCount}");
        return new QTable(states, actions, field.Field("values").Numbers(states * actions));
    }

    private static IEnumerable<(string Method, QTable Q)> Methods(QTables model) => [("Q-learning", model.QLearning), ("SARSA", model.Sarsa)];

    public override void Evaluate(IAnsiConsole console, Lesson04QLearning lesson, QTables model, ulong seed, int episodes)
    {
        var world = lesson.World;
        var table = new Table().Title("[bold]Greedy evaluation (no exploration), from the start[/]")
            .AddColumn(new TableColumn("episode").RightAligned()).AddColumn(new TableColumn("seed").RightAligned()).AddColumn("method")
            .AddColumn(new TableColumn("steps").RightAligned()).AddColumn(new TableColumn("reward").RightAligned())
            .AddColumn(new TableColumn("mean row").RightAligned()).AddColumn("moves");
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            foreach (var (method, q) in Methods(model))
            {
                var route = Lesson04QLearning.Run.Route(world.Grid, Lesson04QLearning.Greedy(world, q, Lesson04QLearning.GreedyKey(s)));
                table.AddRow($"{i}", $"{s}", method, $"{route.Steps}", Lesson04QLearning.Run.RewardText(route.Reward),
                             route.MeanRow.ToString("0.00", CultureInfo.InvariantCulture) + (route.ReachedGoal ? "" : " (no goal)"), Markup.Escape(route.Moves));
            }
            i++;
        }
        console.Write(table);
    }

    public override void Watch(Frames frames, Lesson04QLearning lesson, QTables model, ulong seed, int episodes)
    {
        var world = lesson.World;
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            foreach (var (method, q) in Methods(model))
            {
                // the rollout Cliff.Greedy reads its path from, with the same key and step limit
                var walk = TdControl.GreedyRollout(world, q, world.Grid.StartState, Lesson04QLearning.GreedyKey(s), Lesson04QLearning.MaxGreedySteps(world));
                GridText.Play(frames, world.Grid, $"episode {i} (seed {s}), {method}", walk.Steps.Select(t => new GridText.Step(t.State, t.Action, t.Reward, t.Next)).ToList());
            }
            i++;
        }
    }
}
