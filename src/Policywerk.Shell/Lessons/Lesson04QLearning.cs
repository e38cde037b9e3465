using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Models;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using ScottPlot;
using Spectre.Console;
using Color = ScottPlot.Color;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Lessons;

/// <summary>Mean reward per episode over episodes From…To (1-based, inclusive).</summary>
public sealed record RewardBlock(int From, int To, double QLearning, double Sarsa);

/// <summary>A greedy walk from the start: steps, reward, mean row (0 = top), the moves and the grid it traces.</summary>
public sealed record GreedyRoute(int Steps, double Reward, bool ReachedGoal, double MeanRow, string Moves, IReadOnlyList<string> Grid);

/// <summary>Lesson 04's printed results as data.</summary>
public sealed record QLearningResults(
    double Alpha, double Gamma, double Epsilon, int Episodes,
    IReadOnlyList<RewardBlock> RewardPer50, double LastFiftyQLearning, double LastFiftySarsa,
    GreedyRoute QLearningGreedy, GreedyRoute SarsaGreedy);

/// <summary>Lesson 04 · Watkins 1989: Q-learning against SARSA on the cliff (<see cref="GridMaps.Cliff"/>), or on another
/// grid map (<c>--map</c>).</summary>
public sealed class Lesson04QLearning(CliffConfig config, NamedMap map) : ILesson, IMappableLesson
{
    public static readonly CliffConfig Config = new(Episodes: 500, Control: new ControlConfig(Alpha: 0.5, Gamma: 1.0, Epsilon: 0.1));

    /// <summary>The columns of the run's log (docs/logs.md): one row per agent and training episode.</summary>
    public static readonly IReadOnlyList<string> LogColumns = ["agent", "episode", "reward", "steps"];

    public Lesson04QLearning() : this(Config, GridMaps.Cliff) { }

    public Lesson04QLearning(CliffConfig config) : this(config, GridMaps.Cliff) { }

    public NamedMap Map => map;

    public ILesson WithMap(NamedMap other) => new Lesson04QLearning(config, other);

    /// <summary>The knobs of <see cref="CliffConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(CliffConfig.Knobs, Config);

    /// <summary>The lesson with <paramref name="values"/> set (names checked by the caller against <see cref="Settings"/>).</summary>
    public ILesson With(IReadOnlyList<(string Name, double Value)> values) =>
        new Lesson04QLearning(KnobSet.Apply(CliffConfig.Knobs, config, values), map);

    public LessonInfo Info => Catalog.Info(4);

    /// <summary>The worked example is the update with the largest TD error in this many last episodes.</summary>
    private const int WorkedExampleEpisodes = 50;

