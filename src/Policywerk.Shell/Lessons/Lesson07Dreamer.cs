using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Loops;
using Policywerk.Shell.Models;
using Policywerk.Shell.Pictures;
using ScottPlot;
using Spectre.Console;

namespace Policywerk.Shell.Lessons;

/// <summary>One policy's evaluation: mean return over the episodes with its 95% interval.</summary>
public sealed record PolicyScore(string Policy, double Mean, double Lower, double Upper, int Episodes)
{
    /// <summary>A summary over episodes, rounded to 0.1 for the tables.</summary>
    public static PolicyScore Of(string policy, Summary s) => new(policy, Math.Round(s.Mean, 1), Math.Round(s.Lower, 1), Math.Round(s.Upper, 1), s.Count);
}

/// <summary>Lesson 07's printed results as data.</summary>
public sealed record DreamerResults(
    IReadOnlyList<string> Sizes, IReadOnlyList<string> Hyperparameters,
    IReadOnlyList<IterationRow> Iterations,
    IReadOnlyList<PolicyScore> Evaluation, double GapClosed, bool ClosesHalf, bool SeparatedFromRandom);

/// <summary>A printed training row (every 10 iterations).</summary>
public sealed record IterationRow(int Iteration, double Reconstruction, double RewardLoss, double Kl, double ImaginedReturn, double EpisodeReward);

/// <summary>The model as it stood after <paramref name="Iteration"/> training iterations: a snapshot the animation
/// imagines with (the model is immutable, so keeping it costs nothing and changes no bit of the training).</summary>
public sealed record DreamerStage(int Iteration, DreamerModel Model);

/// <summary>A trained run of lesson 07: the final model, every iteration's log, the evaluation of the final model, and
/// the model at each of the stage iterations (<see cref="Lesson07Dreamer.StageIterations"/>).</summary>
public sealed record DreamerRun(DreamerModel Model, ImmutableArray<IterationLog> Logs, DreamerEvaluation<PointMassState> Evaluation,
    ImmutableArray<DreamerStage> Stages);

/// <summary>Lesson 07 · Hafner et al. 2023: a Dreamer-style world model (RSSM, imagination, actor-critic) on the 16×16 pixel point mass.</summary>
public sealed class Lesson07Dreamer(DreamerConfig config) : ILesson
{
    public static readonly DreamerConfig Config = new();
    public const int EvaluationEpisodes = 30;

    /// <summary>The world of <paramref name="config"/>: the default point mass behind the 16 × 16 camera, each decision
    /// held for <see cref="DreamerConfig.ActionRepeat"/> physics steps.</summary>
    public static PixelPointMass WorldOf(DreamerConfig config) => new(new PointMass(), config.ActionRepeat);

    /// <summary>The lesson's world, <see cref="WorldOf"/> its configuration.</summary>
    public static PixelPointMass World => WorldOf(Config);

    /// <summary>The columns of the run's log (docs/logs.md): one row per training iteration.</summary>
    public static readonly IReadOnlyList<string> LogColumns =
        ["iteration", "reconstruction", "reward_loss", "continue_loss", "kl", "imagined_return", "critic_loss", "action_std", "episode_reward", "episodes"];

    /// <summary>The log of a training's iterations; an iteration in which no real episode ended has no episode reward.</summary>
    internal static Logs.RunLog LogOf(IEnumerable<IterationLog> logs) => Logs.RunLog.Of(LogColumns, logs.Select(l => new Logs.LogValue[]
    {
        l.Iteration, l.Reconstruction, l.RewardLoss, l.ContinueLoss, l.Kl, l.ImaginedReturn, l.CriticLoss, l.ActionStd,
        l.EpisodesFinished > 0 ? l.EpisodeReward : Logs.LogValue.Empty, l.EpisodesFinished,
    }));

    public Lesson07Dreamer() : this(Config) { }

    public LessonInfo Info => Catalog.Info(7);

    /// <summary>The lesson's hyperparameters (what a saved model's settings rebuild).</summary>
    internal DreamerConfig Configuration => config;

    /// <summary>The knobs of <see cref="DreamerConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(DreamerConfig.Knobs, Config);

    private DreamerConfig Apply(IReadOnlyList<(string Name, double Value)> values) =>
        KnobSet.Apply(DreamerConfig.Knobs, config, values);

    public ILesson With(IReadOnlyList<(string Name, double Value)> values) => new Lesson07Dreamer(Apply(values));

    /// <summary>The configuration's own conflicts, and a replayed sequence longer than an episode's decisions.</summary>
    public string? Conflict(IReadOnlyList<(string Name, double Value)> values)
    {
        var c = Apply(values);
        var decisions = (WorldOf(c).Dynamics.MaxSteps + c.ActionRepeat - 1) / c.ActionRepeat;
        return c.Conflict() ?? (c.ChunkLength > decisions ? $"chunk ({c.ChunkLength}) must not exceed an episode's {decisions} decisions" : null);
    }

    public ILessonRun Train(ulong seed, IProgress<double> progress)
    {
        var run = TrainAndEvaluate(Key.FromSeed(seed), config, EvaluationEpisodes, progress, TwoThreads.Instance);
        return new Run(config, run.Model, run.Logs, run.Evaluation, run.Stages);
    }

    /// <summary>The iterations after which the animation shows the world model imagining: early (the first), the middle
    /// and the end of training — distinct, so fewer when there are fewer than three iterations.</summary>
    public static ImmutableArray<int> StageIterations(int iterations) =>
        iterations < 1 ? [] : [.. new[] { 1, (iterations + 1) / 2, iterations }.Distinct()];

