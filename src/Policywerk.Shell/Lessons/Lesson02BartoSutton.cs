using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
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
public sealed class Lesson02BartoSutton : ILesson
{
    public static readonly BartoSuttonConfig Config = new(Gamma: 0.95, ActorAlpha: 10.0, CriticBeta: 0.1, TraceDecay: 0.5, NoiseSigma: 0.1);

    /// <summary>Evaluation: the learned actor without noise, nothing learned (α = β = 0, σ = 0).</summary>
    public static readonly BartoSuttonConfig Evaluation = Config with { ActorAlpha = 0, CriticBeta = 0, NoiseSigma = 0 };

    public const int Episodes = 100;
    private static readonly Balance World = new();

    public LessonInfo Info => Catalog.Info(2);

    /// <summary>Episode e learns from key e of <c>Key.FromSeed(seed).Split(101)</c>; the last key evaluates.</summary>
    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var keys = Key.FromSeed(seed).Split(Episodes + 1);
        var model = BartoSutton.Initial();
        var episodes = new BalanceEpisode[Episodes];
        for (var e = 0; e < Episodes; e++)
        {
            var learned = BartoSutton.Episode(Config, World, model, keys[e]);
            episodes[e] = new BalanceEpisode(e + 1, model, learned.Trajectory);
            model = learned.Model;
            if (e % 10 == 9) progress.Report((e + 1.0) / Episodes);
        }
        var evaluation = BartoSutton.Episode(Evaluation, World, model, keys[Episodes]).Trajectory;
        return new Run(episodes.ToImmutableArray(), model, evaluation);
    }

    // Box labels: bin i holds values below edge i (BartoSutton.Box).
    private static readonly string[] AngleBins = ["< −0.2", "−0.2…−0.1", "−0.1…0", "0…+0.1", "+0.1…+0.2", "≥ +0.2"];
    private static readonly string[] VelocityBins = ["< −1", "−1…−.5", "−.5…0", "0…+.5", "+.5…+1", "≥ +1"];

    private sealed class Run(ImmutableArray<BalanceEpisode> episodes, BartoSuttonModel final,
                             Trajectory<BalanceState, int> evaluation) : ILessonRun
    {
        private readonly int maxSteps = World.Constants.MaxSteps;

        public object Results => results.Value;
        private readonly Lazy<BartoSuttonResults> results = new(() => ResultsOf(episodes, final, evaluation));

        private static BartoSuttonResults ResultsOf(ImmutableArray<BalanceEpisode> episodes, BartoSuttonModel final,
                                                    Trajectory<BalanceState, int> evaluation)
        {
            var lengths = episodes.Select(e => e.Length).ToArray();
            var per10 = Blocks.Of(lengths.Length, 10).Select(b => Round(Blocks.Mean(lengths, b, l => l), 1)).ToArray();
            var first = episodes.FirstOrDefault(e => e.Length >= World.Constants.MaxSteps)?.Number;
            return new BartoSuttonResults(
                Config.Gamma, Config.ActorAlpha, Config.CriticBeta, Config.TraceDecay, Config.NoiseSigma, Episodes,
                lengths, per10, first, Round(Blocks.Mean(lengths, Blocks.Last(lengths.Length, 10), l => l), 1), evaluation.Length,
                WeightRows(final.ActorWeights), WeightRows(final.CriticWeights));
        }

        private static string[] WeightRows(ImmutableArray<double> w) =>
            Enumerable.Range(0, BartoSutton.AngleBins).Select(r => string.Join(' ',
                Enumerable.Range(0, BartoSutton.VelocityBins).Select(c => Signed(w[r * BartoSutton.VelocityBins + c]).PadLeft(6)))).ToArray();

        private static string Signed(double x) => x.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

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
        private IReadOnlyList<BalanceEpisode> Chosen()
        {
            var firstSuccess = episodes.FirstOrDefault(e => e.Length >= maxSteps);
            var beforeSuccess = episodes.Where(e => e.Number > 1 && (firstSuccess is null || e.Number < firstSuccess.Number))
                .OrderByDescending(e => e.Length).FirstOrDefault();
            return new[] { episodes[0], beforeSuccess, firstSuccess, episodes[^1] }
                .OfType<BalanceEpisode>().DistinctBy(e => e.Number).OrderBy(e => e.Number).ToArray();
        }

        /// <summary>Color scale of the weight heatmaps: the largest weight of a box visited often enough to matter.</summary>
        private static double Scale(ImmutableArray<double> w) => Math.Max(0.5, w.Select(Math.Abs).Order().ElementAt(w.Length - 4));

        public void WritePictures(PictureWriter writer)
        {
            var frames = new List<byte[]>();
            var scale = Scale(final.ActorWeights);
            foreach (var episode in Chosen())
            {
                var steps = episode.Trajectory.Steps;
                var shown = Math.Min(steps.Length, episode.Length >= maxSteps ? 7 : 5);
                for (var k = 1; k <= shown; k++)
                {
                    var t = steps[(int)Math.Round((double)k * steps.Length / shown) - 1];
                    frames.Add(ThreePane.Compose(
                        PolePane(t, $"Episode {episode.Number} · step {t.Next.Steps}/{maxSteps}"),
                        WeightPane($"Actor weights at the start of episode {episode.Number}", episode.Before.ActorWeights, scale, BartoSutton.Box(t.State)),
                        TracePane(episode.Number)));
                }
            }
            writer.Gif("artifact.gif", frames, delayCs: 30, holdLastCs: 300);
            writer.Png("poster.png", ThreePane.Compose(
                WeightPane("Learned actor weights w (push right > 0)", final.ActorWeights, scale, null),
                WeightPane("Learned critic weights v", final.CriticWeights, Scale(final.CriticWeights), null),
                TracePane(Episodes)));
            writer.Png("trace.png", Panels.Render(TracePane(Episodes, full: true), 900, 480));
        }

        private static Plot PolePane(Transition<BalanceState, int> t, string title)
        {
            var plot = new Plot();
            plot.HideAxesAndGrid();
            plot.Title(title, 15);
            plot.Axes.SetLimits(-1.25, 1.25, -0.55, 1.3);
            plot.Axes.SquareUnits();

            var limit = World.Constants.MaxAngle;
            foreach (var side in new[] { -1.0, 1.0 })
            {
                var bound = plot.Add.Line(0, 0, 1.15 * Math.Sin(side * limit), 1.15 * Math.Cos(side * limit));
                bound.LineColor = Palette.Negative.WithAlpha(0.6);
                bound.LinePattern = LinePattern.Dashed;
                bound.LineWidth = 1.5f;
            }
            Charts.Label(plot, "fails beyond ±0.3 rad", 0, 1.2, Alignment.LowerCenter, 11, Palette.Negative);
            var ground = plot.Add.Line(-1.1, 0, 1.1, 0);
            ground.LineColor = Palette.Wall;
            ground.LineWidth = 3;

            var angle = t.Next.Angle;
            var danger = Math.Min(1.0, Math.Abs(angle) / limit);
            var pole = plot.Add.Line(0, 0, Math.Sin(angle), Math.Cos(angle));
            pole.LineColor = Draw.Mix(Palette.Positive, Palette.Negative, danger);
            pole.LineWidth = 9;
            plot.Add.Marker(Math.Sin(angle), Math.Cos(angle), MarkerShape.FilledCircle, 22, pole.LineColor);
            plot.Add.Marker(0, 0, MarkerShape.FilledCircle, 14, Palette.Ink);

            var push = Balance.Push(t.Action);
            var arrow = plot.Add.Arrow(-0.25 * push, -0.22, 0.35 * push, -0.22);
            arrow.ArrowFillColor = Palette.Accent;
            arrow.ArrowLineColor = Palette.Accent;
            arrow.ArrowWidth = 4;
            arrow.ArrowheadWidth = 16;
            arrow.ArrowheadLength = 16;
            Charts.Label(plot, push > 0 ? "push right" : "push left", 0, -0.32, Alignment.UpperCenter, 12, Palette.Accent);
            Charts.Label(plot, $"θ = {angle:+0.000;-0.000;0.000} rad   ω = {t.Next.AngularVelocity:+0.00;-0.00;0.00} rad/s", 0, -0.45,
                         Alignment.UpperCenter, 12);
            return plot;
        }

        private static Plot WeightPane(string title, ImmutableArray<double> w, double scale, int? box) =>
            Charts.Heatmap(title, w, BartoSutton.AngleBins, BartoSutton.VelocityBins, scale,
                           AngleBins, VelocityBins, "angle θ (rad)", "angular velocity ω = dθ/dt (rad/s)", box);

        private Plot TracePane(int upTo, bool full = false)
        {
            var plot = Draw.TracePlot(full ? "ACE/ASE learns to balance: steps per episode" : "Steps the pole stayed up, per episode",
                                      "episode", "steps");
            var xs = episodes.Take(upTo).Select(e => (double)e.Number).ToArray();
            var ys = episodes.Take(upTo).Select(e => (double)e.Length).ToArray();
            Charts.Line(plot, xs, ys, Palette.Accent, "episode length", 2f, full ? 5f : 4f);
            if (!full) plot.Add.Marker(xs[^1], ys[^1], MarkerShape.FilledCircle, 13, Palette.Second);
            var success = plot.Add.HorizontalLine(maxSteps, 1.5f, Palette.Positive, LinePattern.Dashed);
            success.LegendText = "500 steps: success";
            plot.Axes.SetLimits(0, Episodes + 1, 0, maxSteps * 1.12);
            Draw.IntegerTicksX(plot);
            plot.ShowLegend(Alignment.LowerRight);
            return plot;
        }
    }
}