    /// <summary>Keys of <c>Key.FromSeed(seed).Split(3)</c>: Q-learning, SARSA, the greedy walks.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var keys = Key.FromSeed(seed).Split(3);
        var world = World;
        var qLearning = Cliff.Train(ControlMethod.QLearning, config, keys[0], keepEpisodes: true, world);
        progress.Report(0.5);
        var sarsa = Cliff.Train(ControlMethod.Sarsa, config, keys[1], world: world);
        var run = new Run(config, map, world, keys, qLearning, sarsa,
            Greedy(world, qLearning.Q, keys[2]), Greedy(world, sarsa.Q, keys[2]),
            Cliff.LargestError(qLearning, config, WorkedExampleEpisodes));
        progress.Report(1.0);
        return run;
    }

    /// <summary>The greedy walk from the start the lesson evaluates a Q table with (ties broken with <paramref name="key"/>),
    /// at most 200 steps or four per cell.</summary>
    internal static GreedyEvaluation Greedy(CliffWorld world, QTable q, Key key) =>
        Cliff.Greedy(q, key, MaxGreedySteps(world), world);

    /// <summary>The longest greedy walk: 200 steps, or four per cell on a larger map.</summary>
    internal static int MaxGreedySteps(CliffWorld world) => Math.Max(200, 4 * world.Grid.StateCount);

    /// <summary>The key of the greedy walks of <c>lesson 4 --seed</c> <paramref name="seed"/>.</summary>
    internal static Key GreedyKey(ulong seed) => Key.FromSeed(seed).Split(3)[2];

    /// <summary>The lesson's world on its map.</summary>
    internal CliffWorld World => new(new Gridworld(map.Map));

    private static readonly string[] Arrows = ["↑", "→", "↓", "←"];

    /// <summary>The move from one cell to the next as an action index (N, E, S, W); a move that is none of these (a
    /// bump into the border, a fall back to the start) counts as W.</summary>
    private static int MoveBetween(Gridworld grid, int from, int to)
    {
        for (var a = CliffWorld.North; a < CliffWorld.West; a++)
            if (grid.CellOf(from).Toward(a) == grid.CellOf(to)) return a;
        return CliffWorld.West;
    }

    internal sealed class Run(CliffConfig config, NamedMap map, CliffWorld world, ImmutableArray<Key> keys, ControlRun qLearning, ControlRun sarsa,
                             GreedyEvaluation qGreedy, GreedyEvaluation sarsaGreedy, WorkedExample? example) : ILessonRun, ITrainedRun<QTables>
    {
        /// <summary>Both learned Q tables.</summary>
        public QTables Model => new(qLearning.Q, sarsa.Q);

        public object Results => results.Value;
        private readonly Lazy<QLearningResults> results = new(() => ResultsOf(config, world.Grid, qLearning, sarsa, qGreedy, sarsaGreedy));

        /// <summary>The best return from S: value iteration on the grid's known model, undiscounted as the rewards are counted.</summary>
        private readonly Lazy<double> bestReturn = new(() =>
            Bellman.ValueIteration(world.Grid, new BellmanConfig(Gamma: 1.0, Theta: 1e-9)).Values[world.Grid.StartState]);

        private Gridworld Grid => world.Grid;

        /// <summary>The classic cliff: its texts and pictures are the lesson's own.</summary>
        private bool Classic => map == GridMaps.Cliff;

        private static QLearningResults ResultsOf(CliffConfig config, Gridworld grid, ControlRun qLearning, ControlRun sarsa, GreedyEvaluation qGreedy, GreedyEvaluation sarsaGreedy)
        {
            var c = config.ControlOrDefault;
            var blocks = Blocks.Of(config.Episodes, 50).Select(b => new RewardBlock(b.From + 1, b.Last + 1,
                Round(Blocks.Mean(qLearning.RewardPerEpisode, b), 1), Round(Blocks.Mean(sarsa.RewardPerEpisode, b), 1))).ToArray();
            return new QLearningResults(c.Alpha, c.Gamma, c.Epsilon, config.Episodes, blocks,
                blocks[^1].QLearning, blocks[^1].Sarsa, Route(grid, qGreedy), Route(grid, sarsaGreedy));
        }

        /// <summary>A cell as the route grids draw it: the map format's character (<see cref="GridMap.Symbol"/>), but for
        /// two that read better on a terminal: ░ for a cliff cell, · for a free one.</summary>
        private static char Symbol(Gridworld grid, int state) => grid.KindOf(state) switch
        {
            CellKind.Cliff => '░',
            CellKind.Empty => '·',
            var kind => GridMap.Symbol(kind),
        };

        internal static GreedyRoute Route(Gridworld world, GreedyEvaluation g)
        {
            var moves = string.Join(" ", g.Path.Zip(g.Path.Skip(1), (a, b) => Arrows[MoveBetween(world, a, b)]));
            var grid = new char[world.Rows][];
            for (var r = 0; r < world.Rows; r++)
                grid[r] = Enumerable.Range(0, world.Cols).Select(c => Symbol(world, world.IndexOf(new Cell(r, c)))).ToArray();
            for (var i = 0; i + 1 < g.Path.Length; i++)
                grid[world.CellOf(g.Path[i]).Row][world.CellOf(g.Path[i]).Col] = Arrows[MoveBetween(world, g.Path[i], g.Path[i + 1])][0];
            for (var s = 0; s < world.StateCount; s++)
                if (world.KindOf(s) == CellKind.Goal) grid[world.CellOf(s).Row][world.CellOf(s).Col] = 'G';
            return new GreedyRoute(g.Steps, g.Reward, g.ReachedGoal, Round(g.MeanRow, 2), moves,
                                   grid.Select(row => string.Join(' ', row)).ToArray());
        }

        private static string F(double x, string format = "0.0") => x.ToString(format, CultureInfo.InvariantCulture);

        /// <summary>A greedy walk's reward to two decimals, and a reward that rounds to 0 as 0, never "-0".</summary>
        internal static string RewardText(double x) => F(Math.Round(x, 2) == 0 ? 0.0 : x, "0.##");

        private static string RouteText(GreedyRoute r) =>
            $"{r.Steps} steps, reward {RewardText(r.Reward)}, mean row {F(r.MeanRow, "0.00")}{(r.ReachedGoal ? "" : " (did not reach the goal)")}";

        public Logs.RunLog Log => Logs.RunLog.Of(LogColumns, new[] { ("q_learning", qLearning), ("sarsa", sarsa) }
            .SelectMany(a => a.Item2.RewardPerEpisode.Select((reward, e) => new Logs.LogValue[] { a.Item1, e + 1, reward, a.Item2.StepsPerEpisode[e] })));

        public IReadOnlyList<Measure> Measures =>
        [
            new("Q-learning: reward, last 50", results.Value.LastFiftyQLearning, HigherIsBetter: true),
            new("SARSA: reward, last 50", results.Value.LastFiftySarsa, HigherIsBetter: true),
        ];

        public IEnumerable<string> Headline()
        {
            var s = results.Value;
            yield return $"episodes {s.RewardPer50[^1].From}–{s.RewardPer50[^1].To} mean reward: Q-learning {F(s.LastFiftyQLearning)}, SARSA {F(s.LastFiftySarsa)}";
            yield return $"greedy: Q-learning {RouteText(s.QLearningGreedy)}; SARSA {RouteText(s.SarsaGreedy)}";
        }

        public void Print(IAnsiConsole console)
        {
            var s = results.Value;
            console.Write(new Rule("[bold]Lesson 04 · Watkins 1989 — Q-learning vs SARSA on the cliff[/]").LeftJustified());
            console.MarkupLine(Classic
                ? "4×12 grid: start bottom-left, goal bottom-right, the 10 cells between are cliff (−100, back to start); every step −1."
                : Markup.Escape($"{Grid.Rows}×{Grid.Cols} grid ({map.Name}): {WorldSummary()}"));
            console.MarkupLine($"α = {s.Alpha}, γ = {s.Gamma}, {BehaviourSetting} ({BehaviourName} behaviour), {s.Episodes} episodes, Q₀ = {config.InitialQ}");
            console.WriteLine();
            Tables(console, s);
        }

        /// <summary>The tables of <see cref="Print"/> without its header.</summary>
        private void Tables(IAnsiConsole console, QLearningResults s)
        {
            var table = new Table().Title("[bold]Mean reward per 50 episodes[/]")
                .AddColumn("episodes").AddColumn(new TableColumn("Q-learning").RightAligned()).AddColumn(new TableColumn("SARSA").RightAligned());
            foreach (var b in s.RewardPer50)
                table.AddRow($"{b.From,3}–{b.To,3}", Better(F(b.QLearning), b.QLearning > b.Sarsa), Better(F(b.Sarsa), b.Sarsa >= b.QLearning));
            console.Write(table);
            var lastBlock = s.RewardPer50[^1];
            if (ClassicStory(s))
            {
                console.MarkupLine("While exploring, SARSA earns more: it learns the value of the ε-greedy policy it follows and keeps away from the edge;");
                console.MarkupLine("Q-learning learns the greedy policy's values, walks the edge, and its random steps drop it off the cliff.");
            }
            else
            {
                var gap = F(Math.Abs(lastBlock.QLearning - lastBlock.Sarsa));
                console.MarkupLine(Markup.Escape($"While {(Explores ? "exploring" : "learning")} (episodes {lastBlock.From}–{lastBlock.To}), " + (lastBlock.QLearning.CompareTo(lastBlock.Sarsa) switch
                {
                    > 0 => $"Q-learning earns {gap} more per episode than SARSA ({F(lastBlock.QLearning)} against {F(lastBlock.Sarsa)}).",
                    < 0 => $"SARSA earns {gap} more per episode than Q-learning ({F(lastBlock.Sarsa)} against {F(lastBlock.QLearning)}).",
                    _ => $"both earn {F(lastBlock.QLearning)} per episode.",
                })));
                console.MarkupLine(Markup.Escape(Explores
                    ? $"SARSA learns the value of the {BehaviourName} policy it follows; Q-learning learns the greedy policy's values, whatever it does."
                    : NoExploration));
            }
            console.WriteLine();

            var greedy = new Table().Title("[bold]Greedy evaluation (no exploration), from the start[/]")
                .AddColumn("method").AddColumn(new TableColumn("steps").RightAligned()).AddColumn(new TableColumn("reward").RightAligned())
                .AddColumn(new TableColumn("mean row").RightAligned()).AddColumn("moves");
            greedy.AddRow("Q-learning", $"{s.QLearningGreedy.Steps}", RewardText(s.QLearningGreedy.Reward), F(s.QLearningGreedy.MeanRow, "0.00"), Markup.Escape(s.QLearningGreedy.Moves));
            greedy.AddRow("SARSA", $"{s.SarsaGreedy.Steps}", RewardText(s.SarsaGreedy.Reward), F(s.SarsaGreedy.MeanRow, "0.00"), Markup.Escape(s.SarsaGreedy.Moves));
            console.Write(greedy);
            if (s.QLearningGreedy.Grid[0].Length <= WideRoute) console.Write(RouteTable(s.QLearningGreedy, s.SarsaGreedy));
            else
            {
                console.Write(RouteTable(s.QLearningGreedy, null));
                console.Write(RouteTable(null, s.SarsaGreedy));
            }
            console.MarkupLine(Markup.Escape($"Greedy paths: Q-learning {RouteText(s.QLearningGreedy)}; SARSA {RouteText(s.SarsaGreedy)} (row 0 is the top)."));
            if (!ClassicStory(s) && SafetyText() is { } safety) console.MarkupLine(Markup.Escape(safety));
        }

        /// <summary>The behaviour policy's setting as the header prints it: ε for ε-greedy, τ for softmax.</summary>
        private string BehaviourSetting => config.ControlOrDefault.Behaviour is Boltzmann b ? $"τ = {b.Temperature}" : $"ε = {config.ControlOrDefault.Epsilon}";

        /// <summary>The behaviour policy takes other actions than the greedy one: softmax, or ε-greedy with ε above 0.</summary>
        private bool Explores => config.ControlOrDefault.Behaviour is not EpsilonGreedy { Epsilon: 0.0 };

        /// <summary>What the two methods have in common when neither explores (ε = 0).</summary>
        private const string NoExploration =
            "With ε = 0 neither method explores: each takes the greedy action, so SARSA's target is Q-learning's and both learn the greedy policy's values.";

        /// <summary>The behaviour policy's name: ε-greedy, or softmax when a temperature τ is set.</summary>
        private string BehaviourName => config.ControlOrDefault.Behaviour is Boltzmann ? "softmax" : "ε-greedy";

        /// <summary>The cliff and pit cells: stepping in costs an exploring agent dearly.</summary>
        private bool IsHazard(Cell cell) =>
            cell.Row >= 0 && cell.Row < Grid.Rows && cell.Col >= 0 && cell.Col < Grid.Cols && Grid.KindOf(cell) is CellKind.Cliff or CellKind.Pit;

        /// <summary>How many of the free cells a greedy path stands on lie beside a cliff or pit cell (one random step
        /// from falling in): the fewer, the safer the path for an agent that explores.</summary>
        private int CellsBesideHazard(GreedyEvaluation g) =>
            g.Path.Distinct().Count(st => Grid.KindOf(st) == CellKind.Empty &&
                                          Enumerable.Range(0, Grid.ActionCount).Any(a => IsHazard(Grid.CellOf(st).Toward(a))));

        /// <summary>Which greedy path is the safer, by <see cref="CellsBesideHazard"/>; null on a map without cliff or pit, or
        /// when no step is random (ε = 0 on a map without slip).</summary>
        private string? SafetyText()
        {
            if (!Grid.Layout.Contains(CellKind.Cliff) && !Grid.Layout.Contains(CellKind.Pit)) return null;
            if (!Explores && Grid.Deterministic) return null; // no step is random: no cell is one random step from falling in
            var (q, sa) = (CellsBesideHazard(qGreedy), CellsBesideHazard(sarsaGreedy));
            string Cells(int n) => n == 1 ? "1 cell" : $"{n} cells";
            return q == sa
                ? q == 0 ? "Neither greedy path passes beside a cliff or pit cell."
                         : $"Both greedy paths stand on {Cells(q)} beside a cliff or pit cell, one random step from falling in."
                : $"{(q < sa ? "Q-learning" : "SARSA")}'s greedy path is the safer one: it stands on {Cells(Math.Min(q, sa))} beside a cliff or pit cell, " +
                  $"one random step from falling in; {(q < sa ? "SARSA" : "Q-learning")}'s on {Math.Max(q, sa)}.";
        }

        /// <summary>Steps of Q-learning's episodes <paramref name="block"/> that fell in: into a pit, or off the cliff
        /// (the cliff's reward, and back at the start).</summary>
        private int Falls(Block block) =>
            Blocks.Items(qLearning.Episodes, block).Sum(e => e.Steps.Count(t => Grid.KindOf(t.Next) == CellKind.Pit ||
                Grid.Layout.Contains(CellKind.Cliff) && t.Next == Grid.StartState && t.Reward == Grid.Map.CliffReward));

        /// <summary>The classic cliff's two sentences hold for this run: it explores ε-greedily, SARSA earns more in the
        /// last block, Q-learning's greedy path stands beside the cliff more often than SARSA's, and Q-learning fell off
        /// the cliff in those episodes.</summary>
        private bool ClassicStory(QLearningResults s)
        {
            var last = s.RewardPer50[^1];
            return Classic && config.ControlOrDefault.Behaviour is EpsilonGreedy && last.Sarsa > last.QLearning &&
                   CellsBesideHazard(qGreedy) > CellsBesideHazard(sarsaGreedy) && Falls(new Block(last.From - 1, last.To - last.From + 1)) > 0;
        }

        // ---------------------------------------------------------------- narrative

        private static readonly string[] ActionNames = ["N", "E", "S", "W"];

        private string Cell(int state) => $"({Grid.CellOf(state).Row},{Grid.CellOf(state).Col})";

        /// <summary>What another map than the classic cliff pays, in one sentence.</summary>
        private string WorldSummary()
        {
            var m = Grid.Map;
            string Signed(double x) => x > 0 ? "+" + N(x) : N(x);
            var parts = new List<string> { $"start S {Cell(Grid.StartState)}", $"goal G {Signed(m.GoalReward)} (ends)" };
            if (Grid.Layout.Contains(CellKind.Pit)) parts.Add($"pit X {Signed(m.PitReward)} (ends)");
            if (Grid.Layout.Contains(CellKind.Cliff)) parts.Add($"cliff {Signed(m.CliffReward)} (back to start)");
            if (Grid.Layout.Contains(CellKind.Wall)) parts.Add("walls #");
            parts.Add($"every other step {N(m.StepReward)}");
            if (!Grid.Deterministic) parts.Add($"slip {N(m.Slip)} (a move goes sideways with that chance, half to each side)");
            return string.Join(", ", parts) + ".";
        }

        private static string N(double x) => Narration.Number(x);


        public void Narrate(IAnsiConsole console)
        {
            var s = results.Value;
            var c = config.ControlOrDefault;
            console.Write(new Rule("[bold]Lesson 04 · Watkins 1989 — Q-learning vs SARSA on the cliff[/]").LeftJustified());
            Narration.Section(console, "The idea",
                "Lesson 03 learned the values of a fixed policy from experience. Watkins' Q-learning learns the value of each action, " +
                "Q(s,a), and with it the best policy, while the agent follows a different, exploring policy: its target bootstraps from " +
                "the best next action, max Q(s′,·), whatever the agent does next. That makes it off-policy. SARSA (Rummery and Niranjan " +
                "1994) bootstraps from the action the agent really takes next, so it learns the value of the exploring policy itself: " +
                $"on-policy. Both explore {(config.ControlOrDefault.Behaviour is Boltzmann b ? $"with softmax, τ = {N(b.Temperature)}" : "ε-greedily")}. " +
                "On a cliff the difference shows.");
            var grid = new List<string>();
            for (var r = 0; r < Grid.Rows; r++)
                grid.Add(string.Join(' ', Enumerable.Range(0, Grid.Cols).Select(col => Grid.IndexOf(new Cell(r, col)) switch
                {
                    var x when x == Grid.StartState => 'S',
                    var x => Symbol(Grid, x),
                })));
            Narration.Section(console, "The world", Classic
                ? $"A {CliffWorld.Rows}×{CliffWorld.Columns} grid (Sutton and Barto, Example 6.6). The agent starts at S {Cell(CliffWorld.Start)} and must reach " +
                  $"G {Cell(CliffWorld.Goal)}; it moves N, E, S or W. Every step costs {N(CliffWorld.StepReward)}. The {CliffWorld.Columns - 2} cells " +
                  $"between are cliff: stepping in costs {N(CliffWorld.CliffReward)} and sends the agent back to S. The episode ends at G. " +
                  "Rows are numbered from the top, so the cliff is row 3."
                : $"A {Grid.Rows}×{Grid.Cols} grid, the map {map.Name}; the agent moves N, E, S or W. Its cells: {WorldSummary()} " +
                  "A move into a wall or off the grid leaves the agent where it is. Rows are numbered from the top, starting at 0.");
            Narration.Display(console, [.. grid]);
            Narration.Section(console, "The update",
                $"After each step (s, a, r, s′) both methods move Q(s,a) a fraction α = {N(c.Alpha)} toward a target; d is 0 if s′ ends " +
                $"the episode, else 1, and γ = {N(c.Gamma)}. They differ only in what the next state is worth:");
            Narration.Display(console,
                "Q-learning:  Q(s,a) ← Q(s,a) + α [r + γ·d·max_a′ Q(s′,a′) − Q(s,a)]",
                "SARSA:       Q(s,a) ← Q(s,a) + α [r + γ·d·Q(s′,a′) − Q(s,a)]    a′ = the action taken next");
            Narration.Code(console, "src/Policywerk.Pure/Agents/TdControl.cs", "TdControl.Update");
            Narration.Code(console, "src/Policywerk.Pure/Agents/TdControl.cs", "TdControl.SarsaUpdate");
            if (example is { } e)
            {
                var q = e.QLearning;
                var sa = e.Sarsa;
                Narration.Section(console, "A worked example from this run",
                    $"The update with the largest TD error in Q-learning's last {WorkedExampleEpisodes} episodes: episode {e.Episode}, step {e.Step}. " +
                    $"In {Cell(q.State)} the agent went {ActionNames[q.Action]}, received {N(q.Reward)} and reached {Cell(q.Next)}" +
                    (Grid.Layout.Contains(CellKind.Cliff) && q.Next == Grid.StartState && q.Reward == Grid.Map.CliffReward ? ": it fell off the cliff and is back at the start" : "") +
                    (e.GreedyBefore != q.Action ? $" (an exploring step: the greedy action there was {ActionNames[e.GreedyBefore]})." : "."));
                Narration.Display(console,
                    $"Q({Cell(q.State)},{ActionNames[q.Action]}) ← Q + α·[r + γ·d·max Q(s′,·) − Q]",
                    $"    = {N(q.Value)} + {N(q.Alpha)}·({N(q.Reward)} + {N(q.Gamma)}·{N(q.Discount)}·{Narration.Factor(q.Tail)} − {Narration.Factor(q.Value)}) = {N(q.Updated)}");
                Narration.Text(console,
                    $"The TD error is δ = {N(q.Error)}" + (e.GreedyBefore == e.GreedyAfter
                        ? $"; the greedy action in {Cell(q.State)} stays {ActionNames[e.GreedyBefore]}."
                        : $"; the greedy action in {Cell(q.State)} turns from {ActionNames[e.GreedyBefore]} to {ActionNames[e.GreedyAfter]}.") +
                    (e.EndsEpisode ? "" : $" SARSA, on the same transition, bootstraps from the action the agent took next, {ActionNames[e.NextAction]} in {Cell(sa.Next)}" +
                        (e.TargetsDiffer ? ":" : ", which was the greedy one, so its target is the same:")));
                if (!e.EndsEpisode)
                    Narration.Display(console,
                        $"Q({Cell(sa.State)},{ActionNames[sa.Action]}) ← Q + α·[r + γ·d·Q(s′,a′) − Q]",
                        $"    = {N(sa.Value)} + {N(sa.Alpha)}·({N(sa.Reward)} + {N(sa.Gamma)}·{N(sa.Discount)}·{Narration.Factor(sa.Tail)} − {Narration.Factor(sa.Value)}) = {N(sa.Updated)}");
            }
            Narration.Section(console, "What the results mean");
            Tables(console, s);
            var lastRow = s.RewardPer50[^1];
            var last = new Block(lastRow.From - 1, lastRow.To - lastRow.From + 1); // the table's last row
            var qLast = Statistics.Summarize(Blocks.Items(qLearning.RewardPerEpisode, last).ToArray());
            var sLast = Statistics.Summarize(Blocks.Items(sarsa.RewardPerEpisode, last).ToArray());
            var sarsaAhead = sLast.Mean > qLast.Mean;
            var separated = sLast.Lower > qLast.Upper || qLast.Lower > sLast.Upper;
            string R(double x) => N(Math.Round(x, 1));
            var greedyOrder = s.QLearningGreedy.Reward > s.SarsaGreedy.Reward ? "Q-learning's is the better one"
                : s.QLearningGreedy.Reward < s.SarsaGreedy.Reward ? "SARSA's is the better one" : "they earn the same";
            var same = R(sLast.Mean) == R(qLast.Mean);
            Narration.Text(console,
                $"Over the last {last.Count} episodes " + (same
                    ? $"both earn {R(sLast.Mean)} per episode while {(Explores ? "exploring" : "learning")} "
                    : $"{(sarsaAhead ? "SARSA" : "Q-learning")} earns {R(Math.Abs(sLast.Mean - qLast.Mean))} more per episode while {(Explores ? "exploring" : "learning")} ") +
                $"(SARSA {R(sLast.Mean)} [{R(sLast.Lower)}, {R(sLast.Upper)}], Q-learning {R(qLast.Mean)} [{R(qLast.Lower)}, {R(qLast.Upper)}], 95% intervals " +
                "over those episodes)" + (same ? ". " : $", a difference {(separated ? "larger than" : "within")} the spread from episode to episode. ") +
                $"Without exploration, the greedy paths: Q-learning's takes {s.QLearningGreedy.Steps} steps for {N(Math.Round(s.QLearningGreedy.Reward, 3) == 0 ? 0.0 : s.QLearningGreedy.Reward)}, " +
                $"SARSA's {s.SarsaGreedy.Steps} steps for {N(Math.Round(s.SarsaGreedy.Reward, 3) == 0 ? 0.0 : s.SarsaGreedy.Reward)}; {greedyOrder}. " + (Classic && CellsBesideHazard(qGreedy) > CellsBesideHazard(sarsaGreedy)
                    ? "Q-learning learned the values of the greedy policy and walks the edge; SARSA learned the values of the exploring " +
                      "policy it follows, for which the edge is dangerous."
                    : !Explores ? NoExploration
                    : "Q-learning learned the values of the greedy policy; SARSA learned the values of the exploring policy it follows" +
                      (SafetyText() is not null ? ", which pays for every cell beside a pit or a cliff where a random step would fall in." : ".")));
            Narration.Section(console, "Try next",
                "The same comparison over 100 runs, against the book's Figure 6.4, and softmax exploration in place of ε-greedy:");
            Narration.Display(console,
                "dotnet run --project src/Policywerk.Shell -- experiment cliff",
                "dotnet run --project src/Policywerk.Shell -- experiment exploration",
                "dotnet run --project src/Policywerk.Shell -- lesson 4 --seed 7");
        }

        /// <summary>Route grids wider than this many characters are printed one below the other.</summary>
        private const int WideRoute = 40;

        /// <summary>The greedy paths side by side (either may be null: one alone, for wide maps).</summary>
        private static Table RouteTable(GreedyRoute? q, GreedyRoute? sarsa)
        {
            var table = new Table().Title(q is not null && sarsa is not null ? "[bold]The two greedy paths (░ cliff, G goal)[/]"
                                                                             : "[bold]Greedy path (░ cliff, G goal, X pit, # wall)[/]").AddColumn("row");
            if (q is not null) table.AddColumn("[blue]Q-learning[/]");
            if (sarsa is not null) table.AddColumn("[darkorange]SARSA[/]");
            var rows = (q ?? sarsa)!.Grid.Count;
            for (var r = 0; r < rows; r++)
            {
                var cells = new List<string> { $"{r}" };
                if (q is not null) cells.Add($"[blue]{Markup.Escape(q.Grid[r])}[/]");
                if (sarsa is not null) cells.Add($"[darkorange]{Markup.Escape(sarsa.Grid[r])}[/]");
                table.AddRow(cells.ToArray());
            }
            return table;
        }

        private static string Better(string text, bool better) => better ? $"[green]{text}[/]" : text;

        // ---------------------------------------------------------------- pictures

        private static readonly int[] Checkpoints = [1, 5, 10, 25, 50, 100, 250, 500];
        private const int Smoothing = 10;

        /// <summary>The classic cliff's reward axis stops here: the first episodes' means lie far below (a fall costs 100).</summary>
        private const int RewardFloor = -160;

        /// <summary>Greedy routes and Q tables after <paramref name="episodes"/> episodes: the same keys replay the first
        /// episodes exactly (a key's split is prefix-stable), so training for fewer episodes is the checkpoint.</summary>
        private (QTable Q, QTable Sarsa) After(int episodes) => episodes == config.Episodes
            ? (qLearning.Q, sarsa.Q)
            : (Cliff.Train(ControlMethod.QLearning, config with { Episodes = episodes }, keys[0], world: world).Q,
               Cliff.Train(ControlMethod.Sarsa, config with { Episodes = episodes }, keys[1], world: world).Q);

        public void WritePictures(PictureWriter writer)
        {
            var frames = new List<Composition>();
            var pane = Draw.CellPixels(Grid.Rows, Grid.Cols, ThreePane.Width / 2, ThreePane.TopHeight);
            var checkpoints = Checkpoints.Select(e => (Episode: e, Tables: After(e))).ToList();
            // one colour scale for the whole animation: a shade means the same value in every frame
            var shade = ShadeRange(checkpoints.SelectMany(c => new[] { c.Tables.Q, c.Tables.Sarsa }).ToList());
            foreach (var (e, (q, s)) in checkpoints)
            {
                var routes = new[] { Cliff.Greedy(q, keys[2], Grid.StateCount, world), Cliff.Greedy(s, keys[2], Grid.StateCount, world) };
                frames.Add(ThreePane.Compose(RoutePane($"Greedy routes after episode {e}", routes, int.MaxValue, pane, legend: true),
                                             ArrowPane($"Greedy actions after episode {e}", q, s, shade), TracePane(e)));
            }
            var final = new[] { qGreedy, sarsaGreedy };
            var longest = final.Max(g => g.Path.Length);
            var stride = Math.Max(2, (longest + 39) / 40); // at most about 40 walking frames
            // while walking, the action and trace panes stay the same: one plot each, drawn once
            var (arrows, trace) = (ArrowPane($"Greedy actions after episode {config.Episodes}", qLearning.Q, sarsa.Q, shade), TracePane(config.Episodes));
            for (var k = 0; k < longest; k += k + stride >= longest ? 1 : stride)
                frames.Add(ThreePane.Compose(RoutePane($"Walking greedily · step {k}", final, k, pane, legend: true), arrows, trace));
            writer.Gif("artifact.gif", frames, delayCs: 60, holdLastCs: 300);
            var (width, height) = PosterSize();
            writer.Png("poster.png", Panels.Render(RoutePane("The learned greedy paths", final, int.MaxValue,
                Draw.CellPixels(Grid.Rows + 1, Grid.Cols, width, height), legend: true), width, height));
            writer.Png("trace.png", Panels.Render(TracePane(config.Episodes, full: true), 900, 480));
        }

        /// <summary>900×420 for the classic cliff; for another map, cells of 24 to 80 pixels and a row more for the legend.</summary>
        private (int Width, int Height) PosterSize()
        {
            if (Classic) return (900, 420);
            var cell = Math.Clamp(900 / Math.Max(Grid.Rows, Grid.Cols), 24, 80);
            return (Grid.Cols * cell + 80, (int)((Grid.Rows + 1.1) * cell) + 90);
        }

        private static readonly Color[] MethodColours = [Palette.Accent, Palette.Second];
        private static readonly string[] MethodNames = ["Q-learning", "SARSA"];

        /// <summary>How much to shrink labels, lines and arrows for cells of <paramref name="cellPixels"/>: 1 for cells as large
        /// as the classic cliff's in the animation (38 pixels) or larger, in proportion below.</summary>
        private static float Scale(double cellPixels) => (float)Math.Min(1.0, cellPixels / 38);

        /// <summary>Cells smaller than this many pixels carry no text.</summary>
        private const double LabelPixels = 26;

        private Plot CliffGrid(string title, double cellPixels)
        {
            var plot = Draw.GridPlot(title, Grid.Rows, Grid.Cols);
            var k = Scale(cellPixels);
            var labels = cellPixels >= LabelPixels;
            for (var r = 0; r < Grid.Rows; r++)
                for (var c = 0; c < Grid.Cols; c++)
                {
                    var s = Grid.IndexOf(new Cell(r, c));
                    switch (Grid.KindOf(s))
                    {
                        case CellKind.Cliff: Draw.Cell(plot, r, c, Palette.Negative, c == Grid.Cols / 2 && labels ? "cliff" : null, Palette.White, 12 * k); break;
                        case CellKind.Goal: Draw.Cell(plot, r, c, Palette.Positive); break;
                        case CellKind.Pit: Draw.Cell(plot, r, c, Palette.Negative, "X", Palette.White, 15 * k, true); break;
                        case CellKind.Wall: Draw.Cell(plot, r, c, Palette.Wall); break;
                        default: Draw.Cell(plot, r, c, Palette.Neutral); break;
                    }
                }
            return plot;
        }

        /// <summary>The start's "S" (in its cell's lower-left corner) and the goals' "G" (upper-right), drawn last and
        /// away from the cell's centre, where the routes run and the agents stop, so neither covers them.</summary>
        private void StartAndGoalLabels(Plot plot, float k)
        {
            for (var s = 0; s < Grid.StateCount; s++)
            {
                var (r, c) = (Grid.CellOf(s).Row, Grid.CellOf(s).Col);
                if (s == Grid.StartState) Charts.Label(plot, "S", c + 0.08, -r - 0.92, Alignment.LowerLeft, 15 * k, Palette.Ink, bold: true);
                else if (Grid.KindOf(s) == CellKind.Goal) Charts.Label(plot, "G", c + 0.92, -r - 0.08, Alignment.UpperRight, 15 * k, Palette.White, bold: true);
            }
        }

        /// <summary>Both greedy routes on the grid (Q-learning drawn a little above the cell centres, SARSA a little
        /// below), walked up to step <paramref name="upTo"/>, with each agent where it stands.</summary>
        private Plot RoutePane(string title, IReadOnlyList<GreedyEvaluation> routes, int upTo, double cellPixels, bool legend = false)
        {
            var plot = CliffGrid(title, cellPixels);
            var k = Scale(cellPixels);
            for (var m = 0; m < routes.Count; m++)
            {
                var offset = m == 0 ? 0.12 : -0.12; // up-left for Q-learning, down-right for SARSA: shared moves stay visible
                var cells = routes[m].Path.Take(Math.Min(upTo, routes[m].Path.Length - 1) + 1)
                    .Select(s => new Coordinates(Grid.CellOf(s).Col + 0.5 - offset, -Grid.CellOf(s).Row - 0.5 + offset)).ToArray();
                if (cells.Length > 1)
                {
                    var line = plot.Add.ScatterLine(cells, MethodColours[m]);
                    line.LineWidth = 4 * k;
                    line.MarkerSize = 0;
                    if (legend) line.LegendText = RouteLegend(m, routes[m]);
                }
                var end = plot.Add.Marker(cells[^1], MarkerShape.FilledCircle, 14 * k, MethodColours[m]); // small: off the S and G corners
                if (legend && cells.Length == 1) end.LegendText = RouteLegend(m, routes[m]); // a route that never leaves S is its dot
            }
            StartAndGoalLabels(plot, k);
            if (legend)
            {
                plot.Axes.SetLimits(-0.05, Grid.Cols + 0.05, -Grid.Rows - 1.1, 0.05); // room for the legend below
                plot.Legend.Orientation = Orientation.Horizontal;
                plot.ShowLegend(Alignment.LowerCenter);
            }
            return plot;
        }

        /// <summary>"Q-learning: 13 steps, reward −12", or, for a greedy route that does not reach a goal, where it was cut off.</summary>
        private static string RouteLegend(int method, GreedyEvaluation route) =>
            route.ReachedGoal
                ? $"{MethodNames[method]}: {route.Steps} steps, reward {route.Reward:0.##}"
                : $"{MethodNames[method]}: no way to G yet, cut off after {route.Steps} steps";

        /// <summary>The greedy action in every cell, Q-learning's grid beside SARSA's (above it, when that leaves bigger
        /// cells); cells shaded by max_a Q(s, a).</summary>
        private Plot ArrowPane(string title, QTable q, QTable sarsa, (double Low, double High, double Scale) shade)
        {
            var stacked = Draw.CellPixels(2 * Grid.Rows + 2, Grid.Cols, ThreePane.Width / 2, ThreePane.TopHeight);
            var sideBySide = Draw.CellPixels(Grid.Rows + 1, 2 * Grid.Cols + 1, ThreePane.Width / 2, ThreePane.TopHeight);
            var above = stacked >= sideBySide;
            var plot = above ? Draw.GridPlot(title, 2 * Grid.Rows + 2, Grid.Cols) : Draw.GridPlot(title, Grid.Rows + 1, 2 * Grid.Cols + 1);
            var cellPixels = Math.Max(stacked, sideBySide);
            var k = Scale(cellPixels);
            var tables = new[] { q, sarsa };
            for (var m = 0; m < 2; m++)
            {
                var top = above ? m * (Grid.Rows + 1) + 1 : 1;
                var left = above ? 0 : m * (Grid.Cols + 1);
                Charts.Label(plot, $"{MethodNames[m]} (shade: max_a Q)", left + Grid.Cols / 2.0, -top + 0.5, Alignment.MiddleCenter, Math.Max(9f, 13 * k), MethodColours[m], bold: true);
                for (var r = 0; r < Grid.Rows; r++)
                    for (var c = 0; c < Grid.Cols; c++)
                    {
                        var s = Grid.IndexOf(new Cell(r, c));
                        switch (Grid.KindOf(s))
                        {
                            case CellKind.Cliff: Draw.Cell(plot, top + r, left + c, Palette.Negative); continue;
                            case CellKind.Goal: Draw.Cell(plot, top + r, left + c, Palette.Positive, "G", Palette.White, 12 * k, true); continue;
                            case CellKind.Pit: Draw.Cell(plot, top + r, left + c, Palette.Negative, "X", Palette.White, 12 * k, true); continue;
                            case CellKind.Wall: Draw.Cell(plot, top + r, left + c, Palette.Wall); continue;
                        }
                        var row = tables[m].Row(s);
                        Draw.Cell(plot, top + r, left + c, Draw.Diverging(tables[m].Max(s), shade.Scale));
                        if (row.ToArray().All(v => v == 0) || cellPixels < Draw.ArrowPixels) continue; // never visited, or too small
                        var best = Policies.Greedy(row, Key.FromSeed(0)).Value;
                        var (dr, dc) = new Cell(0, 0).Toward(best);
                        Draw.CellArrow(plot, top + r, left + c, dr, dc, Palette.Ink, k);
                    }
            }
            Charts.ColourBar(plot, shade.Low, shade.High, shade.Scale, "max_a Q(s, a) (the cliff: dark brown)", above ? Edge.Bottom : Edge.Right,
                             "+0.0;-0.0;0");
            return plot;
        }

        /// <summary>The range of max_a Q(s, a) over the free cells of <paramref name="tables"/>, and the largest |value|,
        /// where the shade saturates: one scale for every frame that draws these tables.</summary>
        private (double Low, double High, double Scale) ShadeRange(IReadOnlyList<QTable> tables)
        {
            var free = tables.SelectMany(t => Enumerable.Range(0, Grid.StateCount).Where(s => !Grid.IsInert(s)).Select(t.Max)).ToArray();
            return (free.Min(), free.Max(), Math.Max(1e-9, free.Max(Math.Abs)));
        }

        private Plot TracePane(int upTo, bool full = false)
        {
            var plot = Draw.TracePlot(full ? $"Reward per episode while learning ({BehaviourSetting}), trailing mean of {Smoothing}"
                                           : $"Reward per episode (trailing mean of {Smoothing})", "episode", "reward");
            var runs = new[] { qLearning, sarsa };
            for (var m = 0; m < 2; m++)
            {
                var smooth = Statistics.TrailingMean(runs[m].RewardPerEpisode.AsSpan(), Smoothing);
                var xs = Enumerable.Range(1, upTo).Select(i => (double)i).ToArray();
                Charts.Line(plot, xs, smooth.Take(upTo).ToArray(), MethodColours[m], MethodNames[m], 2f);
            }
            if (Classic)
            {
                var best = bestReturn.Value;
                var optimal = plot.Add.HorizontalLine(best, 1.2f, Palette.Positive, LinePattern.Dashed);
                optimal.LegendText = $"optimal path: {best.ToString("0.#", CultureInfo.InvariantCulture).Replace('-', '−')}";
                plot.Axes.SetLimits(0, config.Episodes + 1, RewardFloor, 5);
                plot.YLabel($"reward (axis cut at {RewardFloor})", 13);
            }
            else
            {
                var all = runs.SelectMany(r => Statistics.TrailingMean(r.RewardPerEpisode.AsSpan(), Smoothing)).ToArray();
                var (low, high) = (all.Min(), all.Max());
                var margin = Math.Max(0.05 * (high - low), 0.5);
                plot.Axes.SetLimits(0, config.Episodes + 1, low - margin, high + margin);
            }
            plot.ShowLegend(Alignment.LowerRight);
            return plot;
        }
    }
}
