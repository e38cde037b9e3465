using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;

namespace Policywerk.Shell.Lessons;

/// <summary>One policy's evaluation: mean return over the episodes with its 95% interval.</summary>
public sealed record PolicyScore(string Policy, double Mean, double Lower, double Upper, int Episodes);

/// <summary>Lesson 07's printed results as data.</summary>
public sealed record DreamerSummary(
    IReadOnlyList<string> Sizes, IReadOnlyList<string> Hyperparameters,
    IReadOnlyList<IterationRow> Iterations,
    IReadOnlyList<PolicyScore> Evaluation, double GapClosed, bool ClosesHalf, bool SeparatedFromRandom);

/// <summary>A printed training row (every 10 iterations).</summary>
public sealed record IterationRow(int Iteration, double Reconstruction, double RewardLoss, double Kl, double ImaginedReturn, double EpisodeReward);

/// <summary>The three-policy evaluation of a trained agent on shared start layouts, and what pictures need.</summary>
public sealed record DreamerEvaluation(Summary Random, Summary Agent, Summary Scripted, DreamerEpisode Showcase)
{
    /// <summary>(agent − random) / (scripted − random): the fraction of the gap the agent closes.</summary>
    public double GapClosed => (Agent.Mean - Random.Mean) / (Scripted.Mean - Random.Mean);

    /// <summary>The agent's 95% interval lies wholly above random's.</summary>
    public bool SeparatedFromRandom => Agent.Lower > Random.Upper;

    /// <summary>
    /// Random, greedy agent and scripted controller on the same <paramref name="episodes"/> start layouts (drawn from
    /// <paramref name="key"/>): G = Σ_t r_t per episode, summarised with Student-t 95% intervals.
    /// </summary>
    public static DreamerEvaluation Run(DreamerConfig c, DreamerModel model, Key key, int episodes)
    {
        var world = new PixelPointMass();
        var nets = DreamerNets.For(c);
        var keys = key.Split(episodes);
        double[] random = new double[episodes], agent = new double[episodes], scripted = new double[episodes];
        DreamerEpisode? showcase = null;
        for (var i = 0; i < episodes; i++)
        {
            var (kReset, kPolicy) = keys[i].Split();
            var start = world.Reset(kReset).Value;
            random[i] = Dreamer.RunEpisode(world, start, kPolicy, (_, k) => PointMassControllers.RandomForce(k)).Return;
            scripted[i] = Dreamer.RunEpisode(world, start, kPolicy, (s, k) => new Draw<Force>(PointMassControllers.Scripted(s), k)).Return;
            var episode = Dreamer.RunAgent(nets, model, world, start, c);
            agent[i] = episode.Return;
            showcase ??= episode;
        }
        return new DreamerEvaluation(Statistics.Summarize(random), Statistics.Summarize(agent), Statistics.Summarize(scripted), showcase!);
    }
}

/// <summary>Lesson 07 · Hafner et al. 2023: a Dreamer-style world model (RSSM, imagination, actor-critic) on the 16×16 pixel point mass.</summary>
public sealed class Lesson07Dreamer : ILesson
{
    public static readonly DreamerConfig Config = new();
    public const int EvaluationEpisodes = 30;

