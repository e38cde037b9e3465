using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Mdp;
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

/// <summary>Mean RMS error over episodes From…To (1-based, inclusive).</summary>
public sealed record RmsBlock(int From, int To, double TdZero, double MonteCarlo);

/// <summary>One walk state's final estimates.</summary>
public sealed record StateEstimate(string State, double True, double TdZero, double MonteCarlo);

/// <summary>Online TD(λ) on the same walks: the final RMS and the mean RMS over all episodes.</summary>
public sealed record LambdaRow(double Lambda, double FinalRms, double MeanRms);

/// <summary>Lesson 03's printed results as data.</summary>
public sealed record TemporalDifferenceResults(
    double Alpha, double Gamma, double InitialValue, int Episodes, string MonteCarlo,
    IReadOnlyList<RmsBlock> RmsPer20, double FinalRmsTdZero, double FinalRmsMonteCarlo,
    IReadOnlyList<StateEstimate> Estimates, IReadOnlyList<LambdaRow> TdLambda, double FinalRmsEveryVisitMonteCarlo);

/// <summary>Lesson 03 · Sutton 1988: TD(0), TD(λ) and Monte Carlo predicting the 5-state random walk.</summary>
public sealed class Lesson03TemporalDifference(PredictionConfig config) : ILesson
{
    /// <summary>The lesson's defaults; <see cref="PredictionConfig.Lambda"/> is the λ of the worked example.</summary>
    public static readonly PredictionConfig Config = new(Episodes: 100, Alpha: 0.1, Gamma: 1.0, InitialValue: 0.5, Lambda: 0.7);

    /// <summary>The λ of the TD(λ) table; a λ set with <c>--set lambda=…</c> joins them.</summary>
    public static readonly ImmutableArray<double> Lambdas = [0.0, 0.3, 0.7, 1.0];

    /// <summary>The columns of the run's log (docs/logs.md): one row per method and walk.</summary>
    public static readonly IReadOnlyList<string> LogColumns = ["method", "lambda", "episode", "steps", "reward", "rms"];

    public Lesson03TemporalDifference() : this(Config) { }

    /// <summary>The knobs of <see cref="PredictionConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(PredictionConfig.Knobs, Config);

    /// <summary>The lesson with <paramref name="values"/> set (names checked by the caller against <see cref="Settings"/>).</summary>
    public ILesson With(IReadOnlyList<(string Name, double Value)> values) =>
        new Lesson03TemporalDifference(KnobSet.Apply(PredictionConfig.Knobs, config, values));

    public LessonInfo Info => Catalog.Info(3);

    /// <summary>The lesson's hyperparameters (what a saved model's settings rebuild).</summary>
    internal PredictionConfig Configuration => config;