    /// <summary>
    /// Train from the left half of <paramref name="key"/>, evaluate the three policies on layouts from the right half.
    /// Each update's two shards run in turn (<see cref="Sequential"/>) unless <paramref name="evaluator"/> says otherwise;
    /// the results are the same bits either way. The lesson runs them on <see cref="TwoThreads"/>, the faster on the 2-core
    /// machine of docs/speed.md under the shell's server GC (docs/speed.md, "Memory").
    /// </summary>
    public static DreamerRun TrainAndEvaluate(
        Key key, DreamerConfig config, int episodes, IProgress<double>? progress = null, IEvaluator? evaluator = null)
    {
        var world = WorldOf(config);
        var (kTrain, _) = key.Split();
        var sharding = new Sharding(evaluator ?? Sequential.Instance);
        var training = Dreamer.Start(config, world, kTrain, sharding);
        var logs = new List<IterationLog>(config.Iterations);
        var stageIterations = StageIterations(config.Iterations);
        var stages = ImmutableArray.CreateBuilder<DreamerStage>(stageIterations.Length);
        for (var i = 0; i < config.Iterations; i++)
        {
            var (next, log) = Dreamer.Iterate(config, world, training, sharding);
            if (!double.IsFinite(log.Reconstruction) || !double.IsFinite(log.ImaginedReturn))
                throw new DivergenceError($"lesson 7 diverged at iteration {i + 1} (a loss became NaN)");
            training = next;
            logs.Add(log);
            if (stageIterations.Contains(i + 1)) stages.Add(new DreamerStage(i + 1, training.Model));
            progress?.Report((i + 1.0) / (config.Iterations + 1));
        }
        var evaluation = Evaluate(config, training.Model, key, episodes);
        progress?.Report(1.0);
        return new DreamerRun(training.Model, logs.ToImmutableArray(), evaluation, stages.ToImmutable());
    }

    /// <summary>The lesson's evaluation of <paramref name="model"/>: random, greedy agent and scripted controller from the
    /// same <paramref name="episodes"/> start layouts, drawn from the right half of the run's <paramref name="key"/>.</summary>
    public static DreamerEvaluation<PointMassState> Evaluate(DreamerConfig config, DreamerModel model, Key key, int episodes) =>
        DreamerEvaluation.Run(config, model, WorldOf(config), key.Split().Right, episodes, s => PointMassControllers.Scripted(s).Vector);

    internal sealed class Run(DreamerConfig config, DreamerModel model, ImmutableArray<IterationLog> logs, DreamerEvaluation<PointMassState> evaluation,
        ImmutableArray<DreamerStage> stages) : ILessonRun, ITrainedRun<DreamerModel>
    {
        /// <summary>The trained world model, actor and critic (the optimizers' moments are for training).</summary>
        public DreamerModel Model => model;

        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private readonly Lazy<DreamerResults> results = new(() => ResultsOf(config, model, logs, evaluation));
        public object Results => results.Value;

        /// <summary>The models the run kept after its stage iterations (<see cref="DreamerRun.Stages"/>).</summary>
        internal ImmutableArray<DreamerStage> Snapshots => stages;

        private static DreamerResults ResultsOf(DreamerConfig config, DreamerModel model, ImmutableArray<IterationLog> logs, DreamerEvaluation<PointMassState> e)
        {
            var c = config;
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
                $"action repeat {c.ActionRepeat}: each decision is held for {c.ActionRepeat} physics steps (rewards summed); an episode is {WorldOf(config).Dynamics.MaxSteps} physics steps, a step below is a decision",
                $"{c.PrefillSteps} random steps, {c.WarmupUpdates} world-model-only updates, then {c.Iterations} iterations × ({c.StepsPerIteration} real steps + {c.UpdatesPerIteration} updates)",
                $"batch {c.BatchSize} × {c.ChunkLength} steps; imagination {c.ImaginationStarts} starts × {c.Horizon} steps; γ {c.Gamma}, λ {c.Lambda}",
                $"Adam lr: world {c.WorldLearningRate}, annealed (cosine) to {c.WorldLearningRateEnd} over the last {1 - c.WorldAnnealFrom:P0} of its {c.WorldUpdates} updates; actor {c.ActorLearningRate}, critic {c.CriticLearningRate}; clip {c.GradClip}",
                $"KL: β_dyn {c.DynamicsWeight}, β_rep {c.RepresentationWeight}, free bits {c.FreeBits}; reward weight {c.RewardWeight}; entropy η {c.EntropyWeight}; actor σ_max {c.MaxActionStd}, mean penalty ζ {c.ActionMeanPenalty}",
            ];
            var rows = logs.Where(l => l.Iteration % 10 == 0 || l.Iteration == 1)
                .Select(l => new IterationRow(l.Iteration, Math.Round(l.Reconstruction, 5), Math.Round(l.RewardLoss, 4), Math.Round(l.Kl, 3),
                    Math.Round(l.ImaginedReturn, 2), Math.Round(LastEpisodeReward(logs, l.Iteration), 1))).ToArray();
            return new DreamerResults(sizes, hyper, rows, Scores(e),
                Math.Round(e.GapClosed, 3), e.GapClosed >= 0.5, e.SeparatedFromRandom);
        }

        private static double LastEpisodeReward(ImmutableArray<IterationLog> logs, int iteration)
        {
            for (var i = iteration - 1; i >= 0; i--)
                if (double.IsFinite(logs[i].EpisodeReward)) return logs[i].EpisodeReward;
            return double.NaN;
        }

        public Logs.RunLog Log => LogOf(logs);

        public IReadOnlyList<Measure> Measures =>
        [
            new("gap closed from random to scripted", results.Value.GapClosed, HigherIsBetter: true),
            new("Dreamer (greedy): mean return", results.Value.Evaluation[1].Mean, HigherIsBetter: true),
        ];

        public IEnumerable<string> Headline()
        {
            var s = results.Value;
            yield return $"evaluation over {s.Evaluation[0].Episodes} episodes: random {s.Evaluation[0].Mean:0.0}, Dreamer {s.Evaluation[1].Mean:0.0}, scripted {s.Evaluation[2].Mean:0.0}";
            yield return $"gap closed: {s.GapClosed:P0} ({(s.ClosesHalf ? "≥" : "<")} half; {(s.SeparatedFromRandom ? "separated from" : "overlaps")} random)";
        }

