using System.Collections.Immutable;
using System.Globalization;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Loops;
using Policywerk.Shell.Models;
using Policywerk.Shell.Pictures;
using Policywerk.Shell.Tables;
using ScottPlot;
using Spectre.Console;
using static Policywerk.Shell.Tables.Rounding;

namespace Policywerk.Shell.Lessons;

/// <summary>Average reward, ε and steps over a block of episodes.</summary>
public sealed record DqnBlock(int From, int To, double Reward, double Epsilon, double Steps);

/// <summary>One early episode, as printed.</summary>
public sealed record DqnEarlyEpisode(int Episode, double Reward, int Steps, double Epsilon);

/// <summary>Lesson 05's printed results as data.</summary>
public sealed record DqnResults(
    DqnConfig Config,
    IReadOnlyList<DqnBlock> Blocks,
    IReadOnlyList<DqnEarlyEpisode> Early,
    int Updates,
    double GreedyReward, int GreedySteps, int BricksHit, int BricksRemaining,
    IReadOnlyList<double> StartQ, string StartBest);

/// <summary>What lesson 05 keeps for its pictures and tables: the per-episode logs, the online parameters at a few
/// episodes (the pictures replay greedy games with them), and the final greedy game.</summary>
public sealed record DqnTraining(
    ImmutableArray<DqnEpisodeLog> Episodes,
    ImmutableArray<(int Episode, Params Online)> Snapshots,
    DqnModel Model,
    Trajectory<BreakoutState, int> Greedy);

/// <summary>Lesson 05 · Mnih et al. 2013: DQN on mini Breakout.</summary>
public sealed class Lesson05Dqn(DqnConfig config) : ILesson
{
    /// <summary>The lesson's hyperparameters: the Python original's (lesson 05), unchanged.</summary>
    public static readonly DqnConfig Config = new();

    /// <summary>Episodes per printed block and between picture snapshots.</summary>
    public const int Block = 50;

    /// <summary>The columns of the run's log (docs/logs.md): one row per training episode.</summary>
    public static readonly IReadOnlyList<string> LogColumns = ["episode", "reward", "steps", "epsilon", "mean_loss", "mean_max_q", "updates"];

    /// <summary>The log of a training: its episodes' records; an episode without updates has no mean loss.</summary>
    internal static Logs.RunLog LogOf(DqnTraining training) => Logs.RunLog.Of(LogColumns, training.Episodes.Select(l => new Logs.LogValue[]
    {
        l.Episode, l.Reward, l.Steps, l.Epsilon, l.Updates > 0 ? l.MeanLoss : Logs.LogValue.Empty, l.MeanMaxQ, l.Updates,
    }));

    public Lesson05Dqn() : this(Config) { }

    /// <summary>The knobs of <see cref="DqnConfig"/>, with this lesson's defaults.</summary>
    public IReadOnlyList<Setting> Settings => Setting.Of(DqnConfig.Knobs, Config);

    private DqnConfig Apply(IReadOnlyList<(string Name, double Value)> values) =>
        KnobSet.Apply(DqnConfig.Knobs, config, values);

    public ILesson With(IReadOnlyList<(string Name, double Value)> values) => new Lesson05Dqn(Apply(values));

    public string? Conflict(IReadOnlyList<(string Name, double Value)> values) => Apply(values).Conflict();

    public LessonInfo Info => Catalog.Info(5);

    /// <summary>The lesson's hyperparameters (what a saved model's settings rebuild).</summary>
    internal DqnConfig Configuration => config;

    internal static readonly ObservationWriter<BreakoutState> Observe = Breakout.WriteObservation;

    public ILessonRun Train(ulong seed, IProgress<double> progress) => new Run(config, Learn(config, seed, progress));

    /// <summary>Trains for <see cref="DqnConfig.Episodes"/> episodes and plays one greedy game (no I/O).</summary>
    internal static DqnTraining Learn(DqnConfig config, ulong seed, IProgress<double>? progress = null) =>
        Learn(config, Key.FromSeed(seed), progress);

