using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Models;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using ScottPlot;
using Spectre.Console;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Lessons;

/// <summary>Lesson 02's printed results as data.</summary>
public sealed record BartoSuttonResults(
    double Gamma, double ActorAlpha, double CriticBeta, double TraceDecay, double NoiseSigma, int Episodes,
    IReadOnlyList<int> EpisodeLengths, IReadOnlyList<double> MeanLengthPer10,
    int? FirstBalance, double Final10Mean, int EvaluationSteps,
    IReadOnlyList<string> ActorWeights, IReadOnlyList<string> CriticWeights);

/// <summary>One training episode: the model it started from and what happened.</summary>
public sealed record BalanceEpisode(int Number, BartoSuttonModel Before, Trajectory<BalanceState, int> Trajectory)
{
    public int Length => Trajectory.Length;
}

/// <summary>Lesson 02 · Barto, Sutton &amp; Anderson 1983: the ACE/ASE actor-critic balancing a cart-less pole.</summary>
public sealed class Lesson02BartoSutton(BartoSuttonConfig config) : ILesson
{
    public static readonly BartoSuttonConfig Config = new(Gamma: 0.95, ActorAlpha: 10.0, CriticBeta: 0.1, TraceDecay: 0.5, NoiseSigma: 0.1, Episodes: 100);

    /// <summary>Evaluation: the learned actor without noise, nothing learned (α = β = 0, σ = 0).</summary>
    private static BartoSuttonConfig EvaluationOf(BartoSuttonConfig c) => c with { ActorAlpha = 0, CriticBeta = 0, NoiseSigma = 0 };

    /// <summary>The columns of the run's log (docs/logs.md): one row per training episode.</summary>
    public static readonly IReadOnlyList<string> LogColumns = ["episode", "steps", "failed"];

    public Lesson02BartoSutton() : this(Config) { }

    /// <summary>The knobs of <see cref="BartoSuttonConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(BartoSuttonConfig.Knobs, Config);

    public ILesson With(IReadOnlyList<(string Name, double Value)> values) =>
        new Lesson02BartoSutton(KnobSet.Apply(BartoSuttonConfig.Knobs, config, values));
    private static readonly Balance World = new();

    public LessonInfo Info => Catalog.Info(2);

    /// <summary>The lesson's hyperparameters (what a saved model's settings rebuild).</summary>
    internal BartoSuttonConfig Configuration => config;