        public void Print(IAnsiConsole console)
        {
            var s = results.Value;
            console.Write(new Rule("[bold]Lesson 07 · Hafner et al. 2023 — a Dreamer-style world model[/]").LeftJustified());
            Tables(console, s);
        }

        /// <summary>The model's sizes, the hyperparameters and the tables of <see cref="Print"/>.</summary>
        private static void Tables(IAnsiConsole console, DreamerResults s)
        {
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
            WriteEvaluation(console, s.Evaluation, s.GapClosed, s.ClosesHalf && s.SeparatedFromRandom);
        }

        /// <summary>The evaluation table (mean return and 95% interval of each policy) and the gap closed.</summary>
        internal static void WriteEvaluation(IAnsiConsole console, IReadOnlyList<PolicyScore> scores, double gapClosed, bool meetsBar)
        {
            var eval = new Table().Title($"[bold]Evaluation over {scores[0].Episodes} episodes (same start layouts)[/]")
                .AddColumn("policy").AddColumn(new TableColumn("mean return").RightAligned()).AddColumn(new TableColumn("95% interval").RightAligned());
            foreach (var p in scores)
                eval.AddRow(p.Policy, p.Mean.ToString("0.0", Inv), Markup.Escape($"[{p.Lower.ToString("0.0", Inv)}, {p.Upper.ToString("0.0", Inv)}]"));
            console.Write(eval);
            console.MarkupLine($"Gap from random to scripted closed: [bold]{Math.Round(gapClosed, 3).ToString("P0", Inv)}[/] — " +
                (meetsBar ? "[green]meets the bar[/]" : "[red]below the bar (half the gap, interval clear of random's)[/]"));
        }

        /// <summary>The three policies' scores as the tables print them.</summary>
        internal static IReadOnlyList<PolicyScore> Scores(DreamerEvaluation<PointMassState> e) =>
            [PolicyScore.Of("random", e.Random), PolicyScore.Of("Dreamer (greedy)", e.Agent), PolicyScore.Of("scripted controller", e.Scripted)];

        // ---------------------------------------------------------------- narrative

        private static string N(double x) => Narration.Number(x);


        /// <summary>The first evaluation episode as one replayed sequence, through the trained world model's forward pass
        /// (a fixed key for the posterior's samples), and of its frames after the first (which no prior can foresee) the one with the largest KL(q ‖ p).</summary>
        private (WorldForward Forward, KlBalance Kl, int Step, int Steps) KlExample(DreamerNets nets, PixelPointMass world)
        {
            var episode = evaluation.AgentEpisodes[0];
            var steps = ImmutableArray.CreateBuilder<DreamerStep>();
            steps.Add(new DreamerStep(world.Observe(episode.States[0]), [0.0, 0.0], 0.0, First: true, Terminal: false));
            for (var i = 1; i < episode.States.Length; i++)
                steps.Add(new DreamerStep(world.Observe(episode.States[i]), episode.Actions[i - 1], episode.Rewards[i - 1], First: false, Terminal: false));
            var batch = DreamerBatch.From([new Policywerk.Pure.Replay.SequenceChunk<DreamerStep>(steps.ToImmutable(), true)]);
            var f = DreamerRssm.Forward(config, nets, model.World, batch, Key.FromSeed(0));
            var n = batch.Length;
            var kl = DreamerLatent.BalancedKl(f.Posterior, f.Prior, config.FreeBits, config.DynamicsWeight, config.RepresentationWeight, n);
            var step = Enumerable.Range(1, n - 1).MaxBy(t => kl.PerRow[t]);
            return (f, kl, step, n);
        }