    internal static DqnTraining Learn(DqnConfig config, Key key, IProgress<double>? progress = null)
    {
        var world = new Breakout();
        var run = TrainingLoop.Run(Dqn.Start<BreakoutState>(config, Breakout.ObservationSize, Breakout.ActionCount, key),
            config.Episodes, Block,
            runner =>
            {
                var episode = Dqn.Episode(config, world, Observe, runner);
                return (episode.Runner, episode.Log, episode.Diverged);
            },
            runner => runner.Model.Online, progress);
        var model = run.Final.Model;
        return new DqnTraining(run.Logs, run.Snapshots, model, GreedyGame(model.Net, model.Online));
    }

    /// <summary>The table of Q(s₀, a) at the start position (rounded to 4 places), the best action marked: what the
    /// lesson and <c>evaluate 5</c> print.</summary>
    internal static Table StartQTable(IReadOnlyList<double> q, int best)
    {
        var table = new Table().Title("[bold]Q-values at the start position[/]").AddColumn("action").AddColumn(new TableColumn("Q(s₀, a)").RightAligned()).AddColumn("");
        for (var a = 0; a < q.Count; a++)
            table.AddRow(ActionNames[a], Rounding.Signed(Round(q[a]), 4), a == best ? "[green]← best[/]" : "");
        return table;
    }

    /// <summary>One game with a = argmax_a Q(s, a; θ) (deterministic: the world is, and ties go to the first action).</summary>
    internal static Trajectory<BreakoutState, int> GreedyGame(Mlp net, Params theta)
    {
        var model = new DqnModel(net, theta, theta, AdamState.Init(theta), 0, 0);
        var world = new Breakout();
        return Episodes.Run(world, (s, k) => new Draw<int>(Dqn.Act(model, Observe, s), k), Breakout.Start, Key.FromSeed(0), world.MaxSteps);
    }

    private static DqnModel AsModel(DqnModel like, Params theta) => like with { Online = theta, Target = theta };

    /// <summary>How a game of mini Breakout ended, read off its last state.</summary>
    internal enum GameEnd { Missed, Cleared, TimeUp }

    /// <summary>One game played for the pictures: who played it (a label), its states s₀ … s_T, the bricks it broke, its
    /// length and how it ended.</summary>
    internal sealed record PlayedGame(string Player, IReadOnlyList<BreakoutState> States, int Bricks, int Steps, GameEnd End)
    {
        public static PlayedGame Of(string player, Trajectory<BreakoutState, int> game)
        {
            var states = game.Steps.Select(t => t.State).Append(game.Steps[^1].Next).ToList();
            var last = states[^1];
            return new PlayedGame(player, states, last.Score, game.Length,
                BreakoutPicture.Missed(last) ? GameEnd.Missed : last.BricksRemaining == 0 ? GameEnd.Cleared : GameEnd.TimeUp);
        }

        /// <summary>True when the ball took the same path in <paramref name="other"/>, breaking the same bricks at the same
        /// steps (the paddle may have moved otherwise between its catches).</summary>
        public bool SameBallPath(PlayedGame other) =>
            States.Select(s => (s.BallRow, s.BallCol, s.Bricks)).SequenceEqual(other.States.Select(s => (s.BallRow, s.BallCol, s.Bricks)));

        /// <summary>The end card written in the game's last frame, from its numbers: "after 150 episodes:" over "9/12 bricks,
        /// missed at step 66".</summary>
        public string Card => $"{Player}:\n{Bricks}/{Total} bricks, " + End switch
        {
            GameEnd.Missed => $"missed at step {Steps}",
            GameEnd.Cleared => $"cleared at step {Steps}",
            _ => $"still playing at step {Steps}",
        };

        private static int Total => BreakoutPicture.TotalBricks;
    }

    /// <summary>The greedy game of each snapshot taken during training (not the untrained network's, not the final one).</summary>
    internal static IReadOnlyList<(int Episode, PlayedGame Game)> CheckpointGames(DqnTraining training) =>
        training.Snapshots.Skip(1).SkipLast(1)
            .Select(s => (s.Episode, PlayedGame.Of($"after {s.Episode} episodes", GreedyGame(training.Model.Net, s.Online))))
            .ToList();

