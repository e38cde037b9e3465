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
public sealed class Lesson01Bellman(BellmanConfig config) : ILesson, ISettableLesson
{
    public static readonly BellmanConfig Config = new(Gamma: 0.9, Theta: 0.001);

    public Lesson01Bellman() : this(Config) { }

    public LessonInfo Info => Catalog.Info(1);

    /// <summary>The knobs of <see cref="BellmanConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(BellmanConfig.Knobs, Config);

    public ILesson With(IReadOnlyList<(string Name, double Value)> values) =>
        new Lesson01Bellman(KnobSet.Apply(BellmanConfig.Knobs, config, values));

    /// <summary>The world is deterministic and fully known, so the seed changes nothing here.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var world = Gridworld.Classic;
        var vi = Bellman.ValueIteration(world, config);
        progress.Report(0.5);
        var pi = Bellman.PolicyIteration(world, config);
        var path = Episodes.Run(world, (state, key) => new Draw<Move>((Move)vi.Policy[state], key),
                                world.StartState, Key.FromSeed(seed), maxSteps: 100);
        progress.Report(1.0);
        return new Run(config, world, vi, pi, path);
    }

    private sealed class Run(BellmanConfig config, Gridworld world, ValueIterationResult vi, PolicyIterationResult pi,
                             Trajectory<int, Move> path) : ILessonRun
    {
        private static readonly string[] Arrows = ["↑", "→", "↓", "←"];

        public object Results => results.Value;
        private readonly Lazy<BellmanResults> results = new(() => ResultsOf(config, world, vi, pi, path));

        private static BellmanResults ResultsOf(BellmanConfig config, Gridworld world, ValueIterationResult vi, PolicyIterationResult pi,
                                                Trajectory<int, Move> path)
        {
            var difference = Bellman.MaxNormDistance(vi.Values, pi.Values);
            var policiesMatch = true;
            for (var s = 0; s < world.StateCount; s++)
                if (!world.IsTerminal(s) && !world.IsWall(s) && vi.Policy[s] != pi.Policy[s]) policiesMatch = false;
            return new BellmanResults(
                config.Gamma, config.Theta,
                vi.Sweeps.Length, vi.Sweeps.Select(s => Math.Round(s.MaxChange, 6)).ToArray(),
                ValueRows(world, vi.Values), PolicyRows(world, vi.Policy),
                Math.Round(vi.Values[world.StartState], 3), path.Length, Math.Round(path.TotalReward, 2),
                PathText(world, path),
                pi.Cycles.Length, pi.Cycles.Select(c => c.Evaluation.Sweeps.Length).ToArray(),
                pi.Cycles.Select(c => c.Changes).ToArray(),
                ValueRows(world, pi.Values), PolicyRows(world, pi.Policy),
                Math.Round(difference, 6), difference < config.Theta, policiesMatch);
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
            Tables(console, s);
        }

        /// <summary>The tables of <see cref="Print"/> without its header.</summary>
        private void Tables(IAnsiConsole console, BellmanResults s)
        {
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

        // ---------------------------------------------------------------- narrative

        private static readonly string[] ActionNames = ["N", "E", "S", "W"];

        private string CellName(int state) => $"({world.CellOf(state).Row},{world.CellOf(state).Col})";

        private static string N(double x) => Narration.Number(x);

        /// <summary>A reward with its sign: +1, −1.</summary>
        private static string S(double x) => x > 0 ? "+" + N(x) : N(x);

        /// <summary>A number inside a product, its sign written out: 0.9·(−0.209).</summary>

        /// <summary>The cells of one kind, as "(1,3)" or "(1,1) and (2,2)".</summary>
        private string CellsOf(CellKind kind)
        {
            var cells = Enumerable.Range(0, world.StateCount).Where(s => world.KindOf(s) == kind).Select(CellName).ToArray();
            return cells.Length <= 1 ? string.Concat(cells) : string.Join(", ", cells[..^1]) + " and " + cells[^1];
        }

        /// <summary>The worked example: the start cell's backup in the first sweep that makes its value positive (the sweep
        /// in which the goal's reward reaches it), else in the last sweep; with the values it read and the sweep's number.</summary>
        private (int Sweep, ImmutableArray<double> Before, BackupTerms Terms) WorkedExample()
        {
            var start = world.StartState;
            var k = 0;
            while (k < vi.Sweeps.Length - 1 && vi.Sweeps[k].Values[start] <= 0) k++;
            var before = k == 0 ? Policywerk.Pure.Immutable.Filled(world.StateCount, 0.0) : vi.Sweeps[k - 1].Values;
            return (k + 1, before, Bellman.ExplainBackup(world, before, start, config.Gamma));
        }

        public void Narrate(IAnsiConsole console)
        {
            var s = results.Value;
            var gamma = config.Gamma;
            console.Write(new Rule("[bold]Lesson 01 · Bellman 1957 — value iteration and policy iteration[/]").LeftJustified());
            Narration.Section(console, "The idea",
                "Dynamic programming finds the best behaviour when the world is known. For every state and action we know " +
                "where the agent can end up, how likely each outcome is, and what reward it pays. Nothing is sampled and nothing " +
                "is explored: the agent plans before it ever moves.",
                "A state's value is what the best action earns: its reward plus the discounted value of the state it leads to. " +
                "Value iteration applies this rule to every state at once, sweep after sweep, starting from all values 0, until " +
                "the values stop changing. Policy iteration alternates two steps instead: compute the values of a fixed policy, " +
                "then make the policy greedy for those values. Both end at the same values and the same policy. The later " +
                "lessons learn such values without a model, from experience.");

            var grid = new List<string>();
            for (var r = 0; r < world.Rows; r++)
                grid.Add(string.Join(' ', Enumerable.Range(0, world.Cols).Select(c => world.IndexOf(new Cell(r, c)) switch
                {
                    var x when x == world.StartState => 'S',
                    var x => world.KindOf(x) switch { CellKind.Goal => 'G', CellKind.Pit => 'X', CellKind.Wall => '#', _ => '·' },
                })));
            var deterministic = Enumerable.Range(0, world.StateCount).All(st =>
                Enumerable.Range(0, world.ActionCount).All(a => world.Outcomes(st, a) is [{ Probability: 1.0 }]));
            Narration.Section(console, "The world",
                $"A {world.Rows}×{world.Cols} grid. The agent starts at S {CellName(world.StartState)} and moves N, E, S or W. " +
                $"Entering the goal G {CellsOf(CellKind.Goal)} pays {S(world.Map.GoalReward)} and ends the episode. " +
                $"Entering the pit X {CellsOf(CellKind.Pit)} pays {S(world.Map.PitReward)} and ends it too. " +
                $"The wall # {CellsOf(CellKind.Wall)} cannot be entered. Every other move costs {N(world.Map.StepReward)}, " +
                "also a move into the wall or off the grid, which leaves the agent where it is. " +
                (deterministic ? "Moves are deterministic: each P(s′|s,a) is 1 for one next state s′ and 0 for the rest. " : "") +
                "Rows and columns are numbered from the top left, starting at 0.");
            Narration.Display(console, [.. grid]);

            Narration.Section(console, "The update",
                $"One sweep computes a new value for every state from the old values of all states. For each action it adds up " +
                $"the outcomes: probability times (reward plus γ times the next state's value), with γ = {N(gamma)}. " +
                "The new value is the largest of these sums. Goal and pit are worth 0: their reward is paid on entry.");
            Narration.Display(console, "V(s) ← max_a Σ_s′ P(s′|s,a)[R(s,a,s′) + γ·V(s′)]");
            Narration.Code(console, "src/Policywerk.Pure/Agents/Bellman.cs", "Bellman.OptimalityBackup");
            Narration.Code(console, "src/Policywerk.Pure/Agents/Bellman.cs", "Bellman.ActionValue");
            Narration.Text(console,
                $"Value iteration repeats the sweep until the largest change is below θ = {N(config.Theta)}; then the policy takes, " +
                "in each state, the action with the largest sum. Policy iteration uses the same sum with the policy's action " +
                "in place of the max, until the values settle, and then makes the policy greedy.");
            Narration.Code(console, "src/Policywerk.Pure/Agents/Bellman.cs", "Bellman.ValueIteration");
            Narration.Code(console, "src/Policywerk.Pure/Agents/Bellman.cs", "Bellman.PolicyIteration");

            var (sweep, before, e) = WorkedExample();
            var start = CellName(world.StartState);
            var positive = e.NewValue > 0;
            Narration.Section(console, "A worked example from this run",
                (positive
                    ? $"We follow the start cell {start} in sweep {sweep}, the first sweep that makes its value positive: the goal's reward reaches it here. "
                    : $"We follow the start cell {start} in the last sweep, sweep {sweep}. ") +
                $"The backup reads the values {(sweep == 1 ? "before the first sweep (all 0)" : $"after sweep {sweep - 1}")}; " +
                $"there the start was worth {N(e.OldValue)}. Each action, with its next state and that state's value:");
            var lines = new List<string>();
            foreach (var a in e.Actions)
            {
                var next = a.Outcomes.Length == 1 ? CellName(a.Outcomes[0].Next) : "…";
                var stays = a.Outcomes is [var only] && only.Next == e.State ? "  (stays)" : "";
                var sum = string.Join(" + ", a.Outcomes.Select(o => $"{N(o.Probability)}·({N(o.Reward)} + {N(e.Gamma)}·{Narration.Factor(o.NextValue)})"));
                lines.Add($"{ActionNames[a.Action]} → {next}:  {sum} = {N(a.Value)}{stays}");
            }
            lines.Add($"V{start} ← max({string.Join(", ", e.Actions.Select(a => N(a.Value)))}) = {N(e.NewValue)}");
            Narration.Display(console, [.. lines]);
            var tied = e.Actions.Where(a => Math.Abs(a.Value - e.Actions[e.BestAction].Value) <= Bellman.TieTolerance)
                .Select(a => ActionNames[a.Action]).ToArray();
            var stored = vi.Sweeps[sweep - 1].Values[world.StartState];
            Narration.Text(console,
                (tied.Length > 1
                    ? $"{string.Join(" and ", tied)} tie; a tie goes to the first of N, E, S, W, so the best action is {ActionNames[e.BestAction]}. "
                    : $"The best action is {ActionNames[e.BestAction]}. ") +
                $"The start's value goes from {N(e.OldValue)} to {N(e.NewValue)}" +
                (e.NewValue.Equals(stored) ? $", exactly the value sweep {sweep} stored." : $"; sweep {sweep} stored {N(stored)}."));

            Narration.Section(console, "What the results mean");
            Tables(console, s);
            var changes = vi.Sweeps.Select(w => w.MaxChange).ToArray();
            var ratios = Enumerable.Range(1, changes.Length - 1).Where(k => changes[k - 1] > 0 && changes[k] > 0)
                .Select(k => changes[k] / changes[k - 1]).ToArray();
            var discounted = 0.0;
            var factor = 1.0;
            foreach (var step in path.Steps) { discounted += factor * step.Reward; factor *= gamma; }
            var startValue = vi.Values[world.StartState];
            var evaluationSweeps = pi.Cycles.Sum(c => c.Evaluation.Sweeps.Length);
            var paragraphs = new List<string>();
            if (ratios.Length > 0)
                paragraphs.Add(
                    $"From sweep 1 to sweep {ratios.Length + 1} the largest change shrinks by a factor of " +
                    (N(ratios.Min()) == N(ratios.Max()) ? N(ratios.Min()) : $"{N(ratios.Min())} to {N(ratios.Max())}") +
                    $" per sweep; γ = {N(gamma)}. Each sweep carries the goal's reward one cell further and discounts it once more. " +
                    $"Sweep {changes.Length} " + (changes[^1] == 0 ? "changes no value at all" : $"changes the values by at most {N(changes[^1])}") +
                    $", which is less than θ = {N(config.Theta)}, so value iteration stops.");
            paragraphs.Add(
                $"The start is worth {N(startValue)}. The greedy path from there takes {path.Length} steps; its rewards, discounted " +
                $"by γ at each step, add up to {N(discounted)}" +
                (Math.Abs(discounted - startValue) < 1e-9 ? ", the same number: a value is the discounted reward of acting well from there. " : $", not the same number. ") +
                $"Policy iteration needed {pi.Cycles.Length} cycles and {evaluationSweeps} evaluation sweeps in all against value iteration's " +
                $"{vi.Sweeps.Length} sweeps, and ends {(s.ValuesMatch && s.PoliciesMatch ? "at the same values and policy" : "elsewhere")}.");
            Narration.Text(console, [.. paragraphs]);

            Narration.Section(console, "Try next",
                "This world is deterministic and known, so a seed changes nothing here. Lesson 03 learns values from sampled " +
                "episodes with no model; lesson 04 learns action values by trial and error, and the cliff experiment repeats it over many runs:");
            Narration.Display(console,
                "dotnet run --project src/Policywerk.Shell -- lesson 3",
                "dotnet run --project src/Policywerk.Shell -- lesson 4",
                "dotnet run --project src/Policywerk.Shell -- experiment cliff");
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
            var theta = plot.Add.HorizontalLine(Math.Log10(config.Theta), 1.5f, Palette.Negative, LinePattern.Dashed);
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