        public void Narrate(IAnsiConsole console)
        {
            var s = results.Value;
            var c = config;
            var world = WorldOf(config);
            var nets = DreamerNets.For(c, world);
            console.Write(new Rule("[bold]Lesson 07 · Hafner et al. 2023 — a Dreamer-style world model[/]").LeftJustified());
            Narration.Section(console, "The idea",
                "Every earlier agent learned only from what it did in the world. Dreamer learns a model of the world first: from pixels " +
                "it learns a compact state that can be predicted a step ahead, and what reward and ending each state brings. Then it " +
                "learns to act inside that model, in imagined rollouts that cost nothing, with an actor and a critic as in lessons 02 " +
                "and 06. In the real world it acts from the same kind of state the model keeps. The model is trained on replayed " +
                "real sequences; the actor never sees a real frame, only the model's states.");
            Narration.Section(console, "The world",
                $"A point mass on a plane seen through a {world.Side} × {world.Side} camera: the agent is a pixel of intensity " +
                $"{N(PixelPointMass.AgentPixel)}, the target one of {N(PixelPointMass.TargetPixel)}. The action is a force (F_x, F_y) in " +
                $"[−1, 1]², held for {c.ActionRepeat} physics steps. Each physics step costs the distance to the target, and the episode " +
                $"ends when the agent comes within {N(world.Dynamics.ReachThreshold)} of it or after {world.Dynamics.MaxSteps} physics steps. A random force and a scripted controller " +
                "that reads the true state are the two yardsticks.");
            Narration.Section(console, "The update",
                $"The world model's loss on replayed sequences is the sum of named terms (free bits F = {N(c.FreeBits)}, β_dyn = " +
                $"{N(c.DynamicsWeight)}, β_rep = {N(c.RepresentationWeight)}): the frame's reconstruction, the reward, the continuation, and " +
                "the balanced KL between the posterior q (which has seen the frame) and the prior p (which predicts it):");
            Narration.Display(console,
                "L = L_rec + L_rew + L_cont + β_dyn·max(F, KL(sg(q) ‖ p)) + β_rep·max(F, KL(q ‖ sg(p)))",
                $"R_k = r_{{k+1}} + γ·c_{{k+1}}·[(1 − λ)·v_{{k+1}} + λ·R_{{k+1}}]     imagined λ-return, γ = {N(c.Gamma)}, λ = {N(c.Lambda)}");
            Narration.Code(console, "src/Policywerk.Pure/Agents/DreamerRssm.cs", "DreamerRssm.Loss");
            Narration.Code(console, "src/Policywerk.Pure/Agents/DreamerImagination.cs", "DreamerImagination.ActorLoss");
            var (f, kl, t, n) = KlExample(nets, world);
            Narration.Section(console, "A worked example from this run",
                $"The first evaluation episode ({n} frames) replayed through the trained world model. After the first frame, which no prior can " +
                $"foresee (KL {N(kl.PerRow[0])} nats), the largest KL is at frame {t}:");
            Narration.Display(console,
                $"KL(q ‖ p) = {N(kl.PerRow[t])} nats,   β_dyn·max(F, KL) = {N(c.DynamicsWeight)}·{N(Math.Max(c.FreeBits, kl.PerRow[t]))} = {N(c.DynamicsWeight * Math.Max(c.FreeBits, kl.PerRow[t]))}," +
                $"   β_rep·max(F, KL) = {N(c.RepresentationWeight * Math.Max(c.FreeBits, kl.PerRow[t]))}");
            Narration.Text(console, kl.PerRow[t] > c.FreeBits
                ? "Above the free bits, both terms give gradients: the larger one pulls the prior toward what the frame showed, the smaller one keeps the posterior close to what the prior can predict."
                : "Below the free bits, neither term gives a gradient here: the prior already predicts this frame well enough.");
            var im = DreamerImagination.Rollout(c, nets, model.World, model.Actor, model.SlowCritic, f.Deter.SliceRows(t, 1), f.Stoch.SliceRows(t, 1),
                Key.FromSeed(7)).Imagined;
            var r = DreamerImagination.ExplainReturn(im, 0, 0, c.Gamma, c.Lambda);
            Narration.Text(console, $"From that frame's state the actor imagines {c.Horizon} steps ahead. The λ-return of the first imagined step:");
            Narration.Display(console,
                "R_0 = r_1 + γ·c_1·[(1 − λ)·v_1 + λ·R_1]",
                $"    = {N(r.Reward)} + {N(c.Gamma)}·{N(r.Continue)}·[{N(1 - c.Lambda)}·{Narration.Factor(r.Value)} + {N(c.Lambda)}·{Narration.Factor(r.NextReturn)}] = {N(r.Return)}");
            Narration.Text(console, "The actor is trained to raise such returns, with the gradient flowing back through the learned dynamics.");
            Narration.Section(console, "What the results mean");
            Tables(console, s);
            Narration.Text(console,
                $"The trained agent closes {N(Math.Round(100 * s.GapClosed))}% of the gap from the random force ({N(s.Evaluation[0].Mean)}) to the " +
                $"scripted controller ({N(s.Evaluation[2].Mean)}) with {N(s.Evaluation[1].Mean)}; its 95% interval " +
                (s.SeparatedFromRandom ? "lies clear of random's." : "overlaps random's."));
            Narration.Section(console, "Try next", "Six seeds, and another seed:");
            Narration.Display(console,
                "dotnet run -c Release --project src/Policywerk.Shell -- experiment dreamer",
                "dotnet run -c Release --project src/Policywerk.Shell -- lesson 7 --seed 7");
        }

        // ---------------------------------------------------------------- pictures

        /// <summary>Open-loop imagination restarts from the real posterior every this many steps (the actor's imagination
        /// horizon); int.MaxValue for one rollout over the whole episode.</summary>
        private const int OpenLoopSegment = int.MaxValue;

        /// <summary>What every picture of one episode needs: the real frames, the posterior reconstructions, and the
        /// open-loop imagination (restarted every <see cref="OpenLoopSegment"/> steps) under the same actions.</summary>
        internal sealed record EpisodeView(DreamerEpisode<PointMassState> Episode, ImmutableArray<double>[] Observations,
            DecodedFrame[] Reconstructed, DecodedFrame[] Imagined, int[] ImaginedFrom)
        {
            public int Steps => Episode.States.Length - 1;
        }

        private EpisodeView View(PixelPointMass world, DreamerEpisode<PointMassState> episode, WorldParams worldModel)
        {
            var c = config;
            var nets = DreamerNets.For(c, world);
            var observations = episode.States.Select(world.Observe).ToArray();
            var n = episode.States.Length;
            var reconstructed = new DecodedFrame[n];
            var imagined = new DecodedFrame[n];
            var from = new int[n];
            for (var t0 = 0; t0 < n; t0 += Math.Min(OpenLoopSegment, n))
            {
                var roll = DreamerOpenLoop.Rollout(c, nets, worldModel, observations, episode.Actions, t0, Math.Min(OpenLoopSegment, n - 1 - t0));
                for (var k = 0; k <= roll.Steps; k++)
                {
                    reconstructed[t0 + k] = roll.Reconstructed[k];
                    imagined[t0 + k] = roll.Imagined[k];
                    from[t0 + k] = t0;
                }
                if (roll.Steps == 0) break;
                if (OpenLoopSegment >= n) break;
            }
            return new EpisodeView(episode, observations, reconstructed, imagined, from);
        }

        /// <summary>The evaluation episode to show: of those that reach the target, the one that starts farthest from it;
        /// if none does, the one that closes the largest fraction of its starting distance.</summary>
        private static DreamerEpisode<PointMassState> PictureEpisode(DreamerEvaluation<PointMassState> e, PointMass dynamics)
        {
            var episodes = e.AgentEpisodes;
            var reached = episodes.Where(ep => ep.States[^1].Distance < dynamics.ReachThreshold).ToArray();
            return reached.Length > 0
                ? reached.MaxBy(ep => ep.States[0].Distance)!
                : episodes.MinBy(ep => ep.States[^1].Distance / Math.Max(1e-9, ep.States[0].Distance))!;
        }