    /// <summary>Episode e learns from key e of <c>Key.FromSeed(seed).Split(101)</c>; the last key evaluates.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var keys = Key.FromSeed(seed).Split(config.Episodes + 1);
        var model = BartoSutton.Initial();
        var episodes = new BalanceEpisode[config.Episodes];
        for (var e = 0; e < config.Episodes; e++)
        {
            var learned = BartoSutton.Episode(config, World, model, keys[e]);
            episodes[e] = new BalanceEpisode(e + 1, model, learned.Trajectory);
            model = learned.Model;
            if (e % 10 == 9) progress.Report((e + 1.0) / config.Episodes);
        }
        var evaluation = Evaluation(config, model, keys[config.Episodes]);
        return new Run(config, episodes.ToImmutableArray(), model, evaluation);
    }

    /// <summary>The greedy evaluation: one episode of the learned actor without noise, nothing learned, from a start drawn
    /// with <paramref name="key"/>.</summary>
    internal static Trajectory<BalanceState, int> Evaluation(BartoSuttonConfig config, BartoSuttonModel model, Key key) =>
        BartoSutton.Episode(EvaluationOf(config), World, model, key).Trajectory;

    /// <summary>The key of the evaluation of <c>lesson 2 --seed</c> <paramref name="seed"/>: the last of the run's keys.</summary>
    internal static Key EvaluationKey(BartoSuttonConfig config, ulong seed) => Key.FromSeed(seed).Split(config.Episodes + 1)[config.Episodes];

    /// <summary>The pole world.</summary>
    internal static Balance Pole => World;

    // Box labels: bin i holds values below edge i (BartoSutton.Box).
    private static readonly string[] AngleBins = ["< −0.2", "−0.2…−0.1", "−0.1…0", "0…+0.1", "+0.1…+0.2", "≥ +0.2"];
    private static readonly string[] VelocityBins = ["< −1", "−1…−.5", "−.5…0", "0…+.5", "+.5…+1", "≥ +1"];

    internal sealed class Run(BartoSuttonConfig config, ImmutableArray<BalanceEpisode> episodes, BartoSuttonModel final,
                             Trajectory<BalanceState, int> evaluation) : ILessonRun, ITrainedRun<BartoSuttonModel>
    {
        /// <summary>The trained ACE/ASE weights (with the traces of the last episode, which the next episode clears).</summary>
        public BartoSuttonModel Model => final;

        private readonly int maxSteps = World.Constants.MaxSteps;

        public object Results => results.Value;
        private readonly Lazy<BartoSuttonResults> results = new(() => ResultsOf(config, episodes, final, evaluation));

        private static BartoSuttonResults ResultsOf(BartoSuttonConfig config, ImmutableArray<BalanceEpisode> episodes, BartoSuttonModel final,
                                                    Trajectory<BalanceState, int> evaluation)
        {
            var lengths = episodes.Select(e => e.Length).ToArray();
            var per10 = Blocks.Of(lengths.Length, 10).Select(b => Round(Blocks.Mean(lengths, b, l => l), 1)).ToArray();
            var first = episodes.FirstOrDefault(e => e.Length >= World.Constants.MaxSteps)?.Number;
            return new BartoSuttonResults(
                config.Gamma, config.ActorAlpha, config.CriticBeta, config.TraceDecay, config.NoiseSigma, config.Episodes,
                lengths, per10, first, Round(Blocks.Mean(lengths, Blocks.Last(lengths.Length, 10), l => l), 1), evaluation.Length,
                WeightRows(final.ActorWeights), WeightRows(final.CriticWeights));
        }

        private static string[] WeightRows(ImmutableArray<double> w) =>
            Enumerable.Range(0, BartoSutton.AngleBins).Select(r => string.Join(' ',
                Enumerable.Range(0, BartoSutton.VelocityBins).Select(c => Signed(w[r * BartoSutton.VelocityBins + c]).PadLeft(6)))).ToArray();

        private static string Signed(double x) => Rounding.Signed(x, 2);

        public Logs.RunLog Log => Logs.RunLog.Of(LogColumns, episodes.Select(e => new Logs.LogValue[] { e.Number, e.Length, e.Length < World.Constants.MaxSteps }));

        public IReadOnlyList<Measure> Measures =>
        [
            new("steps balanced, last 10 episodes", results.Value.Final10Mean, HigherIsBetter: true),
            new("steps balanced without noise", results.Value.EvaluationSteps, HigherIsBetter: true),
        ];

        public IEnumerable<string> Headline()
        {
            var s = results.Value;
            yield return $"first 500-step balance: {(s.FirstBalance is { } f ? $"episode {f}" : "never")}; final 10 episodes average {s.Final10Mean:0.#} steps";
            yield return $"greedy evaluation (no noise): {s.EvaluationSteps} steps";
        }

        public void Print(IAnsiConsole console)
        {
            var s = results.Value;
            console.Write(new Rule("[bold]Lesson 02 · Barto, Sutton & Anderson 1983 — ACE/ASE actor-critic[/]").LeftJustified());
            console.MarkupLine("A pole on a hinge (no cart): state (θ, θ̇) in 6 × 6 boxes; push left or right; |θ| > 0.3 rad fails, 500 steps succeeds.");
            console.MarkupLine($"γ = {s.Gamma}, actor α = {s.ActorAlpha}, critic β = {s.CriticBeta}, trace decay = {s.TraceDecay}, noise σ = {s.NoiseSigma}, {s.Episodes} episodes;  reinforcement 0 while balancing, −1 on failure");
            console.WriteLine();
            Tables(console, s);
        }

        /// <summary>The tables of <see cref="Print"/> without its header.</summary>
        private void Tables(IAnsiConsole console, BartoSuttonResults s)
        {
            var table = new Table().Title("[bold]Episode length (steps the pole stayed up), mean per 10 episodes[/]")
                .AddColumn("episodes").AddColumn(new TableColumn("mean steps").RightAligned()).AddColumn("");
            for (var i = 0; i < s.MeanLengthPer10.Count; i++)
            {
                var width = (int)Math.Round(40 * s.MeanLengthPer10[i] / maxSteps);
                table.AddRow($"{10 * i + 1,3}–{10 * i + 10,3}", s.MeanLengthPer10[i].ToString("0.0", CultureInfo.InvariantCulture),
                             $"[green]{new string('█', width)}[/][grey]{new string('·', 40 - width)}[/]");
            }
            console.Write(table);
            console.MarkupLine($"First 500-step balance: [bold]{(s.FirstBalance is { } f ? $"episode {f}" : "never")}[/]  (first ten: {string.Join(' ', s.EpisodeLengths.Take(10))});  "
                               + $"final 10 episodes average [bold]{s.Final10Mean:0.#}[/] steps;  greedy evaluation without noise: [bold]{s.EvaluationSteps}[/] steps");
            console.WriteLine();
            console.Write(WeightTable("ASE (actor) weights w: positive favours push right", final.ActorWeights));
            console.Write(WeightTable("ACE (critic) weights v: the predicted reinforcement (≤ 0: failure ahead)", final.CriticWeights));
            console.MarkupLine("Boxes the pole never visits keep weight 0; the outer boxes, visited just before a fall, carry the largest weights.");
        }

        // ---------------------------------------------------------------- narrative

        private static string N(double x) => Narration.Number(x);

        /// <summary>A box as its angle and angular-velocity bins.</summary>
        private static string BoxName(int box) =>
            $"θ {AngleBins[box / BartoSutton.VelocityBins]}, θ̇ {VelocityBins[box % BartoSutton.VelocityBins]}";

        /// <summary>The step that ends episode 1 (its fall, unless it balanced), explained on the model it met:
        /// the episode replayed with <see cref="BartoSutton.Learn"/> from the model it started with.</summary>
        private (BalanceEpisode Episode, BartoSuttonTerms Terms) WorkedExample()
        {
            var episode = episodes[0];
            var steps = episode.Trajectory.Steps;
            var m = BartoSutton.BeginEpisode(episode.Before, steps[0].State);
            for (var i = 0; i + 1 < steps.Length; i++) m = BartoSutton.Learn(config, m, steps[i]);
            return (episode, BartoSutton.Explain(config, m, steps[^1]));
        }

        public void Narrate(IAnsiConsole console)
        {
            var s = results.Value;
            var c = World.Constants;
            console.Write(new Rule("[bold]Lesson 02 · Barto, Sutton & Anderson 1983 — ACE/ASE actor-critic[/]").LeftJustified());
            Narration.Section(console, "The idea",
                "Lesson 01 knew the world's rules and computed values from them. Here nothing is known: the agent learns by trial and error, " +
                "and the only signal is a failure at the end of an episode. Barto, Sutton and Anderson split the learner in two " +
                "neuron-like elements. The critic (ACE, adaptive critic element) learns to predict failure, and turns each change " +
                "in its prediction into a reinforcement r̂ at every step. The actor (ASE, associative search element) chooses the " +
                "push and learns from r̂ which pushes were good. Both learn through eligibility traces: fading memories of the boxes " +
                "just visited. This is the ancestor of every actor-critic method, PPO in lesson 06 among them.");
            Narration.Section(console, "The world",
                $"A pole on a hinge (a cart-pole without the cart). Each step of {N(c.Dt)} s the agent pushes left or right. The state is " +
                $"the angle θ and the angular velocity θ̇, cut into {BartoSutton.AngleBins} × {BartoSutton.VelocityBins} = {BartoSutton.BoxCount} boxes; " +
                $"the learner only sees which box it is in. The pole falls when |θ| > {N(c.MaxAngle)} rad: the episode ends with " +
                $"reinforcement −1. Surviving {c.MaxSteps} steps ends the episode as a success (a time limit, not a failure). " +
                $"Every other step gives 0.");
            Narration.Section(console, "The update",
                $"With x(s) the box indicator, p = v·x the critic's prediction, y = 1 for a push right, trace decay {N(config.TraceDecay)}, " +
                $"γ = {N(config.Gamma)}, α = {N(config.ActorAlpha)} and β = {N(config.CriticBeta)}, after each step:");
            Narration.Display(console,
                "r̂ = r + γ·d·p(t) − p(t−1)           the critic's TD error (d = 0 after a fall)",
                "ē ← decay·ē + x(s);        v ← v + β·r̂·ē    (critic, ACE)",
                "e ← decay·e + (y − ½)·x(s); w ← w + α·r̂·e    (actor, ASE)");
            Narration.Code(console, "src/Policywerk.Pure/Agents/BartoSutton.cs", "BartoSutton.Learn");
            var (episode, t) = WorkedExample();
            var largest = t.Changes.OrderByDescending(x => Math.Abs(x.CriticChange)).Take(3).ToArray();
            Narration.Section(console, "A worked example from this run",
                $"The last step of episode 1 ({episode.Length} steps): " +
                (t.Reinforcement < 0 ? "the pole falls. " : "the pole survives. ") +
                $"The step started in the box {BoxName(t.Box)}, pushed {(t.Action == 1 ? "right" : "left")} and received r = {N(t.Reinforcement)}.");
            Narration.Display(console,
                $"r̂ = r + γ·d·p(t) − p(t−1) = {N(t.Reinforcement)} + {N(t.Gamma)}·{N(t.Discount)}·{N(t.Prediction)} − {N(t.PreviousPrediction)} = {N(t.TdError)}");
            Narration.Text(console,
                $"That one error moves the weights of every box with a trace: {t.Changes.Length} boxes here, the most recently visited the most. " +
                "The largest changes:");
            Narration.Display(console, largest.Select(x =>
                $"{BoxName(x.Box)}:  ē = {N(x.CriticTrace)}, Δv = β·r̂·ē = {N(x.CriticChange)};  e = {N(x.ActorTrace)}, Δw = α·r̂·e = {N(x.ActorChange)}").ToArray());
            Narration.Text(console,
                "The critic now expects failure in those boxes, and the actor is pushed away from the pushes that led there: a negative " +
                "Δw makes a push right less likely where e was positive (the agent had pushed right), and the other way round.");
            Narration.Section(console, "What the results mean");
            Tables(console, s);
            var first = s.EpisodeLengths.Take(10).Average();
            Narration.Text(console,
                $"The first ten episodes last {N(Math.Round(first, 1))} steps on average; " +
                (s.FirstBalance is { } f ? $"the pole first stays up for all {c.MaxSteps} steps in episode {f}, " : $"no episode reaches {c.MaxSteps} steps, ") +
                $"and the last ten average {N(s.Final10Mean)}. Without noise and without learning, the trained actor balances for {s.EvaluationSteps} steps.");
            Narration.Section(console, "Try next",
                "Another seed, and the same pole pushed with any torque by PPO's Gaussian actor:");
            Narration.Display(console,
                "dotnet run --project src/Policywerk.Shell -- lesson 2 --seed 7",
                "dotnet run -c Release --project src/Policywerk.Shell -- lesson 6");
        }

        private static Table WeightTable(string title, ImmutableArray<double> w)
        {
            var table = new Table().Title($"[bold]{Markup.Escape(title)}[/]").AddColumn("θ (rad) \\ θ̇ (rad/s)");
            foreach (var label in VelocityBins) table.AddColumn(new TableColumn(Markup.Escape(label)).RightAligned());
            for (var r = 0; r < BartoSutton.AngleBins; r++)
                table.AddRow([Markup.Escape(AngleBins[r]), .. Enumerable.Range(0, BartoSutton.VelocityBins).Select(c =>
                {
                    var x = w[r * BartoSutton.VelocityBins + c];
                    return x == 0 ? "[grey]0[/]" : $"[{(x > 0 ? "green" : "red")}]{Signed(x)}[/]";
                })]);
            return table;
        }

        // ---------------------------------------------------------------- pictures

        /// <summary>Episodes worth watching: the first (a fall), the longest fall before the first success, the first
        /// success and the last episode.</summary>
        private IReadOnlyList<(BalanceEpisode Episode, string Why)> Chosen()
        {
            var firstSuccess = episodes.FirstOrDefault(e => e.Length >= maxSteps);
            var beforeSuccess = episodes.Where(e => e.Number > 1 && (firstSuccess is null || e.Number < firstSuccess.Number))
                .OrderByDescending(e => e.Length).FirstOrDefault();
            return new (BalanceEpisode? Episode, string Why)[]
                {
                    (episodes[0], "shown: the first episode, before any learning"),
                    (beforeSuccess, firstSuccess is null ? "shown: the longest episode" : "shown: the longest fall before the first success"),
                    (firstSuccess, $"shown: the first episode to reach {maxSteps} steps"),
                    (episodes[^1], "shown: the last episode"),
                }
                .Where(c => c.Episode is not null).Select(c => (c.Episode!, c.Why))
                .DistinctBy(c => c.Item1.Number).OrderBy(c => c.Item1.Number).ToArray();
        }

        /// <summary>Color scale of the weight heatmaps: the largest weight of a box visited often enough to matter.</summary>
        private static double Scale(ImmutableArray<double> w) => Math.Max(0.5, w.Select(Math.Abs).Order().ElementAt(w.Length - 4));

        /// <summary>An episode up to this many steps is drawn at <see cref="FramesPerShort"/> evenly spaced steps.</summary>
        private const int ShortEpisode = 100;

        /// <summary>Frames of a short episode (before its end card).</summary>
        private const int FramesPerShort = 6;

        /// <summary>A long episode is drawn as a run of <see cref="RunFrames"/> frames <see cref="RunStride"/> steps apart from its
        /// start (the pole's real motion), then its last <see cref="EndSteps"/> steps one by one (a fall as it happens).</summary>
        private const int RunFrames = 7, RunStride = 3, EndSteps = 3;

        /// <summary>A frame whose pole moved less than this (rad) since the last one drawn, in the same box with the same
        /// push, is left out: it would look the same.</summary>
        private const double SameAngle = 0.004;

        /// <summary>The steps of an episode of <paramref name="length"/> steps drawn as frames (indices into its steps).</summary>
        internal static IReadOnlyList<int> StepsShown(int length, bool fell)
        {
            if (length <= ShortEpisode)
                return Enumerable.Range(0, FramesPerShort).Select(k => k * length / FramesPerShort).Distinct().ToArray();
            var run = Enumerable.Range(0, RunFrames).Select(k => k * RunStride);
            var end = fell ? Enumerable.Range(length - EndSteps, EndSteps) : [];
            return run.Concat(end).Where(i => i < length).Distinct().ToArray();
        }

        /// <summary>One frame of the animation: the pole's state, the push the actor chose there (none on the end card) and
        /// the box that state falls in, outlined on the weights.</summary>
        internal sealed record PoleFrame(BalanceEpisode Episode, string Why, BalanceState State, int? Action, int Box, string? Card);

        /// <summary>The animation's frames: each chosen episode's <see cref="StepsShown"/>, near-identical ones left out,
        /// and its end as a card.</summary>
        internal IReadOnlyList<PoleFrame> Frames()
        {
            var frames = new List<PoleFrame>();
            foreach (var (episode, why) in Chosen())
            {
                var steps = episode.Trajectory.Steps;
                var fell = episode.Length < maxSteps;
                PoleFrame? previous = null;
                foreach (var i in StepsShown(steps.Length, fell))
                {
                    var t = steps[i];
                    var frame = new PoleFrame(episode, why, t.State, t.Action, BartoSutton.Box(t.State), null);
                    if (previous is not null && previous.Box == frame.Box && previous.Action == frame.Action
                        && Math.Abs(previous.State.Angle - frame.State.Angle) < SameAngle) continue;
                    frames.Add(previous = frame);
                }
                var end = steps[^1].Next;
                frames.Add(new PoleFrame(episode, why, end, null, BartoSutton.Box(end),
                                         fell ? $"fell at step {episode.Length}" : $"balanced {maxSteps} steps"));
            }
            return frames;
        }

        /// <summary>The colour bar's range for every frame: the smallest and largest actor weight the frames show, and 0.</summary>
        internal (double Low, double High) WeightRange(IReadOnlyList<PoleFrame> frames)
        {
            var shown = frames.Select(f => f.Episode).Distinct().SelectMany(e => e.Before.ActorWeights).Append(0.0).ToArray();
            return (shown.Min(), shown.Max());
        }

        public void WritePictures(PictureWriter writer)
        {
            var frames = Frames();
            var range = WeightRange(frames);
            var scale = Scale(final.ActorWeights);
            var weights = new Dictionary<(int Episode, int Box), Plot>(); // only the outlined box moves: one plot per box, drawn once
            var compositions = frames.Select(f =>
            {
                if (!weights.TryGetValue((f.Episode.Number, f.Box), out var pane))
                    weights[(f.Episode.Number, f.Box)] = pane = WeightPane($"Actor weights at the start of episode {f.Episode.Number}",
                                                                           f.Episode.Before.ActorWeights, scale, f.Box, ActorMeaning, range);
                return ThreePane.Compose(PolePane(f), pane, TracePane(f.Episode.Number, f.Card is null ? f.State.Steps : null));
            }).ToList();
            writer.Gif("artifact.gif", compositions, delayCs: 30, holdLastCs: 300);
            writer.Png("poster.png", ThreePane.Compose(
                WeightPane("Learned actor weights w (push right > 0)", final.ActorWeights, scale, null, ActorMeaning),
                WeightPane("Learned critic weights v", final.CriticWeights, Scale(final.CriticWeights), null, "critic weight v (< 0: a fall is near)"),
                TracePane(config.Episodes + 1, null)));
            writer.Png("trace.png", Panels.Render(TracePane(config.Episodes + 1, null, full: true), 900, 480));
        }

        /// <summary>The state as the frame prints it under the pole.</summary>
        internal static string StateText(BalanceState s) =>
            string.Create(CultureInfo.InvariantCulture, $"θ = {s.Angle:+0.000;-0.000;0.000} rad   ω = {s.AngularVelocity:+0.00;-0.00;0.00} rad/s");

        private static Plot PolePane(PoleFrame f)
        {
            var plot = new Plot();
            plot.HideAxesAndGrid();
            plot.Title($"Episode {f.Episode.Number} · step {f.State.Steps}/{World.Constants.MaxSteps}", 15);
            plot.Axes.SetLimits(-1.25, 1.25, -0.55, 1.6);
            plot.Axes.SquareUnits();

            var limit = World.Constants.MaxAngle;
            foreach (var side in new[] { -1.0, 1.0 })
            {
                var bound = plot.Add.Line(0, 0, 1.15 * Math.Sin(side * limit), 1.15 * Math.Cos(side * limit));
                bound.LineColor = Palette.Negative.WithAlpha(0.6);
                bound.LinePattern = LinePattern.Dashed;
                bound.LineWidth = 1.5f;
            }
            Charts.Label(plot, $"fails beyond ±{N(limit)} rad", 1.15 * Math.Sin(limit) + 0.05, 1.15 * Math.Cos(limit), Alignment.LowerLeft, 11, Palette.Negative);
            var ground = plot.Add.Line(-1.1, 0, 1.1, 0);
            ground.LineColor = Palette.Wall;
            ground.LineWidth = 3;

            var angle = f.State.Angle;
            var danger = Math.Min(1.0, Math.Abs(angle) / limit);
            var pole = plot.Add.Line(0, 0, Math.Sin(angle), Math.Cos(angle));
            pole.LineColor = Draw.Mix(Palette.Positive, Palette.Negative, danger);
            pole.LineWidth = 9;
            plot.Add.Marker(Math.Sin(angle), Math.Cos(angle), MarkerShape.FilledCircle, 22, pole.LineColor);
            plot.Add.Marker(0, 0, MarkerShape.FilledCircle, 14, Palette.Ink);

            if (f.Action is { } action)
            {
                // the push is a torque at the hinge (there is no cart): drawn as a turning arrow around the pivot
                var push = Balance.Push(action);
                const double r = 0.3;
                var arc = Enumerable.Range(0, 13).Select(i => -push * 0.6 + push * 1.1 * i / 12.0)
                    .Select(phi => new Coordinates(r * Math.Sin(phi), r * Math.Cos(phi))).ToArray();
                var line = plot.Add.ScatterLine(arc, Palette.Accent);
                line.LineWidth = 4;
                line.MarkerSize = 0;
                var arrow = plot.Add.Arrow(arc[^2], new Coordinates(r * Math.Sin(push * 0.62), r * Math.Cos(push * 0.62)));
                arrow.ArrowFillColor = Palette.Accent;
                arrow.ArrowLineColor = Palette.Accent;
                arrow.ArrowWidth = 4;
                arrow.ArrowheadWidth = 16;
                arrow.ArrowheadLength = 16;
                Charts.Label(plot, $"torque at the hinge turns the pole {(push > 0 ? "right" : "left")} (no cart)", 0, -0.12,
                             Alignment.UpperCenter, 12, Palette.Accent);
            }
            Charts.Label(plot, StateText(f.State), 0, -0.3, Alignment.UpperCenter, 12);
            Charts.Label(plot, f.Why, -1.22, 1.55, Alignment.UpperLeft, 11, bold: true);
            Charts.Label(plot, "pole: green upright, darker toward the limit", -1.22, 1.44, Alignment.UpperLeft, 10);
            Charts.Label(plot, "right: outlined, the box the pole is in", -1.22, 1.35, Alignment.UpperLeft, 10);
            if (f.Card is { } card) Charts.Card(plot, card, 0, 0.55, size: 15);
            return plot;
        }

        /// <summary>What an actor weight's colour means.</summary>
        private const string ActorMeaning = "actor weight w (> 0 push right, < 0 left)";

        private static Plot WeightPane(string title, ImmutableArray<double> w, double scale, int? box, string meaning,
                                       (double Low, double High)? range = null) =>
            Charts.Heatmap(title, w, BartoSutton.AngleBins, BartoSutton.VelocityBins, scale,
                           AngleBins, VelocityBins, "angle θ (rad)", "angular velocity ω = dθ/dt (rad/s)", meaning, box, range);

        /// <summary>The lengths of the episodes before <paramref name="episode"/> and, while it runs, the steps it has lasted so
        /// far (<paramref name="soFar"/>) as a dot: its final length joins the line only when it has ended.</summary>
        private Plot TracePane(int episode, int? soFar, bool full = false)
        {
            var plot = Draw.TracePlot(full ? "ACE/ASE learns to balance: steps per episode" : "Steps the pole stayed up, per episode",
                                      "episode", "steps");
            var done = episodes.Take(soFar is null ? episode : episode - 1).ToArray();
            if (done.Length > 0)
                Charts.Line(plot, done.Select(e => (double)e.Number).ToArray(), done.Select(e => (double)e.Length).ToArray(),
                            Palette.Accent, "episode length", 2f, full ? 5f : 4f);
            if (!full && episode <= episodes.Length)
                plot.Add.Marker(episode, soFar ?? episodes[episode - 1].Length, MarkerShape.FilledCircle, 13, Palette.Second).LegendText =
                    "this episode, steps so far";
            var success = plot.Add.HorizontalLine(maxSteps, 1.5f, Palette.Positive, LinePattern.Dashed);
            success.LegendText = $"{maxSteps} steps: success";
            plot.Axes.SetLimits(0, config.Episodes + 1, 0, maxSteps * 1.12);
            Draw.IntegerTicksX(plot);
            plot.ShowLegend(Alignment.LowerRight);
            return plot;
        }
    }
}