    /// <summary>The poster's game: the greedy game with the most bricks among the checkpoints' and the final network's (the
    /// earliest of equals), with the episode after which its network was taken and that network's parameters.</summary>
    internal static (int Episode, PlayedGame Game, Params Online) PosterGame(DqnTraining training,
                                                                             IReadOnlyList<(int Episode, PlayedGame Game)> checkpoints) =>
        checkpoints
            .Select(c => (Episode: c.Episode, Game: c.Game, Online: training.Snapshots.First(s => s.Episode == c.Episode).Online))
            .Append((Episode: training.Episodes.Length, Game: PlayedGame.Of($"trained ({training.Episodes.Length} episodes)", training.Greedy), Online: training.Model.Online))
            .MaxBy(c => c.Game.Bricks);

    /// <summary>One GIF frame: the board with the ball's trail and an end card, the model whose Q-values are shown and
    /// whether it chose the actions (greedy) or not (random play), the titles, and how much of the curve to draw.</summary>
    internal sealed record FrameSpec(BreakoutState State, IReadOnlyList<BreakoutState> Trail, string? Card, DqnModel Model, bool Greedy,
                                     string BoardTitle, string QTitle, int Shown, string TraceTitle, uint DelayCs = FrameDelay);

    /// <summary>Hundredths of a second a frame is shown.</summary>
    internal const uint FrameDelay = 18;

    /// <summary>Hundredths of a second a game's last frame (with its end card) is shown; the animation's last, longer.</summary>
    private const uint CardDelay = 180, LastDelay = 300;

    /// <summary>Every sixth state of a longer game is drawn (the trail shows the cells skipped): the whole games fit the
    /// speed and size budgets of the pictures (docs/speed.md) only so.</summary>
    private const int Stride = 6;

    /// <summary>Cells of the ball's trail drawn behind it: the two strides before.</summary>
    private const int TrailLength = 2 * Stride;


    /// <summary>Lesson 05's animation as data: random play with the untrained network's values, each training
    /// checkpoint's greedy game played to its end (a game whose ball took the same path as the checkpoint before is not
    /// replayed: its end card says so), and the trained network's greedy game; each game ends on a card with its numbers
    /// (the trained game's card also names a checkpoint that played better, if one did).</summary>
    internal static List<FrameSpec> AnimationFrames(DqnTraining training, IReadOnlyList<(int Episode, PlayedGame Game)> checkpoints)
    {
        var specs = new List<FrameSpec>();
        void Play(PlayedGame game, DqnModel model, bool greedy, string boardTitle, string qTitle, int shown, string traceTitle,
                  string? card = null, uint hold = CardDelay, bool whole = false)
        {
            var states = game.States;
            var stride = states.Count > 20 ? Stride : 1;
            var steps = Enumerable.Range(0, (states.Count - 1) / stride + 1).Select(k => k * stride).ToList();
            if (steps[^1] != states.Count - 1) steps.Add(states.Count - 1);
            if (card is not null && !whole) steps = [states.Count - 1]; // a replayed path: its card alone
            foreach (var i in steps)
            {
                var last = i == states.Count - 1;
                var trail = Enumerable.Range(Math.Max(0, i - TrailLength), Math.Min(i, TrailLength)).Select(k => states[k]).ToList();
                specs.Add(new FrameSpec(states[i], trail, last ? card ?? game.Card : null, model, greedy, boardTitle, qTitle, shown, traceTitle,
                                        last ? hold : FrameDelay));
            }
        }

        // 1. before training: a uniformly random policy (its own key); the untrained network's values do not choose.
        var world = new Breakout();
        var initial = AsModel(training.Model, training.Snapshots[0].Online);
        var random = Episodes.Run(world, (s, k) => k.NextInt(Breakout.ActionCount), Breakout.Start, Key.FromSeed(99), world.MaxSteps);
        Play(PlayedGame.Of("random play", random), initial, false, "Before training: random actions",
             "Q(s, ·) of the untrained network (not used)", 0, "reward per episode");

        // 2. during training: the greedy policy of each snapshot, its whole game.
        (int Episode, PlayedGame Game)? previous = null;
        foreach (var (episode, game) in checkpoints)
        {
            var model = AsModel(training.Model, training.Snapshots.First(s => s.Episode == episode).Online);
            var same = previous is { } p && game.SameBallPath(p.Game);
            Play(game, model, true, $"After {episode} episodes (greedy)", "Q(s, ·; θ) — the greedy action in green", episode,
                 $"reward per episode (training, episode {episode})", same ? $"{game.Card}\n(the ball's path after {previous!.Value.Episode}, again)" : null);
            previous = (episode, game);
        }

        // 3. the trained policy; if an earlier network played better, its card says so (training can undo what it learned).
        var trained = PlayedGame.Of($"trained ({training.Episodes.Length} episodes)", training.Greedy);
        var best = PosterGame(training, checkpoints);
        var card = best.Game.Bricks > trained.Bricks ? $"{trained.Card}\n(after {best.Episode}: {best.Game.Bricks}/{BreakoutPicture.TotalBricks} — DQN can forget)" : null;
        Play(trained, training.Model, true, "Trained policy (greedy)", "Q(s, ·; θ) — the greedy action in green", training.Episodes.Length,
             "reward per episode", card, hold: LastDelay, whole: true);
        return specs;
    }

