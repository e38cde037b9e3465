using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;

namespace Policywerk.Shell.Models;

/// <summary>One prediction method's learned values V(s) over the walk's states (both ends included, at 0).</summary>
/// <param name="Method">One of <see cref="WalkEstimates.Methods"/>.</param>
/// <param name="Lambda">TD(λ)'s λ; null for the other methods.</param>
/// <param name="Values">V(s) for every state of the walk, both ends included.</param>
public sealed record MethodEstimate(string Method, double? Lambda, VTable Values);

/// <summary>Lesson 03's model: every method's final value estimates of the random walk.</summary>
public sealed record WalkEstimates(ImmutableArray<MethodEstimate> Estimates)
{
    public const string TdZero = "td0", MonteCarloFirstVisit = "mc_first_visit", MonteCarloEveryVisit = "mc_every_visit", TdLambda = "td_lambda";

    /// <summary>The method names a file may hold.</summary>
    public static readonly ImmutableArray<string> Methods = [TdZero, MonteCarloFirstVisit, MonteCarloEveryVisit, TdLambda];

    /// <summary>The method as the lesson's tables name it.</summary>
    public static string Label(MethodEstimate e) => e.Method switch
    {
        TdZero => "TD(0)",
        MonteCarloFirstVisit => "Monte Carlo (first-visit)",
        MonteCarloEveryVisit => "Monte Carlo (every-visit)",
        _ => $"TD(λ = {e.Lambda?.ToString("0.###", CultureInfo.InvariantCulture)})",
    };
}

/// <summary>Lesson 03's saved model: <c>model.estimates</c>, one entry per method (<c>method</c>, <c>lambda</c> for
/// TD(λ), <c>values</c> over the walk's states with both ends). Lesson 03 predicts; nothing acts. Its evaluation is the
/// RMS error of each method's values against the true values (what the lesson's final RMS column prints), and
/// <c>watch</c> follows fresh random walks with each method's estimate of the state the walk is in.</summary>
public sealed class Lesson03Model : LessonModel<Lesson03TemporalDifference, WalkEstimates>
{
    public override int Lesson => 3;
    public override bool Acts => false;

    public override void Write(ModelWriter writer, WalkEstimates model)
    {
        writer.Json.WriteStartArray("estimates");
        foreach (var e in model.Estimates)
        {
            writer.Json.WriteStartObject();
            writer.Json.WriteString("method", e.Method);
            if (e.Lambda is { } lambda)
            {
                writer.Json.WritePropertyName("lambda");
                writer.Json.WriteRawValue(lambda.ToString("R", CultureInfo.InvariantCulture));
            }
            writer.Numbers("values", e.Values.Values.AsSpan());
            writer.Json.WriteEndObject();
        }
        writer.Json.WriteEndArray();
    }

    public override WalkEstimates Read(Lesson03TemporalDifference lesson, ModelField model)
    {
        var walk = new RandomWalk(lesson.Configuration.WalkSize);
        var items = model.Field("estimates").Items();
        if (items.Count == 0) throw model.Field("estimates").Error("is empty; the model holds at least one method's values");
        return new WalkEstimates([.. items.Select(item =>
        {
            var method = item.Field("method").String();
            if (!WalkEstimates.Methods.Contains(method))
                throw item.Field("method").Error($"is '{method}'; a method is one of {string.Join(", ", WalkEstimates.Methods)}");
            double? lambda = method == WalkEstimates.TdLambda ? item.Field("lambda").Double() : null;
            return new MethodEstimate(method, lambda, new VTable(item.Field("values").Numbers(walk.StateCount)));
        })]);
    }

    public override void Evaluate(IAnsiConsole console, Lesson03TemporalDifference lesson, WalkEstimates model, ulong seed, int episodes)
    {
        var config = lesson.Configuration;
        var walk = new RandomWalk(config.WalkSize);
        var truth = walk.TrueValuesFor(config.Gamma);
        var table = new Table().Title("[bold]Learned values against the true values (γ = " + config.Gamma.ToString("0.###", CultureInfo.InvariantCulture) + ")[/]")
            .AddColumn("method").AddColumn(new TableColumn("RMS error").RightAligned());
        foreach (var s in walk.WalkStates) table.AddColumn(new TableColumn(walk.Label(s)).RightAligned());
        table.AddRow(["true values", "", .. walk.WalkStates.Select(s => F(truth[s]))]);
        foreach (var e in model.Estimates)
            table.AddRow([Markup.Escape(WalkEstimates.Label(e)), F(TemporalDifference.RmsError(e.Values, truth, walk.WalkStates)),
                          .. walk.WalkStates.Select(s => F(e.Values[s]))]);
        console.Write(table);
        console.WriteLine("The RMS error is over the walk's states, as the lesson's final RMS error; nothing acts here, so seeds and episodes change nothing.");
    }

    public override void Watch(Frames frames, Lesson03TemporalDifference lesson, WalkEstimates model, ulong seed, int episodes)
    {
        var walk = new RandomWalk(lesson.Configuration.WalkSize);
        var truth = walk.TrueValuesFor(lesson.Configuration.Gamma);
        var i = 1;
        foreach (var s in Seeds(seed, episodes))
        {
            var path = walk.Sample(Key.FromSeed(s));
            frames.Line($"walk {i++} (seed {s}): each method's estimate of the state the walk is in");
            frames.Show(Frame(walk, truth, model, path.Steps[0].State, "start"));
            for (var t = 0; t < path.Length; t++)
                frames.Show(Frame(walk, truth, model, path.Steps[t].Next,
                                  $"step {t + 1}: {(path.Steps[t].Action == RandomWalk.Right ? "right" : "left")}, reward {path.Steps[t].Reward.ToString("0.##", CultureInfo.InvariantCulture)}"));
            frames.EndEpisode();
            frames.Line($"  ended after {path.Length} steps with return {path.TotalReward.ToString("0.##", CultureInfo.InvariantCulture)}");
        }
    }

    private static IReadOnlyList<string> Frame(RandomWalk walk, ImmutableArray<double> truth, WalkEstimates model, int state, string what)
    {
        var cells = Enumerable.Range(0, walk.StateCount).Select(s =>
            s == walk.LeftEnd ? $"{walk.LeftReward.ToString("0.##", CultureInfo.InvariantCulture)} ←" : s == walk.RightEnd ? "→ +1"
            : s == state ? $"[{walk.Label(s)}]" : $" {walk.Label(s)} ");
        if (walk.IsTerminal(state)) return [what, "  " + string.Join(" ", cells), "  (an end: the walk is over)"];
        return [what, "  " + string.Join(" ", cells), $"  V({walk.Label(state)}): true {F(truth[state])}",
                .. model.Estimates.Select(e => $"    {WalkEstimates.Label(e),-26} {F(e.Values[state])}")];
    }

    private static string F(double x) => Math.Round(x, 3).ToString("0.000", CultureInfo.InvariantCulture);
}
