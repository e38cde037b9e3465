using System.Collections.Immutable;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Experiments;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Tabular;
using Policywerk.Pure.Worlds;
using Xunit;

namespace Policywerk.Pure.Tests.Experiments;

public class Sutton88Tests
{
    [Fact]
    public void Figure3_same_key_same_result_and_lambda_zero_reaches_certainty_equivalence()
    {
        var key = Key.FromSeed(3);
        var a = Sutton88.Figure3(Figure3Config.Paper, key);
        var b = Sutton88.Figure3(Figure3Config.Paper, key);
        Assert.Equal(a.Points.ToArray(), b.Points.ToArray());
        Assert.All(a.Points, p => Assert.True(p.Converged));

        var walk = new RandomWalk();
        var trainingSet = walk.SampleMany(10, key);
        var ce = TemporalDifference.CertaintyEquivalence(trainingSet, walk.StateCount, 1.0);
        Assert.Equal(TemporalDifference.RmsError(ce, walk.TrueValues, walk.WalkStates), a.Points[0].Rms, 3);
    }

    [Fact]
    public void Figure3_lambda_one_reaches_the_Widrow_Hoff_solution()
    {
        // Repeated-presentation TD(1) = Widrow–Hoff: each state's prediction is the mean outcome of its visits.
        var key = Key.FromSeed(9);
        var run = Sutton88.Figure3(Figure3Config.Paper, key);
        var walk = new RandomWalk();
        var sums = new double[7];
        var counts = new double[7];
        foreach (var w in walk.SampleMany(10, key))
            foreach (var t in w.Steps) { sums[t.State] += w.TotalReward; counts[t.State] += 1; }
        var v = new double[7];
        for (var s = 1; s <= 5; s++) v[s] = counts[s] > 0 ? sums[s] / counts[s] : 0.5;
        var expected = TemporalDifference.RmsError(new VTable(ImmutableArray.Create(v)), walk.TrueValues, walk.WalkStates);
        Assert.Equal(expected, run.Points[^1].Rms, 4);
    }

    [Fact]
    public void Figure3_error_rises_from_lambda_zero_to_one_over_training_sets()
    {
        var runs = Key.FromSeed(42).Split(30).Select(k => Sutton88.Figure3(Figure3Config.Paper, k)).ToArray();
        var summary = Sutton88.SummarizeFigure3(runs);
        Assert.Equal(7, summary.Length);
        Assert.True(summary[0].Rms.Mean < summary[^1].Rms.Mean);
        for (var i = 1; i < summary.Length; i++) Assert.True(summary[i - 1].Rms.Mean <= summary[i].Rms.Mean + 1e-9);
    }

    [Fact]
    public void Figure45_same_key_same_result_and_alpha_zero_keeps_the_initial_error()
    {
        var a = Sutton88.Figure45(Figure45Config.Paper, Key.FromSeed(4));
        var b = Sutton88.Figure45(Figure45Config.Paper, Key.FromSeed(4));
        for (var i = 0; i < a.Rms.Length; i++) Assert.Equal(a.Rms[i].ToArray(), b.Rms[i].ToArray());
        Assert.All(a.Rms, row => Assert.Equal(Math.Sqrt(1.0 / 18.0), row[0], 12));
    }

    [Fact]
    public void Figure5_every_lambda_below_one_beats_Widrow_Hoff()
    {
        var runs = Key.FromSeed(42).Split(40).Select(k => Sutton88.Figure45(Figure45Config.Paper, k)).ToArray();
        var summary = Sutton88.SummarizeFigure45(runs);
        Assert.Equal(11, summary.Figure5.Length);
        Assert.Equal(13, summary.Figure4[0].Rms.Length);
        var widrowHoff = summary.Figure5[^1].Rms.Mean;
        Assert.All(summary.Figure5.Take(10), p => Assert.True(p.Rms.Mean < widrowHoff));
        Assert.InRange(widrowHoff, 0.15, 0.23);
    }
}

public class CliffExperimentTests
{
    [Fact]
    public void Same_key_same_run_and_a_small_summary()
    {
        var config = new CliffConfig(Episodes: 60);
        var runs = Key.FromSeed(1).Split(4).Select(k => Cliff.Run(config, k)).ToArray();
        var again = Cliff.Run(config, Key.FromSeed(1).Split(4)[0]);
        Assert.Equal(runs[0].QLearning.Q, again.QLearning.Q);
        Assert.Equal(runs[0].Sarsa.RewardPerEpisode.ToArray(), again.Sarsa.RewardPerEpisode.ToArray());
        Assert.Equal(runs[0].ExpectedSarsa.StepsPerEpisode.ToArray(), again.ExpectedSarsa.StepsPerEpisode.ToArray());

        var summary = Cliff.Summarize(runs);
        Assert.Equal(60, summary.Sarsa.Length);
        Assert.Equal(runs.Average(r => r.Sarsa.RewardPerEpisode[10]), summary.Sarsa[10].Mean, 9);
    }
}

public class StatisticsTests
{
    [Fact]
    public void Summary_by_hand()
    {
        // 1, 2, 3, 4: mean 2.5, s² = 5/3, SE = √(5/12), t(3) = 3.182.
        var s = Statistics.Summarize([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.5, s.Mean);
        Assert.Equal(Math.Sqrt(5.0 / 12.0), s.StandardError, 12);
        Assert.Equal(2.5 - 3.182 * Math.Sqrt(5.0 / 12.0), s.Lower, 12);
        Assert.Equal(4, s.Count);
        Assert.Equal(new Summary(7, 0, 7, 7, 1), Statistics.Summarize([7.0]));
    }

    [Theory]
    [InlineData(31, 2.0395)]
    [InlineData(60, 2.0003)]
    [InlineData(99, 1.9842)]
    [InlineData(1000, 1.9623)]
    public void Student_t_quantiles_beyond_the_table(int df, double expected) =>
        Assert.Equal(expected, Statistics.StudentT975(df), 1e-3);
}