    public LessonInfo Info => Catalog.Info(7);

    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var (model, logs, evaluation) = TrainAndEvaluate(Key.FromSeed(seed), Config, EvaluationEpisodes, progress);
        return new Run(model, logs, evaluation);
    }

    /// <summary>Train from the left half of <paramref name="key"/>, evaluate the three policies on layouts from the right half.</summary>
    public static (DreamerModel Model, ImmutableArray<IterationLog> Logs, DreamerEvaluation Evaluation) TrainAndEvaluate(
        Key key, DreamerConfig config, int episodes, IProgress<double>? progress = null)
    {
        var world = new PixelPointMass();
        var (kTrain, kEval) = key.Split();
        var training = Dreamer.Start(world, config, kTrain);
        var logs = new List<IterationLog>(config.Iterations);
        for (var i = 0; i < config.Iterations; i++)
        {
            var (next, log) = Dreamer.Iterate(world, training, config);
            if (!double.IsFinite(log.Reconstruction) || !double.IsFinite(log.ImaginedReturn))
                throw new Policywerk.Shell.Cli.DivergenceError($"lesson 7 diverged at iteration {i + 1} (a loss became NaN)");
            training = next;
            logs.Add(log);
            progress?.Report((i + 1.0) / (config.Iterations + 1));
        }
        var evaluation = DreamerEvaluation.Run(config, training.Model, kEval, episodes);
        progress?.Report(1.0);
        return (training.Model, logs.ToImmutableArray(), evaluation);
    }

    private sealed class Run(DreamerModel model, ImmutableArray<IterationLog> logs, DreamerEvaluation evaluation) : ILessonRun
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private readonly Lazy<DreamerSummary> summary = new(() => Summarize(model, logs, evaluation));
        public object Summary => summary.Value;

        private static DreamerSummary Summarize(DreamerModel model, ImmutableArray<IterationLog> logs, DreamerEvaluation e)
        {
            var c = Config;
            var nets = DreamerNets.For(c);
            string[] sizes =
            [
                $"encoder: 256 pixels → spatial soft-argmax ({c.FeaturePoints} points) → {c.Hidden} → {c.Embed} (tanh)",
                $"RSSM: GRU h {c.Deter} (input z {c.Stoch} + action 2), Gaussian z {c.Stoch}; prior {c.Deter} → {c.Hidden} → {2 * c.Stoch}, posterior {c.Deter + c.Embed} → {c.Hidden} → {2 * c.Stoch}",
                $"decoder {c.StateSize} → {c.Hidden} → {3 * c.DecoderBlobs} ({c.DecoderBlobs} Gaussian blobs on the pixel grid, σ {c.BlobWidth}), reward {c.StateSize} → {c.Hidden} → 1 (symlog), continue {c.StateSize} → {c.Hidden} → 1",
                $"actor {c.StateSize} → {c.Hidden} → 4 (tanh-Gaussian μ, σ), critic {c.StateSize} → {c.Hidden} → 1 (symlog) + slow copy",
                $"parameters: world model {model.World.Count:N0}, actor {model.Actor.Count:N0}, critic {model.Critic.Count:N0}",
            ];
            string[] hyper =
            [
                $"{c.PrefillSteps} random steps, {c.WarmupUpdates} world-model-only updates, then {c.Iterations} iterations × ({c.StepsPerIteration} real steps + {c.UpdatesPerIteration} updates)",
                $"batch {c.BatchSize} × {c.ChunkLength} steps; imagination {c.ImaginationStarts} starts × {c.Horizon} steps; γ {c.Gamma}, λ {c.Lambda}",
                $"Adam lr: world {c.WorldLearningRate}, actor {c.ActorLearningRate}, critic {c.CriticLearningRate}; clip {c.GradClip}",
                $"KL: β_dyn {c.DynamicsWeight}, β_rep {c.RepresentationWeight}, free bits {c.FreeBits}; reward weight {c.RewardWeight}; entropy η {c.EntropyWeight}; actor σ_max {c.MaxActionStd}, mean penalty ζ {c.ActionMeanPenalty}",
            ];
            var rows = logs.Where(l => l.Iteration % 10 == 0 || l.Iteration == 1)
                .Select(l => new IterationRow(l.Iteration, Math.Round(l.Reconstruction, 5), Math.Round(l.RewardLoss, 4), Math.Round(l.Kl, 3),
                    Math.Round(l.ImaginedReturn, 2), Math.Round(LastEpisodeReward(logs, l.Iteration), 1))).ToArray();
            PolicyScore Score(string name, Summary s) => new(name, Math.Round(s.Mean, 1), Math.Round(s.Lower, 1), Math.Round(s.Upper, 1), s.Count);
            _ = nets;
            return new DreamerSummary(sizes, hyper, rows,
                [Score("random", e.Random), Score("Dreamer (greedy)", e.Agent), Score("scripted controller", e.Scripted)],
                Math.Round(e.GapClosed, 3), e.GapClosed >= 0.5, e.SeparatedFromRandom);
        }

        private static double LastEpisodeReward(ImmutableArray<IterationLog> logs, int iteration)
        {
            for (var i = iteration - 1; i >= 0; i--)
                if (double.IsFinite(logs[i].EpisodeReward)) return logs[i].EpisodeReward;
            return double.NaN;
        }

        public IEnumerable<string> Headline()
        {
            var s = summary.Value;
            yield return $"evaluation over {s.Evaluation[0].Episodes} episodes: random {s.Evaluation[0].Mean:0.0}, Dreamer {s.Evaluation[1].Mean:0.0}, scripted {s.Evaluation[2].Mean:0.0}";
            yield return $"gap closed: {s.GapClosed:P0} ({(s.ClosesHalf ? "≥" : "<")} half; {(s.SeparatedFromRandom ? "separated from" : "overlaps")} random)";
        }

        public void Print(IAnsiConsole console)
        {
            var s = summary.Value;
            console.Write(new Rule("[bold]Lesson 07 · Hafner et al. 2023 — a Dreamer-style world model[/]").LeftJustified());
            foreach (var line in s.Sizes) console.MarkupLine(Markup.Escape(line));
            foreach (var line in s.Hyperparameters) console.MarkupLine("[grey]" + Markup.Escape(line) + "[/]");
            console.WriteLine();
            var table = new Table().Title("[bold]Training (every 10 iterations)[/]")
                .AddColumn(new TableColumn("iteration").RightAligned()).AddColumn(new TableColumn("recon MSE").RightAligned())
                .AddColumn(new TableColumn("reward loss").RightAligned()).AddColumn(new TableColumn("KL (nats)").RightAligned())
                .AddColumn(new TableColumn("imagined return").RightAligned()).AddColumn(new TableColumn("real episode reward").RightAligned());
            foreach (var r in s.Iterations)
                table.AddRow($"{r.Iteration}", r.Reconstruction.ToString("0.00000", Inv), r.RewardLoss.ToString("0.0000", Inv),
                    r.Kl.ToString("0.00", Inv), r.ImaginedReturn.ToString("0.00", Inv), double.IsFinite(r.EpisodeReward) ? r.EpisodeReward.ToString("0.0", Inv) : "—");
            console.Write(table);
            var eval = new Table().Title($"[bold]Evaluation over {s.Evaluation[0].Episodes} episodes (same start layouts)[/]")
                .AddColumn("policy").AddColumn(new TableColumn("mean return").RightAligned()).AddColumn(new TableColumn("95% interval").RightAligned());
            foreach (var p in s.Evaluation)
                eval.AddRow(p.Policy, p.Mean.ToString("0.0", Inv), Markup.Escape($"[{p.Lower.ToString("0.0", Inv)}, {p.Upper.ToString("0.0", Inv)}]"));
            console.Write(eval);
            console.MarkupLine($"Gap from random to scripted closed: [bold]{s.GapClosed.ToString("P0", Inv)}[/] — " +
                (s.ClosesHalf && s.SeparatedFromRandom ? "[green]meets the bar[/]" : "[red]below the bar (half the gap, interval clear of random's)[/]"));
        }

        // ---------------------------------------------------------------- pictures

        public void WritePictures(PictureWriter writer)
        {
            var world = new PixelPointMass();
            var episode = evaluation.Showcase;
            var frames = new List<byte[]>();
            var stride = Math.Max(1, episode.States.Length / 20);
            for (var t = 0; t < episode.States.Length; t += stride)
                frames.Add(ThreePane.Compose(WorldPane(world, episode, t), FramePane(world, episode, t), TracePane(logs.Length)));
            writer.Gif("artifact.gif", frames, delayCs: 25, holdLastCs: 200);
            writer.Png("poster.png", ThreePane.Compose(WorldPane(world, episode, episode.States.Length - 1), FramePane(world, episode, 0), TracePane(logs.Length)));
            writer.Png("trace.png", ThreePane.Render(TracePane(logs.Length), 900, 480));
        }

        private static Plot WorldPane(PixelPointMass world, DreamerEpisode episode, int t)
        {
            var plot = new Plot();
            plot.Title($"The agent's path (step {t})", 15);
            var xs = episode.States.Take(t + 1).Select(s => s.X).ToArray();
            var ys = episode.States.Take(t + 1).Select(s => s.Y).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, Draw.Accent);
            line.LineWidth = 2.5f;
            var target = plot.Add.Marker(episode.States[0].TargetX, episode.States[0].TargetY, MarkerShape.FilledCircle, 16, Draw.Second);
            target.LegendText = "target";
            plot.Add.Marker(xs[^1], ys[^1], MarkerShape.FilledCircle, 12, Draw.Accent).LegendText = "agent";
            plot.Axes.SetLimits(-2, 2, -2, 2);
            plot.Axes.SquareUnits();
            plot.ShowLegend(Alignment.UpperLeft);
            _ = world;
            return plot;
        }

        private Plot FramePane(PixelPointMass world, DreamerEpisode episode, int t)
        {
            // the real frame beside the model's reconstruction of its posterior state
            var c = Config;
            var nets = DreamerNets.For(c);
            var belief = DreamerBelief.Initial(c, 1);
            for (var i = 0; i <= t; i++)
            {
                var action = i == 0 ? Mat.Zeros(1, 2) : Mat.FromRows([episode.Actions[i - 1].X, episode.Actions[i - 1].Y]);
                belief = DreamerRssm.Observe(nets, model.World, belief with { PreviousAction = action },
                    Mat.RowVector(world.Observe(episode.States[i])), Key.FromSeed(0), sample: false, c.MinLatentStd).Value;
            }
            var recon = DreamerRssm.Decode(nets, model.World, belief, c.BlobWidth);
            var real = world.Observe(episode.States[t]);
            var grid = new double[16, 33];
            for (var r = 0; r < 16; r++)
                for (var col = 0; col < 16; col++)
                {
                    grid[15 - r, col] = real[r * 16 + col];
                    grid[15 - r, 17 + col] = Math.Min(1.0, recon[0, r * 16 + col]);
                    grid[15 - r, 16] = 0.3;
                }
            var plot = new Plot();
            plot.Title("real frame | model's reconstruction", 15);
            plot.Add.Heatmap(grid).Colormap = new ScottPlot.Colormaps.Grayscale();
            plot.HideAxesAndGrid();
            return plot;
        }

        private Plot TracePane(int shown)
        {
            var plot = Draw.TracePlot("Training: reconstruction MSE ×100 and reward loss", "iteration", "loss");
            var xs = logs.Take(shown).Select(l => (double)l.Iteration).ToArray();
            var rec = plot.Add.ScatterLine(xs, logs.Take(shown).Select(l => 100 * l.Reconstruction).ToArray(), Draw.Accent);
            rec.LegendText = "recon MSE ×100";
            var rew = plot.Add.ScatterLine(xs, logs.Take(shown).Select(l => l.RewardLoss).ToArray(), Draw.Second);
            rew.LegendText = "reward loss (symlog MSE)";
            plot.ShowLegend(Alignment.UpperRight);
            return plot;
        }
    }
}