    /// <summary>What the lesson prints of a greedy game: its reward (rounded), steps, bricks hit and bricks remaining.</summary>
    internal sealed record GreedyScore(double Reward, int Steps, int BricksHit, int BricksRemaining)
    {
        public static GreedyScore Of(Trajectory<BreakoutState, int> g) =>
            new(Round(g.TotalReward), g.Length, g.Steps.Count(s => s.Reward == Breakout.BrickReward), g.Steps[^1].Next.BricksRemaining);

        /// <summary>The lesson's "Greedy game (ε = 0)" table.</summary>
        public Table Table(string title = "Greedy game (ε = 0)")
        {
            var eval = new Table().Title($"[bold]{Markup.Escape(title)}[/]").HideHeaders().AddColumn("").AddColumn(new TableColumn("").RightAligned());
            eval.AddRow("reward", Rounding.Signed(Reward, 2));
            eval.AddRow("steps", $"{Steps}");
            eval.AddRow("bricks hit", $"{BricksHit}/{BreakoutPicture.TotalBricks}");
            eval.AddRow("bricks remaining", $"{BricksRemaining}");
            return eval;
        }
    }

    internal static readonly string[] ActionNames = ["Left", "Stay", "Right"];

    private sealed class Run(DqnConfig config, DqnTraining training) : ILessonRun, ITrainedRun<DqnModel>
    {
        /// <summary>The trained network (its online parameters θ act; θ⁻ and Adam's moments are for training).</summary>
        public DqnModel Model => training.Model;

        public object Results => results.Value;
        private readonly Lazy<DqnResults> results = new(() => ResultsOf(config, training));

        private static DqnResults ResultsOf(DqnConfig config, DqnTraining t)
        {
            var blocks = Blocks.Of(t.Episodes.Length, Block).Select(b => new DqnBlock(b.From, b.Last,
                Round(Blocks.Mean(t.Episodes, b, l => l.Reward)), Round(Blocks.Mean(t.Episodes, b, l => l.Epsilon)),
                Round(Blocks.Mean(t.Episodes, b, l => l.Steps), 1))).ToList();
            var early = t.Episodes.Take(5).Select(l => new DqnEarlyEpisode(l.Episode, Round(l.Reward), l.Steps, Round(l.Epsilon))).ToList();
            var g = GreedyScore.Of(t.Greedy);
            var q = Dqn.QValues(t.Model, Observe, Breakout.Start);
            return new DqnResults(config, blocks, early, t.Model.Updates,
                g.Reward, g.Steps, g.BricksHit, g.BricksRemaining,
                q.Select(v => Round(v)).ToArray(), ActionNames[Arg.Max(q.AsSpan())]);
        }