    /// <summary>Every method learns from the same walks: the walks come from the key alone.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var key = Key.FromSeed(seed);
        var tdZero = RandomWalkPrediction.Train(PredictionMethod.TdZero, config, key);
        var monteCarlo = RandomWalkPrediction.Train(PredictionMethod.MonteCarloFirstVisit, config, key);
        progress.Report(0.4);
        var everyVisit = RandomWalkPrediction.Train(PredictionMethod.MonteCarloEveryVisit, config, key);
        var lambdas = Lambdas.Append(config.Lambda).Distinct().Order().ToImmutableArray();
        var tdLambda = lambdas.Select(lambda =>
            RandomWalkPrediction.Train(PredictionMethod.TdLambda, config with { Lambda = lambda }, key)).ToImmutableArray();
        progress.Report(1.0);
        return new Run(config, lambdas, tdZero, monteCarlo, everyVisit, tdLambda);
    }

    private sealed class Run(PredictionConfig config, ImmutableArray<double> lambdas, PredictionRun tdZero, PredictionRun monteCarlo,
                             PredictionRun everyVisit, ImmutableArray<PredictionRun> tdLambda) : ILessonRun, ITrainedRun<WalkEstimates>
    {
        /// <summary>Every method's final estimates: TD(0), first- and every-visit Monte Carlo, and TD(λ) for each λ.</summary>
        public WalkEstimates Model =>
            new([new(WalkEstimates.TdZero, null, tdZero.Final), new(WalkEstimates.MonteCarloFirstVisit, null, monteCarlo.Final),
                 new(WalkEstimates.MonteCarloEveryVisit, null, everyVisit.Final),
                 .. lambdas.Select((lambda, i) => new MethodEstimate(WalkEstimates.TdLambda, lambda, tdLambda[i].Final))]);

        private RandomWalk Walk { get; } = new(config.WalkSize);

        public object Results => Summary;
        private TemporalDifferenceResults Summary => summary ??= ResultsOf();
        private TemporalDifferenceResults? summary;

        private TemporalDifferenceResults ResultsOf()
        {
            var blocks = Blocks.Of(config.Episodes, 20).Select(b => new RmsBlock(b.From + 1, b.Last + 1,
                Round(Blocks.Mean(tdZero.RmsAfterEpisode, b)), Round(Blocks.Mean(monteCarlo.RmsAfterEpisode, b)))).ToArray();
            var truth = Walk.TrueValuesFor(config.Gamma);
            var estimates = Walk.WalkStates.Select(s => new StateEstimate(Walk.Label(s), Round(truth[s]), Round(tdZero.Final[s]), Round(monteCarlo.Final[s]))).ToArray();
            var rows = lambdas.Select((lambda, i) => new LambdaRow(lambda, Round(tdLambda[i].RmsAfterEpisode[^1]), Round(tdLambda[i].RmsAfterEpisode.Average()))).ToArray();
            return new TemporalDifferenceResults(config.Alpha, config.Gamma, config.InitialValue, config.Episodes, "first-visit",
                blocks, Round(tdZero.RmsAfterEpisode[^1]), Round(monteCarlo.RmsAfterEpisode[^1]), estimates, rows,
                Round(everyVisit.RmsAfterEpisode[^1]));
        }

        private static string F(double x, string format = "0.000") => x.ToString(format, CultureInfo.InvariantCulture);

        public Logs.RunLog Log => Logs.RunLog.Of(LogColumns,
            new[] { ("td0", (double?)null, tdZero), ("mc_first_visit", null, monteCarlo), ("mc_every_visit", null, everyVisit) }
                .Concat(lambdas.Select((lambda, i) => ("td_lambda", (double?)lambda, tdLambda[i])))
                .SelectMany(m => m.Item3.RmsAfterEpisode.Select((rms, e) => new Logs.LogValue[]
                {
                    m.Item1, m.Item2 is { } l ? l : Logs.LogValue.Empty, e + 1, m.Item3.Walks[e].Length, m.Item3.Walks[e].TotalReward, rms,
                })));

        public IReadOnlyList<Measure> Measures =>
        [
            new("TD(0): final RMS error", Summary.FinalRmsTdZero, HigherIsBetter: false),
            new("first-visit MC: final RMS error", Summary.FinalRmsMonteCarlo, HigherIsBetter: false),
            new("TD(λ) at the set λ: final RMS error", Summary.TdLambda.Single(l => l.Lambda == config.Lambda).FinalRms, HigherIsBetter: false),
        ];

        public IEnumerable<string> Headline()
        {
            var s = Summary;
            yield return $"final RMS error: TD(0) {F(s.FinalRmsTdZero)}, Monte Carlo (first-visit) {F(s.FinalRmsMonteCarlo)}; episodes 1–20: TD(0) {F(s.RmsPer20[0].TdZero)}, MC {F(s.RmsPer20[0].MonteCarlo)}";
            yield return "TD(λ) final RMS: " + string.Join(", ", s.TdLambda.Select(l => $"λ={F(l.Lambda, "0.#")} {F(l.FinalRms)}"));
        }

        public void Print(IAnsiConsole console)
        {
            var s = Summary;
            console.Write(new Rule("[bold]Lesson 03 · Sutton 1988 — TD(0), TD(λ) and Monte Carlo[/]").LeftJustified());
            console.MarkupLine("Random walk: 0 ← A B [bold]C[/] D E → +1, start C, left/right 50/50; true values 1/6 … 5/6.");
            console.MarkupLine($"α = {s.Alpha}, γ = {s.Gamma}, V₀ = {s.InitialValue}, {s.Episodes} walks; Monte Carlo is {s.MonteCarlo} (updates after each walk); every method sees the same walks.");
            console.WriteLine();
            Tables(console, s);
            console.MarkupLine("TD(0) moves one state per step toward the next state's estimate; Monte Carlo waits for the outcome and moves every visited state toward it:");
            console.MarkupLine("lower variance for TD, so lower error at a constant α. One seed is noisy: `experiment sutton88-fig3` and `sutton88-fig5` average 100 training sets.");
        }

        /// <summary>The tables of <see cref="Print"/> without its header and closing lines.</summary>
        private void Tables(IAnsiConsole console, TemporalDifferenceResults s)
        {
            var blocks = new Table().Title("[bold]RMS error, mean per 20 walks[/]")
                .AddColumn("episodes").AddColumn(new TableColumn("TD(0)").RightAligned()).AddColumn(new TableColumn("Monte Carlo").RightAligned());
            foreach (var b in s.RmsPer20)
                blocks.AddRow($"{b.From,3}–{b.To,3}", Colour(F(b.TdZero), b.TdZero <= b.MonteCarlo), Colour(F(b.MonteCarlo), b.MonteCarlo < b.TdZero));
            blocks.AddRow("[bold]final[/]", Colour(F(s.FinalRmsTdZero), s.FinalRmsTdZero <= s.FinalRmsMonteCarlo),
                          Colour(F(s.FinalRmsMonteCarlo), s.FinalRmsMonteCarlo < s.FinalRmsTdZero));
            console.Write(blocks);

            var estimates = new Table().Title("[bold]Final estimates vs true values[/]")
                .AddColumn("state").AddColumn(new TableColumn("true").RightAligned())
                .AddColumn(new TableColumn("TD(0)").RightAligned()).AddColumn(new TableColumn("Monte Carlo").RightAligned());
            foreach (var e in s.Estimates) estimates.AddRow(e.State, F(e.True), F(e.TdZero), F(e.MonteCarlo));
            console.Write(estimates);

            var accumulating = config.Trace == TraceKind.Accumulating;
            var lambdaTable = new Table().Title($"[bold]Online TD(λ), {(accumulating ? "accumulating" : "replacing")} traces, same walks[/]")
                .AddColumn(new TableColumn("λ").RightAligned()).AddColumn(new TableColumn("final RMS").RightAligned())
                .AddColumn(new TableColumn($"mean RMS over {s.Episodes} episodes").RightAligned()).AddColumn("");
            foreach (var l in s.TdLambda)
                lambdaTable.AddRow(F(l.Lambda, "0.0"), F(l.FinalRms), F(l.MeanRms),
                               l.Lambda == 0 ? "= TD(0)"
                               : l.Lambda != 1 ? ""
                               : accumulating ? $"every-visit MC: {F(s.FinalRmsEveryVisitMonteCarlo)}"
                               : $"first-visit MC: {F(s.FinalRmsMonteCarlo)}");
            console.Write(lambdaTable);
        }

        /// <summary>The λ of the worked example: the configuration's.</summary>
        private double ExampleLambda => config.Lambda;

        /// <summary>
        /// The worked example: in the TD(λ) run at <see cref="ExampleLambda"/>, the last walk that visits at least three
        /// different states, explained step by step from the values the run held before it; its last step is shown.
        /// </summary>
        private (int Walk, Trajectory<int, int> Steps, LambdaTerms Last) WorkedExample()
        {
            var run = tdLambda[lambdas.IndexOf(ExampleLambda)];
            var e = Enumerable.Range(0, run.Walks.Length).Reverse()
                .FirstOrDefault(i => run.Walks[i].Steps.Select(t => t.State).Distinct().Count() >= 3, run.Walks.Length - 1);
            var before = e == 0 ? Walk.InitialValues(config.InitialValue) : run.ValuesAfterEpisode[e - 1];
            var terms = TemporalDifference.ExplainLambdaEpisode(before, run.Walks[e], config.Alpha, config.Gamma, ExampleLambda, config.Trace);
            return (e + 1, run.Walks[e], terms[^1]);
        }

        private static string N(double x) => Narration.Number(x);

        /// <summary>A small change, to four decimals, with a real minus sign.</summary>
        private static string Small(double x) => x.ToString("0.0000", CultureInfo.InvariantCulture).Replace('-', '−');

        /// <summary>A value or trace of the worked example: up to four decimals, so its products can be checked by hand.</summary>
        private static string Four(double x) => x.ToString("0.####", CultureInfo.InvariantCulture).Replace('-', '−');

        private string EndLabel(int state) => state == Walk.LeftEnd ? "the left end" : "the right end";

        public void Narrate(IAnsiConsole console)
        {
            var s = Summary;
            console.Write(new Rule("[bold]Lesson 03 · Sutton 1988 — TD(0), TD(λ) and Monte Carlo[/]").LeftJustified());
            Narration.Section(console, "The idea",
                "How should a predictor learn when the true outcome only arrives at the end? Monte Carlo waits for the outcome, " +
                "then moves each prediction toward it. Temporal-difference (TD) learning does not wait. After every step it moves " +
                "the prediction of the state it just left toward the prediction of the state it just reached. The difference " +
                "between these two successive predictions is the TD error.",
                "Lesson 02's critic already learned from this error, inside a learner that also chose actions. Sutton (1988) studies " +
                "it on its own: there are no choices here, only predictions, and the true values are known, so we can measure " +
                "exactly how wrong each method is. TD(λ) also sends each error back to the states visited earlier, through " +
                "eligibility traces that fade by λ per step. λ = 0 is TD(0); λ = 1 behaves like Monte Carlo.");
            var key = Key.FromSeed(0); // the walk's steps do not use the key
            var leftReward = Walk.Step(1, RandomWalk.Left, key).Reward;
            var rightReward = Walk.Step(Walk.Size, RandomWalk.Right, key).Reward;
            var path = string.Join(" — ", Walk.WalkStates.Select(Walk.Label));
            Narration.Section(console, "The world",
                $"{Walk.Size} states in a row, {Walk.Label(Walk.WalkStates[0])} to {Walk.Label(Walk.WalkStates[^1])}, with an end on each side. " +
                $"Every walk starts at {Walk.Label(Walk.Start)} and steps left or right with probability ½ each, until it falls off an end. " +
                $"Leaving on the left pays {N(leftReward)}, leaving on the right pays {N(rightReward)}; every other step pays 0.");
            Narration.Display(console, $"[{N(leftReward)}] ← {path} → [+{N(rightReward)}]        start: {Walk.Label(Walk.Start)}");
            var truth = Walk.TrueValuesFor(config.Gamma); // printed as the table prints them: Round, then three decimals
            var start = $"Every method starts from V = {N(config.InitialValue)} and learns from the same {config.Episodes} walks.";
            if (config.Gamma == 1.0)
            {
                Narration.Text(console,
                    $"With γ = {N(config.Gamma)}, a state's true value is the chance that a walk from it ends on the right: " +
                    $"state i of {Walk.Size} has value i/{Walk.Size + 1}. {start}");
                Narration.Display(console, string.Join("   ", Walk.WalkStates.Select(st => $"{Walk.Label(st)} {st}/{Walk.Size + 1} = {N(Round(truth[st]))}")));
            }
            else
            {
                Narration.Text(console,
                    $"With γ = {N(config.Gamma)}, a state's true value is the outcome discounted by γ for every step it takes to arrive, " +
                    $"averaged over walks: less than the chance of ending on the right, and much less far from the right end. {start}");
                Narration.Display(console, string.Join("   ", Walk.WalkStates.Select(st => $"{Walk.Label(st)} {N(Round(truth[st]))}")));
            }
            Narration.Section(console, "The update",
                $"After each step from s to s′ with reward r, with α = {N(config.Alpha)}, γ = {N(config.Gamma)} and c the continuation " +
                "(0 when the walk ends, so an end's value never counts):");
            Narration.Display(console,
                "δ = r + γ·c·V(s′) − V(s)                      the TD error",
                "TD(0):  V(s) ← V(s) + α·δ                     only the state just left",
                config.Trace == TraceKind.Accumulating ? "TD(λ):  e ← γλ·e, then e(s) ← e(s) + 1        accumulating traces"
                                                       : "TD(λ):  e ← γλ·e, then e(s) ← 1               replacing traces",
                "        V(x) ← V(x) + α·δ·e(x)  for every state x",
                "Monte Carlo, after the walk:  V(s) ← V(s) + α·(G − V(s)),  G the outcome (first visits only)");
            Narration.Code(console, "src/Policywerk.Pure/Agents/TemporalDifference.cs", "TemporalDifference.TdZero");
            Narration.Code(console, "src/Policywerk.Pure/Agents/TemporalDifference.cs", "TemporalDifference.TdLambda");
            Narration.Code(console, "src/Policywerk.Pure/Agents/TemporalDifference.cs", "TemporalDifference.MonteCarlo");

            var (number, walk, t) = WorkedExample();
            var route = string.Join(" → ", walk.Steps.Select(x => Walk.Label(x.State)).Append(t.Next == Walk.RightEnd ? $"+{N(rightReward)}" : N(leftReward)));
            var gl = t.Gamma * t.Lambda;
            var accumulating = config.Trace == TraceKind.Accumulating;
            Narration.Section(console, "A worked example from this run",
                $"The rule: with λ = {N(t.Lambda)}, take the last walk that visits at least three different states, and its last step. " +
                $"That is walk {number} of {config.Episodes}: {route}. " +
                $"The last step leaves {Walk.Label(t.State)} for {EndLabel(t.Next)} with r = {N(t.Reward)}; the walk is over, so c = {N(t.Discount)}.");
            Narration.Display(console,
                $"δ = r + γ·c·V(s′) − V(s) = {N(t.Reward)} + {N(t.Gamma)}·{N(t.Discount)}·{Four(t.NextValue)} − {Four(t.Value)} = {Four(t.TdError)}");
            Narration.Text(console,
                $"The traces fade by γλ = {N(gl)}, and {Walk.Label(t.State)}{(accumulating ? " gets +1" : "'s trace is reset to 1")}. Every state with a trace moves by α·δ·e:");
            var visits = walk.Steps.CountBy(x => x.State).ToDictionary();
            Narration.Display(console, t.Changed.Select(x =>
                $"{Walk.Label(x)}, {visits[x]} {(visits[x] == 1 ? "visit" : "visits")}: e = {(x == t.State && !accumulating ? "1" : $"{N(gl)}·{Four(t.TraceBefore[x])}{(x == t.State ? " + 1" : "")} = {Four(t.TraceAfter[x])}")}  " +
                $"ΔV = {N(t.Alpha)}·{Four(t.TdError)}·{Four(t.TraceAfter[x])} = {Small(t.Changes[x])}  V {Four(t.ValuesBefore[x])} → {Four(t.ValuesAfter[x])}").ToArray());
            var farthest = t.Changed.Where(x => x != t.State).OrderBy(x => t.TraceAfter[x]).FirstOrDefault(t.State);
            Narration.Text(console,
                $"A trace {(accumulating ? "gains 1" : "is set to 1")} at every visit and fades by γλ = {N(gl)} at every step, so the states visited often and recently " +
                $"carry most of the error. One error moves {t.Changed.Length} states at once. TD(0) would move only {Walk.Label(t.State)}, by α·δ = {Small(t.Alpha * t.TdError)}, " +
                $"and would reach {Walk.Label(farthest)} only in later walks, one step back at a time.");

            Narration.Section(console, "What the results mean");
            Tables(console, s);
            var methods = new List<(string Name, double Rms)> { ("TD(0)", s.FinalRmsTdZero) };
            methods.AddRange(s.TdLambda.Where(l => l.Lambda > 0).Select(l => ($"TD(λ = {N(l.Lambda)})", l.FinalRms)));
            methods.Add(("first-visit Monte Carlo", s.FinalRmsMonteCarlo));
            methods.Add(("every-visit Monte Carlo", s.FinalRmsEveryVisitMonteCarlo));
            var ranked = methods.OrderBy(m => m.Rms).ToArray();
            var (best, next) = (ranked[0], ranked[1]);
            var mc = methods.Where(m => m.Name.Contains("Monte Carlo")).MinBy(m => m.Rms);
            var tied = ranked.Where(m => m.Rms == best.Rms).Select(m => m.Name).ToArray();
            Narration.Text(console,
                (tied.Length > 1 ? $"After {s.Episodes} walks, {string.Join(" and ", tied)} share the lowest final RMS error, {F(best.Rms)}. "
                                 : $"After {s.Episodes} walks, {best.Name} has the lowest final RMS error: {F(best.Rms)}, {F(next.Rms - best.Rms)} below the next best, {next.Name} ({F(next.Rms)}). ") +
                (best.Name.Contains("Monte Carlo") ? "" : $"The better Monte Carlo method, {mc.Name}, ends at {F(mc.Rms)}: {F(mc.Rms - best.Rms)} higher. ") +
                $"Over the first {s.RmsPer20[0].To} walks TD(0) averages {F(s.RmsPer20[0].TdZero)} and first-visit Monte Carlo {F(s.RmsPer20[0].MonteCarlo)}. " +
                "These are one seed's walks; the experiments below average 100 training sets.");
            Narration.Section(console, "Try next",
                "Another seed, and Sutton's own figures: error against λ when a small training set is presented until nothing changes, " +
                "and error against α for each λ after one presentation:");
            Narration.Display(console,
                "dotnet run --project src/Policywerk.Shell -- lesson 3 --seed 7",
                "dotnet run --project src/Policywerk.Shell -- experiment sutton88-fig3",
                "dotnet run --project src/Policywerk.Shell -- experiment sutton88-fig5");
        }

        private static string Colour(string text, bool better) => better ? $"[green]{text}[/]" : text;

        // ---------------------------------------------------------------- pictures

        public void WritePictures(PictureWriter writer)
        {
            var frames = new List<Composition>();
            var initial = Walk.InitialValues(config.InitialValue);
            foreach (var e in new[] { 1, 2 }.Where(e => e <= config.Episodes))
            {
                // TD(0) learns during the walk: replay its updates step by step; Monte Carlo only at the end.
                var walk = tdZero.Walks[e - 1];
                var td = e == 1 ? initial : tdZero.ValuesAfterEpisode[e - 2];
                var mc = e == 1 ? initial : monteCarlo.ValuesAfterEpisode[e - 2];
                var shown = Math.Min(walk.Length, 6);
                var tdStart = td;
                var tdAfter = new VTable[walk.Length];
                for (var k = 0; k < walk.Length; k++) tdAfter[k] = td = TemporalDifference.TdZero(td, walk.Steps[k], config.Alpha, config.Gamma);
                for (var f = 1; f <= shown; f++)
                {
                    var k = (int)Math.Round((double)f * walk.Length / shown);
                    var last = k == walk.Length;
                    var step = walk.Steps[k - 1];
                    var before = k == 1 ? tdStart : tdAfter[k - 2];
                    var delta = step.Reward + config.Gamma * step.Discount * before[step.Next] - before[step.State];
                    var note = delta == 0 ? $"δ = 0 here: r = {N(step.Reward)}, V(s′) = V(s), so no bar moves" : null;
                    frames.Add(ThreePane.Compose(WalkPane(e, walk, k, note), ValuePane($"Estimates during walk {e}", tdAfter[k - 1],
                        last ? monteCarlo.ValuesAfterEpisode[e - 1] : mc), TracePane(last ? e : e - 1)));
                }
            }
            // Checkpoints at 5, 10, 20, 40, 60, 80 and 100% of the walks.
            foreach (var e in new[] { 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0 }.Select(f => Math.Max(1, (int)Math.Round(f * config.Episodes))).Distinct())
                frames.Add(ThreePane.Compose(WalkPane(e, tdZero.Walks[e - 1], tdZero.Walks[e - 1].Length),
                    ValuePane($"Estimates after walk {e}", tdZero.ValuesAfterEpisode[e - 1], monteCarlo.ValuesAfterEpisode[e - 1]), TracePane(e)));
            writer.Gif("artifact.gif", frames, delayCs: 60, holdLastCs: 300);
            writer.Png("poster.png", Panels.Render(ValuePane($"After {config.Episodes} walks: estimates vs true values", tdZero.Final, monteCarlo.Final), 760, 560));
            writer.Png("trace.png", Panels.Render(FullTrace(), 900, 480));
        }

        /// <summary>The walk as a row of cells: terminals at both ends, the agent after <paramref name="steps"/> steps.</summary>
        private Plot WalkPane(int episode, Trajectory<int, int> walk, int steps, string? note = null)
        {
            var plot = new Plot();
            plot.HideAxesAndGrid();
            var done = steps == walk.Length;
            plot.Title($"Walk {episode} · step {steps} of {walk.Length}", 15);
            plot.Axes.SetLimits(-0.1, Walk.StateCount + 0.1, -3.6, 1.0);
            foreach (var s in Enumerable.Range(1, Walk.StateCount - 1)) // the cells' borders, continued down the trail
            {
                var guide = plot.Add.Line(s, -0.95, s, -2.85);
                guide.LineColor = Palette.CellLine.WithAlpha(0.4);
                guide.LineWidth = 1;
            }
            plot.Axes.SquareUnits();
            for (var s = 0; s < Walk.StateCount; s++)
            {
                var (fill, label, ink) = s == Walk.LeftEnd ? (Palette.Wall, "0", Palette.White)
                    : s == Walk.RightEnd ? (Palette.Positive, "+1", Palette.White)
                    : (Palette.Neutral, Walk.Label(s), Palette.Ink);
                Draw.Cell(plot, 0, s, fill, label, ink, 16, bold: true);
            }
            var position = steps == 0 ? Walk.Start : walk.Steps[steps - 1].Next;
            plot.Add.Marker(position + 0.5, 0.35, MarkerShape.FilledTriangleDown, 22, Palette.Walker);
            // the trail: one row per step, time running down, so the walk's path is a picture, not a line of text
            var visited = walk.Steps.Take(steps).Select(t => t.Next).Prepend(Walk.Start).ToArray();
            var (top, bottom) = (-1.35, -2.75);
            var dy = Math.Min(0.3, (top - bottom) / Math.Max(1, walk.Length));
            var trail = plot.Add.ScatterLine(visited.Select(v => v + 0.5).ToArray(), visited.Select((_, t) => top - t * dy).ToArray(), Palette.Walker);
            trail.LineWidth = 2;
            trail.MarkerSize = dy >= 0.1 ? 6 : 3;
            trail.MarkerColor = Palette.Walker;
            Charts.Label(plot, "the walk so far, time ↓", Walk.StateCount / 2.0, top + 0.2, Alignment.LowerCenter, 11);
            Charts.Label(plot, done ? $"outcome {(walk.Steps[^1].Next == Walk.RightEnd ? "+1" : "0")}: MC updates now" : "TD(0) updates after every step",
                         Walk.StateCount / 2.0, -3.3, Alignment.MiddleCenter, 13, done ? Palette.Second : Palette.Accent);
            if (note is not null && !done) Charts.Label(plot, note, Walk.StateCount / 2.0, -3.55, Alignment.UpperCenter, 11);
            return plot;
        }

        private Plot ValuePane(string title, VTable td, VTable mc)
        {
            var plot = new Plot();
            plot.Title(title, 15);
            plot.YLabel("V(s)", 13);
            Draw.FewTicks(plot);
            var truth = Walk.TrueValuesFor(config.Gamma);
            foreach (var s in Walk.WalkStates)
            {
                Bar(plot, s - 0.27, truth[s], Palette.Truth);
                Bar(plot, s, td[s], Palette.Accent);
                Bar(plot, s + 0.27, mc[s], Palette.Second);
            }
            plot.Axes.Bottom.SetTicks(Walk.WalkStates.Select(s => (double)s).ToArray(), Walk.WalkStates.Select(Walk.Label).ToArray());
            var shown = Walk.WalkStates.SelectMany(s => new[] { truth[s], td[s], mc[s] }).ToArray();
            plot.Axes.SetLimits(0.4, Walk.Size + 0.6, Math.Min(0, 1.08 * shown.Min()), Math.Max(1.08, 1.08 * shown.Max()));
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "true", FillColor = Palette.Truth });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "TD(0)", FillColor = Palette.Accent });
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Monte Carlo", FillColor = Palette.Second });
            plot.ShowLegend(Alignment.UpperLeft);
            return plot;
        }

        private static void Bar(Plot plot, double x, double value, Color color) =>
            plot.Add.Bar(new Bar { Position = x, Value = value, FillColor = color, Size = 0.25, LineWidth = 0 });

        private Plot TracePane(int upTo)
        {
            var plot = Draw.TracePlot("RMS error vs the true values, per walk", "walk", "RMS error");
            if (upTo > 0)
            {
                var xs = Enumerable.Range(1, upTo).Select(i => (double)i).ToArray();
                Charts.Line(plot, xs, tdZero.RmsAfterEpisode.Take(upTo).ToArray(), Palette.Accent, "TD(0)", markerSize: 4);
                Charts.Line(plot, xs, monteCarlo.RmsAfterEpisode.Take(upTo).ToArray(), Palette.Second, "Monte Carlo", markerSize: 4);
            }
            else // the same legend from the first frame on
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = "TD(0)", LineColor = Palette.Accent, LineWidth = 2 });
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = "Monte Carlo", LineColor = Palette.Second, LineWidth = 2 });
            }
            plot.Axes.SetLimits(0, config.Episodes + 1, 0, MaxRms());
            plot.ShowLegend(Alignment.UpperRight);
            OneSeedNote(plot, (config.Episodes + 1) / 2.0, 0.97 * MaxRms(), Alignment.UpperCenter);
            return plot;
        }

        /// <summary>Says, at (x, y), that these are one seed's walks and which experiment averages many.</summary>
        private static void OneSeedNote(Plot plot, double x, double y, Alignment alignment)
        {
            var experiment = new Policywerk.Shell.Experiments.Sutton88Figure5();
            Charts.Label(plot, $"one seed; experiment {experiment.Name} averages {experiment.DefaultRuns}", x, y, alignment, 11, Palette.Ink);
        }

        private double MaxRms() => 1.1 * tdLambda.Append(tdZero).Append(monteCarlo).Max(r => r.RmsAfterEpisode.Max());

        /// <summary>The full trace's smoothing: the mean of the last this many walks.</summary>
        private const int Smoothing = 10;

        private Plot FullTrace()
        {
            var plot = Draw.TracePlot($"RMS error, mean of the last {Smoothing} walks, same walks for every method\n" +
                                      "online TD(λ=1) updates during the walk, so it is not Monte Carlo", "walk", "RMS error");
            var xs = Enumerable.Range(1, config.Episodes).Select(i => (double)i).ToArray();
            double[] Smooth(PredictionRun r) => Statistics.TrailingMean(r.RmsAfterEpisode.ToArray(), Smoothing).ToArray();
            var (smoothLambda, smoothMonteCarlo) = (tdLambda.Select(Smooth).ToArray(), Smooth(monteCarlo));
            for (var i = 0; i < lambdas.Length; i++) // λ in order: light to dark
                Charts.Line(plot, xs, smoothLambda[i], Draw.Ramp(i, lambdas.Length),
                            lambdas[i] == 0 ? "TD(0) = TD(λ=0)" : $"TD(λ={F(lambdas[i], "0.0##")})", 2.5f);
            Charts.Line(plot, xs, smoothMonteCarlo, Palette.Second, "Monte Carlo (first-visit)", 2.5f).LinePattern = LinePattern.Dashed;
            var top = 1.6 * smoothLambda.Append(smoothMonteCarlo).Max(r => r.Max());
            plot.Axes.SetLimits(0, config.Episodes + 1, 0, top);
            plot.ShowLegend(Alignment.UpperRight);
            OneSeedNote(plot, 2, 0.97 * top, Alignment.UpperLeft);
            return plot;
        }
    }
}