        /// <summary>One segment of the animation: the world model after <see cref="Iteration"/> iterations imagining the
        /// picture episode, and the numbers its end card states.</summary>
        internal sealed record StageView(int Iteration, EpisodeView View, double EndDrift, double StartOffset, double PixelOffset)
        {
            /// <summary>The end card: what this stage of training makes of the episode, in the run's numbers.</summary>
            public string Card(int iterations) =>
                $"after {Iteration} of {iterations} iterations:\nimagined path ends {EndDrift.ToString("0.00", Inv)} from the real one";
        }

        /// <summary>The picture episode (the final agent's, <see cref="PictureEpisode"/>) as the world model imagined it at
        /// each stage of training (<see cref="DreamerRun.Stages"/>; the final model alone if there are none).</summary>
        internal IReadOnlyList<StageView> Stages()
        {
            var world = WorldOf(config);
            var episode = PictureEpisode(evaluation, world.Dynamics);
            var bounds = world.Dynamics.Bounds;
            var shown = stages.IsEmpty ? [new DreamerStage(logs.Length, model)] : stages;
            return shown.Select(stage =>
            {
                var view = View(world, episode, stage.Model.World);
                var s = view.Episode.States;
                var end = AgentOf(view.Imagined[view.Steps], bounds);
                var start = AgentOf(view.Imagined[view.ImaginedFrom[0]], bounds);
                var pixel = (X: PixelCentre(s[0].X, bounds), Y: PixelCentre(s[0].Y, bounds));
                return new StageView(stage.Iteration, view, Distance(end, (s[^1].X, s[^1].Y)), Distance(start, (s[0].X, s[0].Y)),
                    Distance(pixel, (s[0].X, s[0].Y)));
            }).ToArray();
        }