        public Logs.RunLog Log => LogOf(training);

        public IReadOnlyList<Measure> Measures =>
        [
            new("reward per episode, last block", results.Value.Blocks[^1].Reward, HigherIsBetter: true),
            new("bricks hit by the greedy game", results.Value.BricksHit, HigherIsBetter: true),
        ];

        public IEnumerable<string> Headline()
        {
            var s = results.Value;
            var late = s.Blocks[^1];
            yield return $"DQN, {s.Config.Episodes} episodes: average reward {s.Blocks[0].Reward:+0.00;-0.00;0.00} (episodes {s.Blocks[0].From}–{s.Blocks[0].To}) → {late.Reward:+0.00;-0.00;0.00} (episodes {late.From}–{late.To})";
            yield return $"greedy game: reward {s.GreedyReward:+0.00;-0.00;0.00}, {s.GreedySteps} steps, bricks hit {s.BricksHit}/{BreakoutPicture.TotalBricks}";
        }

        public void Print(IAnsiConsole console)
        {
            var s = results.Value;
            var c = s.Config;
            console.Write(new Rule("[bold]Lesson 05 · Mnih et al. 2013 — Deep Q-Network on mini Breakout[/]").LeftJustified());
            console.MarkupLine("8×10 board, 12 bricks, width-3 paddle; observation = 80 pixels + ball velocity (82 values); actions left / stay / right;");
            console.MarkupLine("brick +1, miss −1 (ends the game), every other step −0.01.  Q(s, ·; θ) replaces the Q-table.");
            console.WriteLine();
            Tables(console, s);
        }

        /// <summary>The tables of <see cref="Print"/> without its header.</summary>
        private static void Tables(IAnsiConsole console, DqnResults s)
        {
            var c = s.Config;
            var hyper = new Table().Title("[bold]Hyperparameters[/]").HideHeaders().AddColumn("").AddColumn("");
            hyper.AddRow("network", $"82 → {c.Hidden} ReLU → 3 (Glorot init), Adam lr {c.LearningRate}");
            hyper.AddRow("loss", $"Huber (δ = {c.HuberDelta}) on the TD error, batch {c.BatchSize}, one update every {c.TrainEvery} steps");
            hyper.AddRow("replay", $"{c.ReplayCapacity} transitions, updates start at {c.MinReplay}");
            hyper.AddRow("target network", $"θ⁻ ← θ every {c.TargetEvery} episodes");
            hyper.AddRow("exploration", $"ε {c.EpsilonStart} → {c.EpsilonEnd} linearly over {c.EpsilonDecayEpisodes} episodes");
            hyper.AddRow("discount, episodes", $"γ = {c.Gamma}, {c.Episodes} episodes ({s.Updates} updates)");
            console.Write(hyper);

            var blocks = new Table().Title($"[bold]Average per {Block} episodes[/]")
                .AddColumn("episodes").AddColumn(new TableColumn("reward").RightAligned())
                .AddColumn(new TableColumn("ε").RightAligned()).AddColumn(new TableColumn("steps").RightAligned()).AddColumn("");
            foreach (var b in s.Blocks)
            {
                var width = (int)Math.Round(Math.Clamp((b.Reward + 1.5) / 12.0, 0, 1) * 30);
                blocks.AddRow($"{b.From,3}–{b.To,3}", Rounding.Signed(b.Reward, 2),
                              b.Epsilon.ToString("0.00", CultureInfo.InvariantCulture), b.Steps.ToString("0", CultureInfo.InvariantCulture),
                              $"[blue]{new string('█', width)}[/]");
            }
            console.Write(blocks);
            console.MarkupLine("Early episodes (ε ≈ 1, random play): " + string.Join("; ", s.Early.Select(e =>
                $"{e.Episode}: {Rounding.Signed(e.Reward, 2)} in {e.Steps} steps")));
            console.WriteLine();

            console.Write(new GreedyScore(s.GreedyReward, s.GreedySteps, s.BricksHit, s.BricksRemaining).Table());

            console.Write(StartQTable(s.StartQ, Array.IndexOf(ActionNames, s.StartBest)));
            console.MarkupLine(s.StartBest == ActionNames[Breakout.Right]
                ? "The ball starts at row 3, column 4, moving down-right: the network prefers to follow it."
                : $"The ball starts at row 3, column 4, moving down-right, yet the network prefers {s.StartBest.ToLowerInvariant()}: its values at the start differ by only {s.StartQ.Max() - s.StartQ.Min():0.000}.");
        }

