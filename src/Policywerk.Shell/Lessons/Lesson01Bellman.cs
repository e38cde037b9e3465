using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Models;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;
using Policywerk.Shell.Tables;

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

/// <summary>Lesson 01 · Bellman 1957: value iteration and policy iteration on a gridworld, by default the classic 5×5
/// one (<see cref="GridMaps.Classic"/>; <c>--map</c> picks another).</summary>
public sealed class Lesson01Bellman(BellmanConfig config, NamedMap map) : ILesson, IMappableLesson
{
    public static readonly BellmanConfig Config = new(Gamma: 0.9, Theta: 0.001);

    /// <summary>The columns of the run's log (docs/logs.md): one row per sweep of value iteration, then one per evaluation
    /// sweep of each policy-iteration cycle.</summary>
    public static readonly IReadOnlyList<string> LogColumns = ["algorithm", "cycle", "sweep", "max_change", "v_start", "policy_changes"];

    public Lesson01Bellman() : this(Config, GridMaps.Classic) { }

    public Lesson01Bellman(BellmanConfig config) : this(config, GridMaps.Classic) { }

    public NamedMap Map => map;

    public ILesson WithMap(NamedMap other) => new Lesson01Bellman(config, other);

    public LessonInfo Info => Catalog.Info(1);

    /// <summary>The knobs of <see cref="BellmanConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(BellmanConfig.Knobs, Config);

    public ILesson With(IReadOnlyList<(string Name, double Value)> values) =>
        new Lesson01Bellman(KnobSet.Apply(BellmanConfig.Knobs, config, values), map);