        private static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2));

        /// <summary>The centre of the pixel the camera puts coordinate <paramref name="v"/> in.</summary>
        private static double PixelCentre(double v, double bounds) =>
            -bounds + (PixelPointMass.ToGrid(v, bounds) + 0.5) * 2 * bounds / (PixelPointMass.Size - 1);

        /// <summary>Hundredths of a second each decision of a stage is shown; its first frame (the stage's title) and its
        /// last (the end card) are held longer.</summary>
        internal const uint StepCs = 20, StageTitleCs = 120, CardCs = 300;

        /// <summary>Frames a stage shows at most besides its first: every decision of a short episode, every few of a long
        /// one (each shown for as many decisions), so three stages cost few frames to draw.</summary>
        internal const int StageFrames = 6;

        /// <summary>One frame of the animation: the stage's iteration, the step shown, how long, and the end card if any.</summary>
        internal sealed record AnimationFrame(int Stage, int Iteration, int Step, uint DelayCs, string? Card);

        /// <summary>The animation's frames, stage after stage: steps 0, k, 2k, … and the last step, which carries the
        /// stage's end card.</summary>
        internal IReadOnlyList<AnimationFrame> Animation(IReadOnlyList<StageView> views)
        {
            var frames = new List<AnimationFrame>();
            for (var i = 0; i < views.Count; i++)
            {
                var (stage, steps) = (views[i], views[i].View.Steps);
                var stride = Math.Max(1, (steps + StageFrames - 1) / StageFrames);
                for (var t = 0; t < steps; t += stride)
                    frames.Add(new AnimationFrame(i, stage.Iteration, t, t == 0 ? StageTitleCs : (uint)(StepCs * stride), null));
                frames.Add(new AnimationFrame(i, stage.Iteration, steps, CardCs, stage.Card(logs.Length)));
            }
            return frames;
        }

        public void WritePictures(PictureWriter writer)
        {
            var world = WorldOf(config);
            var bounds = world.Dynamics.Bounds;
            var views = Stages();
            // the legend's corner from every stage's paths, so that it stays put for the whole animation
            var points = views.SelectMany(v => v.View.Episode.States.Select(p => (p.X, p.Y)).Concat(v.View.Imagined.Select(f => AgentOf(f, bounds)))
                .Append((v.View.Episode.States[0].TargetX, v.View.Episode.States[0].TargetY))).ToArray();
            var corner = EmptiestCorner(points, bounds);
            var animation = Animation(views);
            // each stage's traces are the same for every frame of the stage: drawn once
            var traces = views.Select(v => TracePlots(compact: true, v.Iteration)).ToArray();
            var frames = animation.Select(f =>
            {
                var stage = views[f.Stage];
                var title = $"After {stage.Iteration} of {logs.Length} iterations: real vs imagined";
                return ThreePane.Compose(WorldPane(world, stage, f.Step, title, corner, f.Card), FramePane(world, stage, f.Step), traces[f.Stage]);
            }).ToArray();
            var delays = animation.Select(f => f.DelayCs).ToArray();
            writer.Gif("artifact.gif", frames, delays);
            var final = views[^1];
            var poster = WorldPane(world, final, final.View.Steps,
                $"Real vs imagined: the same {final.View.Steps} actions from one start" +
                (final.View.Episode.States[^1].Distance < world.Dynamics.ReachThreshold ? " (target reached)" : ""), corner, null);
            writer.Png("poster.png", Panels.Render(poster, 900, 900));
            writer.Png("trace.png", Panels.Grid(TracePlots(compact: false, null), 3, 560, 380));
        }

        /// <summary>The world pane's cells the camera sees the agent and the target in: light versions of their paths' colours.</summary>
        private static readonly ScottPlot.Color AgentPixelFill = Draw.Mix(Palette.EmptyPixel, Palette.Accent, 0.35),
                                                TargetPixelFill = Draw.Mix(Palette.EmptyPixel, Palette.Second, 0.35);

        /// <summary>(x, y) of the imagined agent: the heaviest blob of the decoded frame, in world coordinates.</summary>
        private static (double X, double Y) AgentOf(DecodedFrame frame, double bounds) =>
            (PixelPointMass.FromGrid(frame.Heaviest.X, bounds), PixelPointMass.FromGrid(frame.Heaviest.Y, bounds));

        /// <summary>The world at step t as its 16×16 pixels (light: empty, orange: target, blue: agent), the real path,
        /// the imagined path from the shared start, the target; the legend in <paramref name="corner"/> with all its entries
        /// from the first frame, and <paramref name="card"/> (a stage's end card) when given.</summary>
        private static Plot WorldPane(PixelPointMass world, StageView stage, int t, string title, Alignment corner, string? card)
        {
            var view = stage.View;
            var bounds = world.Dynamics.Bounds;
            var cell = 2 * bounds / (PixelPointMass.Size - 1);
            var plot = new Plot();
            plot.Title(title, 14);
            var o = view.Observations[t];
            var fills = new ScottPlot.Color[PixelPointMass.Size * PixelPointMass.Size];
            for (var i = 0; i < fills.Length; i++)
                fills[i] = o[i] >= PixelPointMass.AgentPixel ? AgentPixelFill : o[i] > 0 ? TargetPixelFill : Palette.EmptyPixel;
            plot.Add.Plottable(new CellGrid(-bounds, -bounds, cell, cell, PixelPointMass.Size, PixelPointMass.Size, fills, Palette.PixelLine, 1));
            var t0 = view.ImaginedFrom[t];
            var s = view.Episode.States;
            var rx = s.Take(t + 1).Select(p => p.X).ToArray();
            var ry = s.Take(t + 1).Select(p => p.Y).ToArray();
            Charts.Line(plot, rx, ry, Palette.Accent, null, 3f, 4f);
            var imagined = Enumerable.Range(t0, t - t0 + 1).Select(i => AgentOf(view.Imagined[i], bounds)).ToArray();
            var im = Charts.Line(plot, imagined.Select(p => p.X).ToArray(), imagined.Select(p => p.Y).ToArray(), Palette.Second, null, 3f, 4f);
            im.LinePattern = LinePattern.Dashed;
            for (var i = t0 + 10; i <= t; i += 10)
            {
                // the same step on both paths: how far imagination has drifted after i − t0 steps
                var tie = plot.Add.Line(s[i].X, s[i].Y, imagined[i - t0].X, imagined[i - t0].Y);
                tie.LineColor = Palette.Truth;
                tie.LineWidth = 1;
                tie.LinePattern = LinePattern.Dotted;
                if (t - i >= 5) // a label a few steps before the end would sit under the end dot
                    Charts.Label(plot, $"{i}", imagined[i - t0].X, imagined[i - t0].Y, Alignment.LowerLeft, 10, Palette.Second);
            }
            plot.Add.Marker(s[0].TargetX, s[0].TargetY, MarkerShape.FilledDiamond, 18, Palette.Negative);
            plot.Add.Marker(s[t0].X, s[t0].Y, MarkerShape.OpenCircle, 18, Palette.Ink);
            plot.Add.Marker(rx[^1], ry[^1], MarkerShape.FilledCircle, 13, Palette.Accent);
            plot.Add.Marker(imagined[^1].X, imagined[^1].Y, MarkerShape.FilledCircle, 13, Palette.Second);
            plot.Axes.SetLimits(-bounds, bounds + cell, -bounds, bounds + cell);
            plot.Axes.SquareUnits();
            Draw.FewTicks(plot); // about six labelled ticks at any size (the poster is larger than the frames' pane)
            plot.XLabel("x", 12);
            plot.YLabel("y", 12);
            // the legend's entries are fixed: the same from the first frame to the last
            plot.Legend.ManualItems.AddRange(
            [
                new LegendItem { LabelText = "real agent", LineColor = Palette.Accent, LineWidth = 3, MarkerShape = MarkerShape.FilledCircle, MarkerSize = 8, MarkerColor = Palette.Accent },
                new LegendItem { LabelText = $"imagined (from step {t0})", LineColor = Palette.Second, LineWidth = 3, LinePattern = LinePattern.Dashed,
                    MarkerShape = MarkerShape.FilledCircle, MarkerSize = 8, MarkerColor = Palette.Second },
                new LegendItem { LabelText = "same step (every 10)", LineColor = Palette.Truth, LineWidth = 1, LinePattern = LinePattern.Dotted },
                new LegendItem { LabelText = "target", MarkerShape = MarkerShape.FilledDiamond, MarkerSize = 12, MarkerColor = Palette.Negative },
                new LegendItem { LabelText = "shared start", MarkerShape = MarkerShape.OpenCircle, MarkerSize = 12, MarkerColor = Palette.Ink },
                new LegendItem { LabelText = "the camera's pixels: agent, target", MarkerShape = MarkerShape.FilledSquare, MarkerSize = 11,
                    MarkerColor = AgentPixelFill, LineColor = TargetPixelFill, LineWidth = 8 },
            ]);
            plot.ShowLegend(corner);
            plot.Legend.FontSize = 11;
            if (card is not null)
            {
                var upper = corner is Alignment.UpperLeft or Alignment.UpperRight;
                Charts.Card(plot, card, cell / 2, upper ? -bounds + 0.2 : bounds + cell - 0.2,
                    upper ? Alignment.LowerCenter : Alignment.UpperCenter, 13, Palette.White.WithAlpha(0.92));
            }
            return plot;
        }

        /// <summary>The corner whose legend-sized box (45% × 30% of the world) covers the fewest drawn points, ties to the
        /// one farthest from them.</summary>
        private static Alignment EmptiestCorner(IEnumerable<(double X, double Y)> points, double bounds)
        {
            var list = points.ToArray();
            double lo = -bounds, hi = bounds + 2 * bounds / (PixelPointMass.Size - 1), w = 0.45 * (hi - lo), h = 0.3 * (hi - lo);
            (Alignment Corner, double X0, double X1, double Y0, double Y1)[] boxes =
            [
                (Alignment.UpperRight, hi - w, hi, hi - h, hi), (Alignment.UpperLeft, lo, lo + w, hi - h, hi),
                (Alignment.LowerRight, hi - w, hi, lo, lo + h), (Alignment.LowerLeft, lo, lo + w, lo, lo + h),
            ];
            int Covered((Alignment, double X0, double X1, double Y0, double Y1) b) =>
                list.Count(p => p.X >= b.X0 - 0.1 && p.X <= b.X1 + 0.1 && p.Y >= b.Y0 - 0.1 && p.Y <= b.Y1 + 0.1);
            double Clearance((Alignment, double X0, double X1, double Y0, double Y1) b) =>
                list.Min(p => Math.Max(Math.Max(b.X0 - p.X, p.X - b.X1), Math.Max(b.Y0 - p.Y, p.Y - b.Y1)));
            return boxes.OrderBy(Covered).ThenByDescending(Clearance).First().Corner;
        }

        /// <summary>Four 16×16 frames: the real frame (its agent and target pixels named), the model's reconstruction
        /// (posterior), the imagined frame k steps ahead (prior, open loop), and the real and imagined frames overlaid; below
        /// them how far imagination has drifted at step t, and why the imagined path does not start on the real one.</summary>
        private static Plot FramePane(PixelPointMass world, StageView stage, int t)
        {
            const int n = PixelPointMass.Size;
            var view = stage.View;
            var plot = new Plot();
            plot.Title($"What the model sees and predicts (step {t})", 14);
            plot.HideAxesAndGrid();
            var t0 = view.ImaginedFrom[t];
            var k = t - t0;
            var real = view.Observations[t];
            var recon = Scaled(view.Reconstructed[t].Pixels);
            var imag = Scaled(view.Imagined[t].Pixels);
            Frame(plot, 2, 0, i => Gray(real[i]));
            Frame(plot, 2, n + 5, i => Gray(recon[i]));
            Frame(plot, n + 6, 0, i => Gray(imag[i]));
            Frame(plot, n + 6, n + 5, i => Draw.Mix(Draw.Mix(Palette.White, Palette.Accent, Math.Min(1, real[i])), Palette.Second, 0.85 * imag[i]));
            NamePixels(plot, world, view.Episode.States[t]);
            Charts.Label(plot, "real frame", n / 2.0, -1.6, Alignment.LowerCenter, 12, bold: true);
            Charts.Label(plot, "model's reconstruction", n + 5 + n / 2.0, -1.6, Alignment.LowerCenter, 12, bold: true);
            Charts.Label(plot, $"imagined {k} steps ahead", n / 2.0, -n - 5.6, Alignment.LowerCenter, 12, bold: true);
            Charts.Label(plot, "real (blue), imagined (orange)", n + 5 + n / 2.0, -n - 5.6, Alignment.LowerCenter, 11, bold: true);
            var bounds = world.Dynamics.Bounds;
            var s = view.Episode.States[t];
            var drift = Distance(AgentOf(view.Imagined[t], bounds), (s.X, s.Y));
            Charts.Label(plot, $"step {t}: the imagined agent is {k} steps ahead, {drift.ToString("0.00", Inv)} from the real one",
                n + 2.5, -2 * n - 6.4, Alignment.UpperCenter, 11, Palette.Ink, bold: true);
            Charts.Label(plot, $"reconstruction: posterior, frame {t} seen.  imagined: prior rolled from step {t0} (peak = white)",
                n + 2.5, -2 * n - 8.1, Alignment.UpperCenter, 10, Palette.Ink);
            Charts.Label(plot, "under the trained agent's real actions (one episode for every stage), no frame seen since.",
                n + 2.5, -2 * n - 9.6, Alignment.UpperCenter, 10, Palette.Ink);
            Charts.Label(plot, $"The imagined path starts where the decoder puts the agent (its heaviest blob), {stage.StartOffset.ToString("0.00", Inv)} from",
                n + 2.5, -2 * n - 11.1, Alignment.UpperCenter, 10, Palette.Ink);
            Charts.Label(plot, $"the true start: the camera's pixel is only {stage.PixelOffset.ToString("0.00", Inv)} off it, the rest is the decoder's error.",
                n + 2.5, -2 * n - 12.6, Alignment.UpperCenter, 10, Palette.Ink);
            plot.Axes.SetLimits(-0.5, 2 * n + 5.5, -2 * n - 14.4, 0.5);
            plot.Axes.SquareUnits();
            return plot;
        }

        /// <summary>"agent" and "target" beside their pixels in the real frame (drawn at cell row 2, column 0 by
        /// <see cref="Frame"/>): the agent is the white pixel (1.0), the target the grey one (0.7), under the agent once reached.</summary>
        private static void NamePixels(Plot plot, PixelPointMass world, PointMassState s)
        {
            const int n = PixelPointMass.Size;
            const int row0 = 2;
            var agent = world.AgentAt(s);
            var target = world.TargetAt(s);
            (double X, double Y) Centre(Policywerk.Pure.Worlds.Pixel p) => (p.Col + 0.5, -row0 - n + p.Row + 0.5);
            void Name(string text, Policywerk.Pure.Worlds.Pixel p, double dy)
            {
                var (x, y) = Centre(p);
                var right = p.Col < n - 6;
                Charts.Label(plot, text, right ? x + 0.8 : x - 0.8, y + dy, right ? Alignment.MiddleLeft : Alignment.MiddleRight, 9, Palette.White, bold: true);
            }
            if (agent == target) { Name("agent on target", agent, 0); return; }
            var close = Math.Abs(agent.Row - target.Row) <= 1;
            Name("agent", agent, close && agent.Row >= target.Row ? 0.6 : close ? -0.6 : 0);
            Name("target", target, close && target.Row > agent.Row ? 0.6 : close ? -0.6 : 0);
        }

        /// <summary>v / max v: a decoded frame's light spread over its blob, brightened so its peak is white.</summary>
        private static double[] Scaled(ImmutableArray<double> pixels)
        {
            var max = Math.Max(1e-9, pixels.Max());
            return pixels.Select(v => v / max).ToArray();
        }

        private static ScottPlot.Color Gray(double v) => Draw.Mix(Palette.Black, Palette.White, Math.Clamp(v, 0, 1));

        /// <summary>A 16×16 frame drawn as cells with its top-left corner at cell (row0, col0); image row i is y, so row 15 is drawn on top.</summary>
        private static void Frame(Plot plot, int row0, int col0, Func<int, ScottPlot.Color> color)
        {
            const int n = PixelPointMass.Size;
            var fills = new ScottPlot.Color[n * n];
            for (var i = 0; i < fills.Length; i++) fills[i] = color(i);
            plot.Add.Plottable(new CellGrid(col0, -row0 - n, 1, 1, n, n, fills, Palette.FrameLine, 0.5f));
        }

        /// <summary>The training curves, one panel each: reconstruction, reward loss, KL, real episode reward (with the
        /// evaluation's random and scripted means); the full trace adds the imagined return and the actor's σ. With
        /// <paramref name="mark"/>, an animation stage's iteration: the curves drawn up to it only (on the whole run's axes),
        /// with a line at it on each panel.</summary>
        private List<Plot> TracePlots(bool compact, int? mark)
        {
            var font = compact ? 12f : 15f;
            var xs = logs.Select(l => (double)l.Iteration).ToArray();
            void Curve(Plot p, double[] x, double[] y, ScottPlot.Color color, float markerSize = 0f)
            {
                if (mark is not { } m)
                {
                    Charts.Line(p, x, y, color, null, 2f, markerSize);
                    return;
                }
                var upTo = x.Count(v => v <= m);
                Charts.Line(p, x, y, color.WithAlpha(0), null, 2f, markerSize); // the whole run, unseen: the axes stay put
                if (upTo > 0) Charts.Line(p, x[..upTo], y[..upTo], color, null, 2f, markerSize);
                p.Add.VerticalLine(m, 2f, Palette.Ink, LinePattern.Solid);
            }
            Plot Trace(string title, string y, double[] values, ScottPlot.Color color)
            {
                var p = Draw.TracePlot(title, "iteration", y);
                p.Title(title, font);
                p.XLabel("iteration", font - 2);
                p.YLabel(y, font - 2);
                Curve(p, xs, values, color);
                return p;
            }
            var plots = new List<Plot>
            {
                Trace("Reconstruction MSE", "per pixel (×10⁻³)", logs.Select(l => 1000 * l.Reconstruction).ToArray(), Palette.Accent),
                Trace("Reward loss", "symlog MSE", logs.Select(l => l.RewardLoss).ToArray(), Palette.Second),
            };
            var kl = Trace("KL(posterior ‖ prior)", "nats", logs.Select(l => l.Kl).ToArray(), Palette.Third);
            kl.Add.HorizontalLine(config.FreeBits, 1.5f, Palette.Truth, LinePattern.Dashed);
            // at the left end, unless a stage's line is there: then at the right end
            var early = mark is { } at && at - xs[0] < 0.2 * (xs[^1] - xs[0]);
            Charts.Label(kl, "free bits", early ? xs[^1] : xs[0], config.FreeBits, early ? Alignment.LowerRight : Alignment.LowerLeft,
                compact ? 9 : 11, Palette.Truth, bold: true);
            plots.Add(kl);
            var reward = Draw.TracePlot("Real episode reward", "iteration", "return");
            reward.Title(compact ? "Real episode reward" : "Real episode reward (lines: evaluation means)", font);
            reward.XLabel("iteration", font - 2);
            reward.YLabel("return", font - 2);
            var finished = logs.Where(l => double.IsFinite(l.EpisodeReward)).ToArray();
            Curve(reward, finished.Select(l => (double)l.Iteration).ToArray(), finished.Select(l => l.EpisodeReward).ToArray(), Palette.Accent, 4f);
            // The evaluation means are lines named in a legend in the lower right, below every curve: the y axis reaches
            // far enough down to leave that band empty, so no label sits on the episode curve.
            foreach (var (y, color, pattern, text) in new[]
            {
                (evaluation.Scripted.Mean, Palette.Positive, LinePattern.Dashed, "scripted (eval)"),
                (evaluation.Agent.Mean, Palette.Third, LinePattern.Dotted, "Dreamer greedy (eval)"),
                (evaluation.Random.Mean, Palette.Negative, LinePattern.Dashed, "random (eval)"),
            })
            {
                var line = reward.Add.HorizontalLine(y, 1.5f, color, pattern);
                line.LegendText = text;
            }
            var values = finished.Select(l => l.EpisodeReward).Concat([evaluation.Scripted.Mean, evaluation.Agent.Mean, evaluation.Random.Mean]).ToArray();
            var (low, high) = (values.Min(), values.Max());
            reward.Axes.SetLimitsY(low - (compact ? 0.75 : 0.45) * (high - low), high + 0.08 * (high - low));
            reward.Legend.FontSize = compact ? 9 : 11;
            reward.ShowLegend(Alignment.LowerRight);
            plots.Add(reward);
            if (!compact)
            {
                plots.Add(Trace("Imagined return", "λ-return", logs.Select(l => l.ImaginedReturn).ToArray(), Palette.Third));
                plots.Add(Trace("Actor σ in imagination", "σ (pre-tanh)", logs.Select(l => l.ActionStd).ToArray(), Palette.Accent));
            }
            return plots;
        }
    }
}