        // ---------------------------------------------------------------- narrative

        private static string N(double x) => Narration.Number(x);

        private static string Row(IEnumerable<double> values) => "(" + string.Join(", ", values.Select(N)) + ")";

        public void Narrate(IAnsiConsole console)
        {
            var s = results.Value;
            var c = s.Config;
            var world = new Breakout();
            console.Write(new Rule("[bold]Lesson 05 · Mnih et al. 2013 — Deep Q-Network on mini Breakout[/]").LeftJustified());
            Narration.Section(console, "The idea",
                "Lesson 04 kept one number per state and action. A game screen has far too many states for a table, so DQN replaces " +
                "the table with a neural network Q(s,·;θ) that reads the screen and outputs one value per action, and trains it " +
                "with Q-learning's target. Two things keep that stable: a replay buffer, from which each update draws past steps " +
                "at random instead of the last few correlated ones, and a target network θ⁻, a copy of θ refreshed now and then, " +
                "so the target does not move with every step it is chasing.");
            Narration.Section(console, "The world",
                $"A small Breakout: {Breakout.Rows * Breakout.Cols} pixels ({Breakout.Cols} × {Breakout.Rows}) and the ball's velocity, " +
                $"{Breakout.ActionCount} actions (left, stay, right), {BreakoutPicture.TotalBricks} bricks. " +
                $"A brick is worth {N(Breakout.BrickReward)}, a missed ball {N(Breakout.MissReward)} and ends the game, every other step " +
                $"{N(Breakout.StepReward)}; a game lasts at most {world.MaxSteps} steps.");
            Narration.Section(console, "The update",
                $"Each update draws {c.BatchSize} transitions from the replay buffer and takes one Adam step on the Huber loss of " +
                $"their TD errors (δ_H = {N(c.HuberDelta)}, γ = {N(c.Gamma)}):");
            Narration.Display(console,
                "y = r + γ·d·max_a′ Q(s′,a′;θ⁻)          the target, from the target network",
                "δ = Q(s,a;θ) − y,   L = Σ h(δ)/(B·|A|),   ∂L/∂Q(s,a;θ) = clip(δ, −δ_H, δ_H)/(B·|A|)");
            Narration.Code(console, "src/Policywerk.Pure/Agents/Dqn.cs", "Dqn.Loss");
            Narration.Code(console, "src/Policywerk.Pure/Agents/Dqn.Backward.cs", "Dqn.Backward");
            var last = training.Greedy.Steps[^1];
            var t = Dqn.Explain(c, training.Model, last, Observe, Breakout.ObservationSize);
            Narration.Section(console, "A worked example from this run",
                $"The last step of the trained network's greedy game (step {training.Greedy.Length}): it chose {ActionNames[t.Action].ToLowerInvariant()} " +
                $"and received r = {N(t.Reward)}" + (last.Terminal ? ", the end of the game (d = 0: nothing to bootstrap)." : "."));
            Narration.Display(console,
                $"Q(s′,·;θ⁻) = {Row(t.NextValues)}",
                $"y = r + γ·d·max Q(s′,·;θ⁻) = {N(t.Reward)} + {N(c.Gamma)}·{N(t.Discount)}·{N(t.NextValues.Max())} = {N(t.Target)}",
                $"Q(s,·;θ) = {Row(t.Values)},  Q(s,{ActionNames[t.Action].ToLowerInvariant()};θ) = {N(t.Values[t.Action])}",
                $"δ = {N(t.Values[t.Action])} − ({N(t.Target)}) = {N(t.TdError)},   ∂L/∂Q = clip(δ)/|A| = {N(t.Gradient)}");
            Narration.Text(console,
                Math.Abs(t.TdError) > c.HuberDelta
                    ? $"|δ| is above δ_H = {N(c.HuberDelta)}, so the Huber loss clips the gradient: one surprising step cannot swing the network."
                    : $"|δ| is within δ_H = {N(c.HuberDelta)}, where the Huber loss is the squared error and the gradient is δ itself (over |A|).");
            Narration.Section(console, "What the results mean");
            Tables(console, s);
            var first = s.Blocks[0];
            var best = s.Blocks.MaxBy(b => b.Reward)!;
            Narration.Text(console,
                $"The reward per game climbs from {N(first.Reward)} in episodes {first.From}–{first.To} to {N(best.Reward)} in {best.From}–{best.To}; " +
                $"the greedy game (no exploration) scores {N(s.GreedyReward)} with {s.BricksHit} of {s.BricksHit + s.BricksRemaining} bricks. One seed's greedy game is noisy: " +
                "the experiment below plays ten.");
            Narration.Section(console, "Try next", "The same over ten seeds, and another seed:");
            Narration.Display(console,
                "dotnet run -c Release --project src/Policywerk.Shell -- experiment dqn",
                "dotnet run -c Release --project src/Policywerk.Shell -- lesson 5 --seed 7");
        }

