using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;

namespace Policywerk.Shell.Lessons;

/// <summary>Lesson 01's printed results as data.</summary>
public sealed record BellmanResults(
    double Gamma, double Theta,
    int ValueIterationSweeps, IReadOnlyList<double> MaxChanges,
    IReadOnlyList<string> Values, IReadOnlyList<string> Policy,
    double StartValue, int PathSteps, double PathReward, string Path,
    int PolicyIterationCycles, IReadOnlyList<int> EvaluationSweepsPerCycle, IReadOnlyList<int> ChangesPerCycle,
    IReadOnlyList<string> PolicyIterationValues, IReadOnlyList<string> PolicyIterationPolicy,
    double MaxValueDifference, bool ValuesMatch, bool PoliciesMatch);

/// <summary>Lesson 01 · Bellman 1957: value iteration and policy iteration on the 5×5 gridworld.</summary>
public sealed class Lesson01Bellman : ILesson
{
    public static readonly BellmanConfig Config = new(Gamma: 0.9, Theta: 0.001);

    public LessonInfo Info => Catalog.Info(1);

    /// <summary>The world is deterministic and fully known, so the seed changes nothing here.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var world = Gridworld.Classic;
        var vi = Bellman.ValueIteration(world, Config);
        progress.Report(0.5);
        var pi = Bellman.PolicyIteration(world, Config);
        var path = Episodes.Run(world, (state, key) => new Draw<Move>((Move)vi.Policy[state], key),
                                world.StartState, Key.FromSeed(seed), maxSteps: 100);
        progress.Report(1.0);
        return new Run(world, vi, pi, path);
    }

    private sealed class Run(Gridworld world, ValueIterationResult vi, PolicyIterationResult pi,
                             Trajectory<int, Move> path) : ILessonRun
    {
        private static readonly string[] Arrows = ["↑", "→", "↓", "←"];

        public object Results => results.Value;
        private readonly Lazy<BellmanResults> results = new(() => ResultsOf(world, vi, pi, path));

        private static BellmanResults ResultsOf(Gridworld world, ValueIterationResult vi, PolicyIterationResult pi,
                                                Trajectory<int, Move> path)
        {
            var difference = Bellman.MaxNormDistance(vi.Values, pi.Values);
            var policiesMatch = true;
            for (var s = 0; s < world.StateCount; s++)
                if (!world.IsTerminal(s) && !world.IsWall(s) && vi.Policy[s] != pi.Policy[s]) policiesMatch = false;
            return new BellmanResults(
                Config.Gamma, Config.Theta,
                vi.Sweeps.Length, vi.Sweeps.Select(s => Math.Round(s.MaxChange, 6)).ToArray(),
                ValueRows(world, vi.Values), PolicyRows(world, vi.Policy),
                Math.Round(vi.Values[world.StartState], 3), path.Length, Math.Round(path.TotalReward, 2),
                PathText(world, path),
                pi.Cycles.Length, pi.Cycles.Select(c => c.Evaluation.Sweeps.Length).ToArray(),
                pi.Cycles.Select(c => c.Changes).ToArray(),
                ValueRows(world, pi.Values), PolicyRows(world, pi.Policy),
                Math.Round(difference, 6), difference < Config.Theta, policiesMatch);
        }

        private static string CellText(Gridworld world, int s, ImmutableArray<double> values) => world.KindOf(s) switch
        {
            CellKind.Wall => "##",
            CellKind.Goal => "G",
            CellKind.Pit => "X",
            _ => values[s].ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture),
        };

        private static string ArrowText(Gridworld world, int s, ImmutableArray<int> policy) => world.KindOf(s) switch
        {
            CellKind.Wall => "#",
            CellKind.Goal => "G",
            CellKind.Pit => "X",
            _ => Arrows[policy[s]],
        };

        private static string[] ValueRows(Gridworld world, ImmutableArray<double> values) =>
            Enumerable.Range(0, world.Rows).Select(r => string.Join(' ',
                Enumerable.Range(0, world.Cols).Select(c => CellText(world, r * world.Cols + c, values).PadLeft(6)))).ToArray();

        private static string[] PolicyRows(Gridworld world, ImmutableArray<int> policy) =>
            Enumerable.Range(0, world.Rows).Select(r => string.Join(' ',
                Enumerable.Range(0, world.Cols).Select(c => ArrowText(world, r * world.Cols + c, policy)))).ToArray();

        private static string PathText(Gridworld world, Trajectory<int, Move> path) =>
            string.Join(" ", path.Steps.Select(t => Arrows[(int)t.Action]))
            + $"  ({world.CellOf(path.Steps[0].State).Row},{world.CellOf(path.Steps[0].State).Col}) → "
            + $"({world.CellOf(path.Steps[^1].Next).Row},{world.CellOf(path.Steps[^1].Next).Col})";

        public IEnumerable<string> Headline()
        {
            var s = results.Value;
            yield return $"value iteration: {s.ValueIterationSweeps} sweeps, V(start) = {s.StartValue:+0.000}, greedy path {s.PathSteps} steps";
            yield return $"policy iteration: {s.PolicyIterationCycles} cycles; values {(s.ValuesMatch ? "match" : "differ")}, policies {(s.PoliciesMatch ? "match" : "differ")}";
        }

        public void Print(IAnsiConsole console)
        {
            var s = results.Value;
            console.Write(new Rule("[bold]Lesson 01 · Bellman 1957 — value iteration and policy iteration[/]").LeftJustified());
            console.MarkupLine($"5×5 gridworld: goal [green]G[/] +1, pit [red]X[/] −1, wall [grey]##[/], every other move −0.04;  γ = {s.Gamma}, θ = {s.Theta}");
            console.WriteLine();

            var sweeps = new Table().Title("[bold]Value iteration: max change per sweep[/]")
                .AddColumn(new TableColumn("sweep").RightAligned()).AddColumn(new TableColumn("max |ΔV|").RightAligned()).AddColumn("");
            var largest = s.MaxChanges.Max();
            for (var i = 0; i < s.MaxChanges.Count; i++)
            {
                var width = (int)Math.Round(40 * s.MaxChanges[i] / largest);
                sweeps.AddRow($"{i + 1}", s.MaxChanges[i].ToString("0.000000", CultureInfo.InvariantCulture),
                              $"[blue]{new string('█', width)}[/][grey]{new string('·', 40 - width)}[/]");
            }
            console.Write(sweeps);
            console.MarkupLine($"Converged in [bold]{s.ValueIterationSweeps}[/] sweeps: each sweep carries the goal's reward one cell further, so the change shrinks by γ.");
            console.WriteLine();

            console.Write(GridTable("Value iteration: V*(s)", world, c => ValueMarkup(world, c, vi.Values)));
            console.Write(GridTable("Value iteration: greedy policy", world, c => ArrowMarkup(world, c, vi.Policy)));
            console.MarkupLine($"V(start) = [bold]{s.StartValue:+0.000}[/];  greedy path from the start: {s.PathSteps} steps, reward {s.PathReward:+0.00}:  {Markup.Escape(s.Path)}");
            console.WriteLine();

            var cycles = new Table().Title("[bold]Policy iteration: evaluate, then improve[/]")
                .AddColumn(new TableColumn("cycle").RightAligned())
                .AddColumn(new TableColumn("evaluation sweeps").RightAligned())
                .AddColumn(new TableColumn("states whose action changed").RightAligned());
            for (var i = 0; i < s.PolicyIterationCycles; i++)
                cycles.AddRow($"{i + 1}", $"{s.EvaluationSweepsPerCycle[i]}", $"{s.ChangesPerCycle[i]}");
            console.Write(cycles);
            console.MarkupLine($"Converged in [bold]{s.PolicyIterationCycles}[/] cycles (the last one changes nothing).");
            console.WriteLine();
            console.Write(GridTable("Policy iteration: V^π(s)", world, c => ValueMarkup(world, c, pi.Values)));
            console.Write(GridTable("Policy iteration: policy", world, c => ArrowMarkup(world, c, pi.Policy)));

            var verdict = (s.ValuesMatch ? "[green]values match[/]" : "[red]values differ[/]")
                          + $" (max |V_VI − V_PI| = {s.MaxValueDifference:0.000000} < θ)" + " · "
                          + (s.PoliciesMatch ? "[green]policies match[/]" : "[red]policies differ[/]");
            console.MarkupLine(verdict);
        }

        private static Table GridTable(string title, Gridworld world, Func<int, string> cell)
        {
            var table = new Table().Title($"[bold]{Markup.Escape(title)}[/]").HideHeaders();
            for (var c = 0; c < world.Cols; c++) table.AddColumn(new TableColumn("").Centered());
            for (var r = 0; r < world.Rows; r++)
                table.AddRow(Enumerable.Range(0, world.Cols).Select(c => cell(r * world.Cols + c)).ToArray());
            return table;
        }

        private static string ValueMarkup(Gridworld world, int s, ImmutableArray<double> values) => world.KindOf(s) switch
        {
            CellKind.Wall => "[grey]##[/]",
            CellKind.Goal => "[bold green]G +1[/]",
            CellKind.Pit => "[bold red]X −1[/]",
            _ => $"[{(values[s] >= 0 ? "green" : "red")}]{values[s].ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)}[/]",
        };

        private static string ArrowMarkup(Gridworld world, int s, ImmutableArray<int> policy) => world.KindOf(s) switch
        {
            CellKind.Wall => "[grey]##[/]",
            CellKind.Goal => "[bold green]G[/]",
            CellKind.Pit => "[bold red]X[/]",
            _ => Arrows[policy[s]],
        };

        // ---------------------------------------------------------------- pictures

        public void WritePictures(PictureWriter writer)
        {
            var frames = new List<byte[]>();
            var zero = Policywerk.Pure.Immutable.Filled(world.StateCount, 0.0);
            frames.Add(Frame(zero, null, 0));
            for (var k = 0; k < vi.Sweeps.Length; k++)
                frames.Add(Frame(vi.Sweeps[k].Values, null, k + 1));
            for (var hold = 0; hold < 3; hold++)
                frames.Add(Frame(vi.Values, vi.Policy, vi.Sweeps.Length));
            writer.Gif("artifact.gif", frames, delayCs: 90, holdLastCs: 300);
            writer.Png("poster.png", Panels.Render(ValuePane(vi.Values, vi.Policy, "Optimal values V* and greedy policy"), 720, 660));
            writer.Png("trace.png", Panels.Render(TracePane(vi.Sweeps.Length, full: true), 900, 480));
        }

        private byte[] Frame(ImmutableArray<double> values, ImmutableArray<int>? policy, int sweep) =>
            ThreePane.Compose(
                WorldPane(),
                ValuePane(values, policy, policy is null ? $"V after sweep {sweep}" : $"V* and greedy policy (sweep {sweep})"),
                TracePane(sweep, full: false));

        private Plot WorldPane()
        {
            var plot = Draw.GridPlot("The gridworld", world.Rows, world.Cols);
            for (var s = 0; s < world.StateCount; s++)
            {
                var (r, c) = world.CellOf(s);
                var (fill, label, ink) = world.KindOf(s) switch
                {
                    CellKind.Wall => (Palette.Wall, "wall", Palette.White),
                    CellKind.Goal => (Palette.Positive, "G +1", Palette.White),
                    CellKind.Pit => (Palette.Negative, "X −1", Palette.White),
                    _ => (Palette.Neutral, s == world.StartState ? "S" : "", Palette.Ink),
                };
                Draw.Cell(plot, r, c, fill, label, ink, 15, bold: true);
            }
            var route = path.Steps.Select(t => world.CellOf(t.State)).Append(world.CellOf(path.Steps[^1].Next))
                .Select(cell => new Coordinates(cell.Col + 0.5, -cell.Row - 0.5)).ToArray();
            var (last, before) = (route[^1], route[^2]);
            route[^1] = new Coordinates(last.X + 0.45 * (before.X - last.X), last.Y + 0.45 * (before.Y - last.Y)); // stop at the goal's edge
            var line = plot.Add.ScatterLine(route, Palette.Accent);
            line.LineWidth = 3;
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 0;
            return plot;
        }

        private Plot ValuePane(ImmutableArray<double> values, ImmutableArray<int>? policy, string title)
        {
            var plot = Draw.GridPlot(title, world.Rows, world.Cols);
            for (var s = 0; s < world.StateCount; s++)
            {
                var (r, c) = world.CellOf(s);
                switch (world.KindOf(s))
                {
                    case CellKind.Wall: Draw.Cell(plot, r, c, Palette.Wall, "wall", Palette.White, 13); break;
                    case CellKind.Goal: Draw.Cell(plot, r, c, Palette.Positive, "G", Palette.White, 16, true); break;
                    case CellKind.Pit: Draw.Cell(plot, r, c, Palette.Negative, "X", Palette.White, 16, true); break;
                    default:
                        var label = values[s].ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
                        Draw.Cell(plot, r, c, Draw.Diverging(values[s], 1.0), policy is null ? label : null, size: 14);
                        if (policy is { } p)
                        {
                            var (dr, dc) = p[s] switch { 0 => (-1, 0), 1 => (0, 1), 2 => (1, 0), _ => (0, -1) };
                            Draw.CellArrow(plot, r, c, dr, dc, Palette.Ink);
                            var small = plot.Add.Text(label, c + 0.5, -r - 0.88);
                            small.Alignment = Alignment.MiddleCenter;
                            small.LabelFontSize = 11;
                            small.LabelFontColor = Palette.Ink;
                        }
                        break;
                }
            }
            return plot;
        }

        private Plot TracePane(int sweepsShown, bool full)
        {
            const double floor = 1e-4;
            var plot = Draw.TracePlot(full ? "Value iteration converges: max |ΔV| per sweep (log scale)" : "max |ΔV| per sweep (log scale)",
                                      "sweep", "max |ΔV|");
            var xs = Enumerable.Range(1, sweepsShown).Select(i => (double)i).ToArray();
            var ys = vi.Sweeps.Take(sweepsShown).Select(s => Draw.Log10Floor(s.MaxChange, floor)).ToArray();
            if (xs.Length > 0)
            {
                var line = plot.Add.ScatterLine(xs, ys, Palette.Accent);
                line.LineWidth = 2.5f;
                line.MarkerSize = 8;
            }
            var theta = plot.Add.HorizontalLine(Math.Log10(Config.Theta), 1.5f, Palette.Negative, LinePattern.Dashed);
            theta.LegendText = "θ = 0.001";
            plot.Axes.SetLimits(0.5, vi.Sweeps.Length + 0.5, Math.Log10(floor) - 0.2, 0.3);
            Draw.LogScaleY(plot);
            Draw.IntegerTicksX(plot);
            plot.ShowLegend(Alignment.UpperRight);
            if (sweepsShown == vi.Sweeps.Length)
            {
                var note = plot.Add.Text("0 (converged)", sweepsShown, Math.Log10(floor));
                note.Alignment = Alignment.LowerRight;
                note.LabelFontSize = 12;
                note.OffsetY = -6;
            }
            return plot;
        }
    }
}