    /// <summary>The world is fully known, so the seed changes nothing here, but for the greedy walk on a slippery map.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var world = new Gridworld(map.Map);
        var vi = Bellman.ValueIteration(world, config);
        progress.Report(0.5);
        var pi = Bellman.PolicyIteration(world, config);
        var path = GreedyWalk(world, vi.Policy, Key.FromSeed(seed));
        progress.Report(1.0);
        return new Run(config, map, world, vi, pi, path, Key.FromSeed(seed));
    }

    /// <summary>The walk from the start that follows <paramref name="policy"/> (at most 100 steps, or one per state).</summary>
    internal static Trajectory<int, Move> GreedyWalk(Gridworld world, ImmutableArray<int> policy, Key key) =>
        Episodes.Run(world, (state, k) => new Draw<Move>((Move)policy[state], k), world.StartState, key,
                     maxSteps: Math.Max(100, world.StateCount));

    internal sealed class Run(BellmanConfig config, NamedMap map, Gridworld world, ValueIterationResult vi, PolicyIterationResult pi,
                             Trajectory<int, Move> path, Key walkKey) : ILessonRun, ITrainedRun<GridValues>
    {
        /// <summary>Value iteration's values and greedy policy (policy iteration's match them; the lesson prints whether).</summary>
        public GridValues Model => new(vi.Values, vi.Policy);

        private static readonly string[] Arrows = ["↑", "→", "↓", "←"];

        public object Results => results.Value;
        private readonly Lazy<BellmanResults> results = new(() => ResultsOf(config, world, vi, pi, path));

        /// <summary><see cref="ValueRange"/>, worked out once for every frame.</summary>
        private readonly Lazy<(double Low, double High)?> valueRange = new(() => ValueRange(world, vi));

        private static BellmanResults ResultsOf(BellmanConfig config, Gridworld world, ValueIterationResult vi, PolicyIterationResult pi,
                                                Trajectory<int, Move> path)
        {
            var difference = Bellman.MaxNormDistance(vi.Values, pi.Values);
            var policiesMatch = true;
            for (var s = 0; s < world.StateCount; s++)
                if (!world.IsInert(s) && vi.Policy[s] != pi.Policy[s]) policiesMatch = false;
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

        /// <summary>A free cell's value; another cell's map character (<see cref="GridMap.Symbol"/>), a wall doubled to "##".</summary>
        private static string CellText(Gridworld world, int s, ImmutableArray<double> values) => world.KindOf(s) switch
        {
            CellKind.Empty => Rounding.Signed(values[s], 3),
            CellKind.Wall => "##",
            var kind => GridMap.Symbol(kind).ToString(),
        };

        /// <summary>A free cell's policy arrow; another cell's map character (<see cref="GridMap.Symbol"/>).</summary>
        private static string ArrowText(Gridworld world, int s, ImmutableArray<int> policy) => world.KindOf(s) switch
        {
            CellKind.Empty => Arrows[policy[s]],
            var kind => GridMap.Symbol(kind).ToString(),
        };

        internal static string[] ValueRows(Gridworld world, ImmutableArray<double> values) =>
            Enumerable.Range(0, world.Rows).Select(r => string.Join(' ',
                Enumerable.Range(0, world.Cols).Select(c => CellText(world, r * world.Cols + c, values).PadLeft(6)))).ToArray();

        internal static string[] PolicyRows(Gridworld world, ImmutableArray<int> policy) =>
            Enumerable.Range(0, world.Rows).Select(r => string.Join(' ',
                Enumerable.Range(0, world.Cols).Select(c => ArrowText(world, r * world.Cols + c, policy)))).ToArray();

        internal static string PathText(Gridworld world, Trajectory<int, Move> path) =>
            string.Join(" ", path.Steps.Select(t => Arrows[(int)t.Action]))
            + $"  ({world.CellOf(path.Steps[0].State).Row},{world.CellOf(path.Steps[0].State).Col}) → "
            + $"({world.CellOf(path.Steps[^1].Next).Row},{world.CellOf(path.Steps[^1].Next).Col})";

        public Logs.RunLog Log => Logs.RunLog.Of(LogColumns,
            vi.Sweeps.Select(w => new Logs.LogValue[] { "value_iteration", Logs.LogValue.Empty, w.Number, w.MaxChange, w.Values[world.StartState], Logs.LogValue.Empty })
            .Concat(pi.Cycles.SelectMany(c => c.Evaluation.Sweeps.Select((w, k) => new Logs.LogValue[]
            {
                "policy_iteration", c.Number, k + 1, w.MaxChange, w.Values[world.StartState],
                k == c.Evaluation.Sweeps.Length - 1 ? c.Changes : Logs.LogValue.Empty, // the improvement follows the cycle's last sweep
            }))));

        public IReadOnlyList<Measure> Measures =>
        [
            new("value iteration: sweeps to converge", results.Value.ValueIterationSweeps, HigherIsBetter: false),
            new("V(start)", results.Value.StartValue, HigherIsBetter: true),
            new("policy iteration: cycles", results.Value.PolicyIterationCycles, HigherIsBetter: false),
        ];

        public IEnumerable<string> Headline()
        {
            var s = results.Value;
            yield return $"value iteration: {s.ValueIterationSweeps} sweeps{Capped(vi.Converged)}, V(start) = {s.StartValue:+0.000;-0.000;0.000}, greedy path {s.PathSteps} steps";
            yield return $"policy iteration: {s.PolicyIterationCycles} cycles{Capped(pi.Converged)}; values {(s.ValuesMatch ? "match" : "differ")}, policies {(s.PoliciesMatch ? "match" : "differ")}";
        }

        public void Print(IAnsiConsole console)
        {
            var s = results.Value;
            console.Write(new Rule("[bold]Lesson 01 · Bellman 1957 — value iteration and policy iteration[/]").LeftJustified());
            console.MarkupLine(map == GridMaps.Classic
                ? $"5×5 gridworld: goal [green]G[/] +1, pit [red]X[/] −1, wall [grey]##[/], every other move −0.04;  γ = {s.Gamma}, θ = {s.Theta}"
                : $"{world.Rows}×{world.Cols} gridworld ({Markup.Escape(map.Name)}): {string.Join(", ", Legend())};  γ = {s.Gamma}, θ = {s.Theta}");
            console.WriteLine();
            Tables(console, s);
        }

        /// <summary>What the map's cells pay, for the header of another map than the classic one.</summary>
        private IEnumerable<string> Legend()
        {
            yield return $"goal [green]G[/] {S(world.Map.GoalReward)}";
            if (world.Layout.Contains(CellKind.Pit)) yield return $"pit [red]X[/] {S(world.Map.PitReward)}";
            if (world.Layout.Contains(CellKind.Cliff)) yield return $"cliff [red]C[/] {S(world.Map.CliffReward)} (back to start)";
            if (world.Layout.Contains(CellKind.Wall)) yield return "wall [grey]##[/]";
            yield return $"every other move {N(world.Map.StepReward)}";
            if (!world.Deterministic) yield return $"slip {N(world.Map.Slip)}";
        }

        /// <summary>Nothing for a run that converged; for one the sweep cap stopped, a note that says so.</summary>
        private static string Capped(bool converged) => converged ? "" : " (stopped by the max_sweeps cap, not converged)";

        /// <summary>The ratios of consecutive largest changes, max |ΔV| of sweep k+1 over sweep k, where both are above 0.</summary>
        private double[] ShrinkRatios()
        {
            var changes = vi.Sweeps.Select(w => w.MaxChange).ToArray();
            return Enumerable.Range(1, Math.Max(0, changes.Length - 1)).Where(k => changes[k - 1] > 0 && changes[k] > 0)
                .Select(k => changes[k] / changes[k - 1]).ToArray();
        }

        /// <summary>Every ratio of consecutive largest changes is γ (within 1e-12), and there is one at least: the run shows
        /// the goal's reward carried one cell further per sweep, discounted once more each time. A slippery map mixes the
        /// outcomes and its ratios stray from γ; then this is false and the lesson does not claim it.</summary>
        private bool ShrinksByGamma() => ShrinkRatios() is { Length: > 0 } ratios && ratios.All(r => Math.Abs(r - config.Gamma) <= 1e-12);

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
            console.MarkupLine(!vi.Converged
                ? $"Stopped by the cap after [bold]{s.ValueIterationSweeps}[/] {Plural(s.ValueIterationSweeps, "sweep")} (max_sweeps = {config.MaxSweeps}), not converged: " +
                  $"the last change, {vi.Sweeps[^1].MaxChange.ToString("0.000000", CultureInfo.InvariantCulture)}, is not below θ = {N(config.Theta)}."
                : ShrinksByGamma()
                    ? $"Converged in [bold]{s.ValueIterationSweeps}[/] sweeps: each sweep carries the goal's reward one cell further, so the change shrinks by γ."
                    : $"Converged in [bold]{s.ValueIterationSweeps}[/] sweeps: the largest change fell below θ = {N(config.Theta)}.");
            console.WriteLine();

            WriteValues(console, vi.Converged ? "Value iteration: V*(s)" : $"Value iteration: V(s) after {vi.Sweeps.Length} sweeps, not converged", vi.Values);
            WritePolicy(console, "Value iteration: greedy policy", vi.Policy);
            console.MarkupLine($"V(start) = [bold]{s.StartValue:+0.000;-0.000;0.000}[/];  greedy path from the start: {s.PathSteps} steps, reward {s.PathReward:+0.00}:  {Markup.Escape(s.Path)}");
            console.WriteLine();

            var cycles = new Table().Title("[bold]Policy iteration: evaluate, then improve[/]")
                .AddColumn(new TableColumn("cycle").RightAligned())
                .AddColumn(new TableColumn("evaluation sweeps").RightAligned())
                .AddColumn(new TableColumn("states whose action changed").RightAligned());
            for (var i = 0; i < s.PolicyIterationCycles; i++)
                cycles.AddRow($"{i + 1}", $"{s.EvaluationSweepsPerCycle[i]}", $"{s.ChangesPerCycle[i]}");
            console.Write(cycles);
            console.MarkupLine(pi.Converged
                ? $"Converged in [bold]{s.PolicyIterationCycles}[/] cycles (the last one changes nothing)."
                : $"Stopped by the cap after [bold]{s.PolicyIterationCycles}[/] {Plural(s.PolicyIterationCycles, "cycle")} (max_sweeps = {config.MaxSweeps}), not converged: " +
                  $"the last cycle still changed {s.ChangesPerCycle[^1]} {(s.ChangesPerCycle[^1] == 1 ? "state" : "states")}.");
            var cappedEvaluations = pi.Cycles.Count(c => !c.Evaluation.Converged);
            if (cappedEvaluations > 0)
                console.MarkupLine($"{cappedEvaluations} of {pi.Cycles.Length} evaluations stopped at the cap of {config.MaxSweeps} {Plural(config.MaxSweeps, "sweep")} before their values settled.");
            console.WriteLine();
            WriteValues(console, "Policy iteration: V^π(s)", pi.Values);
            WritePolicy(console, "Policy iteration: policy", pi.Policy);

            var verdict = (s.ValuesMatch ? "[green]values match[/]" : "[red]values differ[/]")
                          + $" (max |V_VI − V_PI| = {s.MaxValueDifference:0.000000} {(s.ValuesMatch ? "<" : "≥")} θ)" + " · "
                          + (s.PoliciesMatch ? "[green]policies match[/]" : "[red]policies differ[/]");
            console.MarkupLine(verdict);
        }

        // ---------------------------------------------------------------- narrative

        private static readonly string[] ActionNames = ["N", "E", "S", "W"];

        private string CellName(int state) => $"({world.CellOf(state).Row},{world.CellOf(state).Col})";

        private static string N(double x) => Narration.Number(x);

        /// <summary>A change to three significant digits (at least three decimals), so that one just below θ does not
        /// print as θ: 0.000974, not 0.001.</summary>
        private static string Small(double x) =>
            x == 0 ? "0" : Math.Round(x, Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(x))), 3, 15))
                .ToString("0.###############", CultureInfo.InvariantCulture).Replace('-', '−');

        /// <summary>"sweep" or "sweeps", as <paramref name="n"/> asks.</summary>
        private static string Plural(int n, string word) => n == 1 ? word : word + "s";

        /// <summary>A reward with its sign: +1, −1.</summary>
        private static string S(double x) => x > 0 ? "+" + N(x) : N(x);

        /// <summary>A number inside a product, its sign written out: 0.9·(−0.209).</summary>

        /// <summary>The cells of one kind, as "(1,3)" or "(1,1) and (2,2)".</summary>
        private string CellsOf(CellKind kind)
        {
            var cells = Enumerable.Range(0, world.StateCount).Where(s => world.KindOf(s) == kind).Select(CellName).ToArray();
            if (cells.Length > 6) return $"({cells.Length} cells: {string.Join(", ", cells[..3])}, …)";
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
                    var x => world.KindOf(x) == CellKind.Empty ? '·' : GridMap.Symbol(world.KindOf(x)),
                })));
            var deterministic = Enumerable.Range(0, world.StateCount).All(st =>
                Enumerable.Range(0, world.ActionCount).All(a => world.Outcomes(st, a) is [{ Probability: 1.0 }]));
            bool Has(CellKind kind) => world.Layout.Contains(kind);
            int Count(CellKind kind) => world.Layout.Count(k => k == kind);
            Narration.Section(console, "The world",
                $"A {world.Rows}×{world.Cols} grid{(map == GridMaps.Classic ? "" : $" (the map {map.Name})")}. " +
                $"The agent starts at S {CellName(world.StartState)} and moves N, E, S or W. " +
                $"Entering {(Count(CellKind.Goal) > 1 ? "a goal G" : "the goal G")} {CellsOf(CellKind.Goal)} pays {S(world.Map.GoalReward)} and ends the episode. " +
                (Has(CellKind.Pit) ? $"Entering {(Count(CellKind.Pit) > 1 ? "a pit X" : "the pit X")} {CellsOf(CellKind.Pit)} pays {S(world.Map.PitReward)} and ends it too. " : "") +
                (Has(CellKind.Cliff) ? $"Stepping into the cliff C {CellsOf(CellKind.Cliff)} pays {S(world.Map.CliffReward)} and puts the agent back on S; the episode goes on. " : "") +
                (Has(CellKind.Wall) ? $"{(Count(CellKind.Wall) > 1 ? "The walls" : "The wall")} # {CellsOf(CellKind.Wall)} cannot be entered. " : "") +
                $"Every other move costs {N(world.Map.StepReward)}, " +
                $"also a move {(Has(CellKind.Wall) ? "into the wall or " : "")}off the grid, which leaves the agent where it is. " +
                (deterministic ? "Moves are deterministic: each P(s′|s,a) is 1 for one next state s′ and 0 for the rest. "
                               : $"Moves slip: with probability {N(world.Map.Slip)} the agent goes to one side instead of where it meant to, " +
                                 $"{N(world.Map.Slip / 2)} to each, so each action has three outcomes. ") +
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
            var ratios = ShrinkRatios();
            var byGamma = ShrinksByGamma();
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
                    (byGamma ? $" per sweep; γ = {N(gamma)}. Each sweep carries the goal's reward one cell further and discounts it once more. "
                             : $" per sweep, not exactly γ = {N(gamma)}. ") +
                    $"Sweep {changes.Length} " + (changes[^1] == 0 ? "changes no value at all" : $"changes the values by at most {Small(changes[^1])}") +
                    (vi.Converged ? $", which is less than θ = {N(config.Theta)}, so value iteration stops."
                                  : $", which is not less than θ = {N(config.Theta)}: the cap of {config.MaxSweeps} {Plural(config.MaxSweeps, "sweep")} (max_sweeps) " +
                                    "stopped value iteration before the values converged."));
            else if (!vi.Converged)
                paragraphs.Add($"The cap of {config.MaxSweeps} {Plural(config.MaxSweeps, "sweep")} (max_sweeps) stopped value iteration " +
                               $"before the values converged: the last change, {Small(changes[^1])}, is not less than θ = {N(config.Theta)}.");
            paragraphs.Add(
                $"The start is worth {N(startValue)}. The greedy path from there takes {path.Length} steps; its rewards, discounted " +
                $"by γ at each step, add up to {N(discounted)}" +
                (Math.Abs(discounted - startValue) < 1e-9 ? ", the same number: a value is the discounted reward of acting well from there. " : $", not the same number. ") +
                $"Policy iteration {(pi.Converged ? "needed" : "was stopped by the max_sweeps cap after")} {pi.Cycles.Length} cycles and " +
                $"{evaluationSweeps} evaluation sweeps in all against value iteration's " +
                $"{vi.Sweeps.Length} sweeps, and ends {(s.ValuesMatch && s.PoliciesMatch ? "at the same values and policy" : "elsewhere")}.");
            Narration.Text(console, [.. paragraphs]);

            Narration.Section(console, "Try next",
                (deterministic ? "This world is deterministic and known, so a seed changes nothing here. "
                               : "This world is known, so the seed only changes where the greedy walk slips. ") + "Lesson 03 learns values from sampled " +
                "episodes with no model; lesson 04 learns action values by trial and error, and the cliff experiment repeats it over many runs:");
            Narration.Display(console,
                "dotnet run --project src/Policywerk.Shell -- lesson 3",
                "dotnet run --project src/Policywerk.Shell -- lesson 4",
                "dotnet run --project src/Policywerk.Shell -- experiment cliff");
        }

        /// <summary>Maps up to this many columns print as tables; wider ones as compact text (values in hundredths).</summary>
        private const int TableColumns = 12;

        /// <summary>Maps up to this many columns print their values as compact text; wider ones only draw them.</summary>
        private const int CompactValueColumns = 20;

        private void WriteValues(IAnsiConsole console, string title, ImmutableArray<double> values)
        {
            if (world.Cols <= TableColumns) { console.Write(GridTable(title, world, c => ValueMarkup(world, c, values))); return; }
            if (world.Cols > CompactValueColumns)
            {
                console.MarkupLine($"[bold]{Markup.Escape(title)}[/]: {world.Cols} columns are too wide to print; the poster (poster.png) shows them.");
                return;
            }
            WriteCompact(console, $"{title} in hundredths (G goal, X pit, C cliff, # wall)", s => world.KindOf(s) switch
            {
                CellKind.Empty => Math.Round(values[s] * 100).ToString("0", CultureInfo.InvariantCulture),
                var kind => GridMap.Symbol(kind).ToString(),
            }, 4);
        }

        private void WritePolicy(IAnsiConsole console, string title, ImmutableArray<int> policy)
        {
            if (world.Cols <= TableColumns) { console.Write(GridTable(title, world, c => ArrowMarkup(world, c, policy))); return; }
            WriteCompact(console, title, s => world.KindOf(s) switch
            {
                CellKind.Empty => Arrows[policy[s]],
                var kind => GridMap.Symbol(kind).ToString(),
            }, 2);
        }

        /// <summary>A grid as lines of text, each cell right-aligned in <paramref name="width"/> characters.</summary>
        private void WriteCompact(IAnsiConsole console, string title, Func<int, string> cell, int width)
        {
            console.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
            for (var r = 0; r < world.Rows; r++)
                console.WriteLine(string.Concat(Enumerable.Range(0, world.Cols).Select(c => cell(r * world.Cols + c).PadLeft(width))));
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
            CellKind.Goal => $"[bold green]G {S(world.Map.GoalReward)}[/]",
            CellKind.Pit => $"[bold red]X {S(world.Map.PitReward)}[/]",
            CellKind.Cliff => "[red]C[/]",
            _ => $"[{(values[s] >= 0 ? "green" : "red")}]{Rounding.Signed(values[s], 3)}[/]",
        };

        private static string ArrowMarkup(Gridworld world, int s, ImmutableArray<int> policy) => world.KindOf(s) switch
        {
            CellKind.Wall => "[grey]##[/]",
            CellKind.Goal => "[bold green]G[/]",
            CellKind.Pit => "[bold red]X[/]",
            CellKind.Cliff => "[red]C[/]",
            _ => Arrows[policy[s]],
        };

        // ---------------------------------------------------------------- pictures

        /// <summary>At most this many sweeps are drawn as frames; a longer run shows every k-th sweep and the last.</summary>
        private const int MaxSweepFrames = 30;

        public void WritePictures(PictureWriter writer)
        {
            var frames = new List<Composition>();
            var zero = Policywerk.Pure.Immutable.Filled(world.StateCount, 0.0);
            var pane = Draw.CellPixels(world.Rows, world.Cols, ThreePane.Width / 2, ThreePane.TopHeight);
            frames.Add(Frame(zero, null, 0, pane));
            var every = (vi.Sweeps.Length + MaxSweepFrames - 1) / MaxSweepFrames;
            for (var k = 0; k < vi.Sweeps.Length; k++)
                if ((k + 1) % every == 0 || k == vi.Sweeps.Length - 1)
                    frames.Add(Frame(vi.Sweeps[k].Values, null, k + 1, pane));
            for (var hold = 0; hold < 3; hold++)
                frames.Add(Frame(vi.Values, vi.Policy, vi.Sweeps.Length, pane));
            writer.Gif("artifact.gif", frames, delayCs: 90, holdLastCs: 300);
            var (width, height) = PosterSize();
            writer.Png("poster.png", Panels.Render(ValuePane(vi.Values, vi.Policy, "Optimal values V* and greedy policy",
                                                             Draw.CellPixels(world.Rows, world.Cols, width, height), OwnRange(vi.Values)), width, height));
            writer.Png("trace.png", Panels.Render(TracePane(vi.Sweeps.Length, full: true), 900, 480));
        }

        /// <summary>720×660 for the classic 5×5 map; for another, cells of 24 to 110 pixels, the grid about 900 wide or high.</summary>
        private (int Width, int Height) PosterSize()
        {
            if (map == GridMaps.Classic) return (720, 660);
            var cell = Math.Clamp(900 / Math.Max(world.Rows, world.Cols), 24, 110);
            return (world.Cols * cell + 100, world.Rows * cell + 130);
        }

        private Composition Frame(ImmutableArray<double> values, ImmutableArray<int>? policy, int sweep, double cellPixels) =>
            ThreePane.Compose(
                WorldPane(cellPixels, policy is null ? GreedyWalk(world, Bellman.GreedyPolicy(world, values, config.Gamma), walkKey) : path,
                          policy is null ? $"after sweep {sweep}" : "final", values),
                ValuePane(values, policy, policy is null ? $"V after sweep {sweep}" : $"V* and greedy policy (sweep {sweep})", cellPixels),
                TracePane(sweep, full: false));

        /// <summary>Cells smaller than this many pixels carry no text (the colour says it).</summary>
        private const double LabelPixels = 26;

        /// <summary>Whether the greedy action in <paramref name="state"/> is a tie: another action's value is as high.</summary>
        private bool Tied(ImmutableArray<double> values, int state)
        {
            var q = Enumerable.Range(0, world.ActionCount).Select(a => Bellman.ActionValue(world, values, state, a, config.Gamma)).ToArray();
            var best = q.Max();
            return q.Count(v => v >= best - Bellman.TieTolerance) > 1;
        }

        /// <summary>The world with the greedy walk of the values <paramref name="when"/> (its path from S: decided steps dashed, tied steps dotted grey).</summary>
        private Plot WorldPane(double cellPixels, Trajectory<int, Move> walk, string when, ImmutableArray<double> values)
        {
            var reaches = walk.Length > 0 && walk.Steps[^1].Terminal;
            var tied = walk.Steps.Select(t => Tied(values, t.State)).ToArray();
            var ties = tied.Count(x => x);
            var note = ties == 0 ? "" : "\ndotted grey: values tie; the first of ↑→↓← taken";
            var plot = Draw.GridPlot((map == GridMaps.Classic ? $"Greedy path, {when}" : $"{map.Name}: greedy path, {when}")
                                     + (reaches ? "" : ": does not reach G yet") + note, world.Rows, world.Cols);
            var k = Draw.CellScale(cellPixels);
            var labels = cellPixels >= LabelPixels;
            for (var s = 0; s < world.StateCount; s++)
            {
                var (r, c) = world.CellOf(s);
                var (fill, label, ink) = world.KindOf(s) switch
                {
                    CellKind.Wall => (Palette.Wall, labels ? "wall" : "", Palette.White),
                    CellKind.Goal => (Palette.Positive, labels ? $"G {S(world.Map.GoalReward)}" : "G", Palette.White),
                    CellKind.Pit => (Palette.Negative, labels ? $"X {S(world.Map.PitReward)}" : "X", Palette.White),
                    CellKind.Cliff => (Palette.Negative, "C", Palette.White),
                    _ => (Palette.Neutral, s == world.StartState ? "S" : "", Palette.Ink),
                };
                Draw.Cell(plot, r, c, fill, label, ink, 15 * k, bold: true);
            }
            if (walk.Length == 0) return plot;
            // each step a segment: decided steps dashed blue, tied steps (the tie-break chose them) dotted grey
            Coordinates Centre(int state) { var (r, c) = world.CellOf(state); return new Coordinates(c + 0.5, -r - 0.5); }
            var segments = walk.Steps.Select((t, i) => (From: Centre(t.State), To: Centre(t.Next), Tied: tied[i], Goal: t.Terminal))
                .Where(x => x.From != x.To).ToArray(); // a bump into a wall stays put
            for (var i = 0; i < segments.Length; i++)
            {
                var (from, to, isTied, goal) = segments[i];
                // start at S's edge and stop at the goal's, so the route covers neither label
                if (i == 0) from = new Coordinates(from.X + 0.3 * (to.X - from.X), from.Y + 0.3 * (to.Y - from.Y));
                if (goal) to = new Coordinates(to.X + 0.45 * (from.X - to.X), to.Y + 0.45 * (from.Y - to.Y));
                var line = plot.Add.Line(from, to);
                line.LineColor = isTied ? Palette.Gray : Palette.Accent;
                line.LineWidth = 3 * k;
                line.LinePattern = isTied ? LinePattern.Dotted : LinePattern.Dashed;
            }
            return plot;
        }

        /// <summary>The smallest and largest value of an open cell in <paramref name="values"/>: the poster's colour bar.</summary>
        private (double Low, double High)? OwnRange(ImmutableArray<double> values) => OpenRange(world, [values]);

        private Plot ValuePane(ImmutableArray<double> values, ImmutableArray<int>? policy, string title, double cellPixels,
                               (double Low, double High)? ownRange = null)
        {
            var plot = Draw.GridPlot(title, world.Rows, world.Cols);
            var k = Draw.CellScale(cellPixels);
            var labels = cellPixels >= LabelPixels;
            var scale = Math.Max(1.0, Math.Max(Math.Abs(world.Map.GoalReward), Math.Abs(world.Map.PitReward)));
            for (var s = 0; s < world.StateCount; s++)
            {
                var (r, c) = world.CellOf(s);
                switch (world.KindOf(s))
                {
                    case CellKind.Wall: Draw.Cell(plot, r, c, Palette.Wall, labels ? "wall" : null, Palette.White, 13 * k); break;
                    case CellKind.Goal: Draw.Cell(plot, r, c, Palette.Positive, "G", Palette.White, 16 * k, true); break;
                    case CellKind.Pit: Draw.Cell(plot, r, c, Palette.Negative, "X", Palette.White, 16 * k, true); break;
                    case CellKind.Cliff: Draw.Cell(plot, r, c, Palette.Negative, "C", Palette.White, 16 * k, true); break;
                    default:
                        var label = Rounding.Signed(values[s], 2);
                        Draw.Cell(plot, r, c, Draw.Diverging(values[s], scale), policy is null && labels ? label : null, size: 14 * k);
                        if (policy is { } p && cellPixels >= Draw.ArrowPixels)
                        {
                            var (dr, dc) = p[s] switch { 0 => (-1, 0), 1 => (0, 1), 2 => (1, 0), _ => (0, -1) };
                            Draw.CellArrow(plot, r, c, dr, dc, Palette.Ink, k);
                            if (!labels) break;
                            var small = plot.Add.Text(label, c + 0.5, -r - 0.88);
                            small.Alignment = Alignment.MiddleCenter;
                            small.LabelFontSize = 11 * k;
                            small.LabelFontColor = Palette.Ink;
                        }
                        break;
                }
            }
            if ((ownRange ?? valueRange.Value) is { } range) Charts.ColourBar(plot, range.Low, range.High, scale, "value V(s)");
            return plot;
        }

        /// <summary>The smallest and largest value of an open cell over every sweep: one colour bar for the whole animation
        /// (null on a map without open cells).</summary>
        private static (double Low, double High)? ValueRange(Gridworld world, ValueIterationResult vi) =>
            OpenRange(world, vi.Sweeps.Select(w => w.Values).Append(vi.Values));

        /// <summary>The smallest and largest value of an open cell in any of <paramref name="tables"/> (null on a map without
        /// open cells).</summary>
        private static (double Low, double High)? OpenRange(Gridworld world, IEnumerable<ImmutableArray<double>> tables)
        {
            var open = Enumerable.Range(0, world.StateCount).Where(s => world.KindOf(s) == CellKind.Empty).ToArray();
            if (open.Length == 0) return null;
            var all = tables.SelectMany(v => open.Select(s => v[s])).ToArray();
            return (all.Min(), all.Max());
        }

        private Plot TracePane(int sweepsShown, bool full)
        {
            var plot = Draw.TracePlot(full ? "Value iteration converges: max |ΔV| per sweep (log scale)" : "max |ΔV| per sweep (log scale)",
                                      "sweep", "max |ΔV|");
            // a log axis has no 0: the line stops at the last positive change, and a sweep that changes nothing says so in words
            var positive = vi.Sweeps.Select(s => s.MaxChange).Where(c => c > 0).ToArray();
            var (low, high) = positive.Length > 0 ? (positive.Min(), positive.Max()) : (config.Theta, 1.0);
            var thetaShown = config.Theta >= low / 10; // θ is drawn when it lies within a decade of the changes
            if (thetaShown) low = Math.Min(low, config.Theta);
            var shown = vi.Sweeps.Take(sweepsShown).Select((s, i) => (X: i + 1.0, s.MaxChange)).ToArray();
            var drawn = shown.Where(p => p.MaxChange > 0).ToArray();
            if (drawn.Length > 0)
            {
                var line = plot.Add.ScatterLine(drawn.Select(p => p.X).ToArray(), drawn.Select(p => Math.Log10(p.MaxChange)).ToArray(), Palette.Accent);
                line.LineWidth = 2.5f;
                line.MarkerSize = 8;
            }
            var thetaText = $"θ = {config.Theta.ToString("0.######", CultureInfo.InvariantCulture)}";
            if (thetaShown)
                plot.Add.HorizontalLine(Math.Log10(config.Theta), 1.5f, Palette.Negative, LinePattern.Dashed).LegendText = thetaText;
            Draw.LogScaleY(plot, low, high);
            plot.Axes.SetLimitsX(0.5, vi.Sweeps.Length + 0.5);
            Draw.IntegerTicksX(plot);
            if (thetaShown) plot.ShowLegend(Alignment.UpperRight);
            else Charts.Label(plot, $"stops when max |ΔV| < {thetaText} (far below this axis)", vi.Sweeps.Length + 0.4, Math.Log10(high),
                              Alignment.UpperRight, 11, Palette.Negative);
            // a sweep that changes nothing is written in words at its x, at the bottom edge: a log axis has no 0
            var bottom = plot.Axes.GetLimits().Bottom;
            foreach (var (x, _) in shown.Where(p => p.MaxChange == 0))
            {
                plot.Add.Marker(x, bottom, MarkerShape.FilledTriangleDown, 12, Palette.Accent);
                Charts.Label(plot, $"sweep {x:0}: max |ΔV| = 0, converged (no 0 on a log axis)", x - 0.15, bottom, Alignment.LowerRight, 12).OffsetY = -4;
            }
            return plot;
        }
    }
}