        // ---------------------------------------------------------------- pictures

        private IReadOnlyList<double> Rewards => training.Episodes.Select(l => l.Reward).ToArray();
        private static readonly (double, double) RewardRange = (-1.6, 12.5);

        private Plot Trace(int shown, string title) =>
            LearningCurves.Trace(title, "episode", "reward", Rewards, shown, 20, RewardRange, "20-episode mean");

        public void WritePictures(PictureWriter writer)
        {
            var checkpoints = CheckpointGames(training); // played once, for the animation and the poster
            var specs = AnimationFrames(training, checkpoints);
            var qs = specs.Select(f => Dqn.QValues(f.Model, Observe, f.State)).ToList();
            var spread = BreakoutPicture.QSpread(qs.Select(q => (IReadOnlyList<double>)q));
            // the trace pane is the same for every frame of a stage: one plot, drawn once
            var traces = specs.Select(f => (f.Shown, f.TraceTitle)).Distinct().ToDictionary(t => t, t => Trace(t.Shown, t.TraceTitle));
            var frames = specs.Select((f, i) => ThreePane.Compose(BreakoutPicture.Board(f.State, f.BoardTitle, f.Trail, f.Card),
                BreakoutPicture.QBars(qs[i], f.QTitle, spread, greedy: f.Greedy), traces[(f.Shown, f.TraceTitle)])).ToList();
            writer.Gif("artifact.gif", frames, specs.Select(f => f.DelayCs).ToArray());

            var best = PosterGame(training, checkpoints);
            var final = PlayedGame.Of("the final network", training.Greedy);
            var poster = best.Game.States.FirstOrDefault(s => s.Score >= 4 && !s.Done) ?? best.Game.States[^1];
            var bestModel = AsModel(training.Model, best.Online);
            writer.Png("poster.png", ThreePane.Compose(
                BreakoutPicture.Board(poster, $"After {best.Episode} episodes: {best.Game.Bricks}/{BreakoutPicture.TotalBricks} bricks (greedy)"),
                BreakoutPicture.QBars(Dqn.QValues(bestModel, Observe, poster), "Q(s, ·; θ) at this moment", spread),
                Trace(Rewards.Count, best.Episode == training.Episodes.Length
                    ? "reward per episode"
                    : $"reward per episode ({final.Card.Replace("\n", " ")})")));

            var trace = Trace(Rewards.Count, $"DQN on mini Breakout: reward per episode ({training.Episodes.Length} episodes)");
            LearningCurves.RightAxis(trace, "ε", training.Episodes.Select(l => l.Epsilon).ToArray(), Rewards.Count, (0, 1.05));
            writer.Png("trace.png", Panels.Render(trace, 960, 480));
        }
    }
}
