using Policywerk.Pure.Numerics;
using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>Training traces for the deep lessons: a noisy per-episode (or per-iteration) value drawn light, its trailing
/// mean drawn dark, optionally a second quantity on the right axis, and a mean ± band over seeds for experiments.</summary>
public static class LearningCurves
{
    /// <summary>values[0 … shown) as light points/line and their trailing mean as a bold line, over a fixed x range [0, total).</summary>
    public static Plot Trace(string title, string xLabel, string yLabel, IReadOnlyList<double> values, int shown, int window,
                             (double Low, double High) yRange, string meanLabel)
    {
        var plot = Draw.TracePlot(title, xLabel, yLabel);
        shown = Math.Clamp(shown, 0, values.Count);
        if (shown > 0)
        {
            var xs = Enumerable.Range(0, shown).Select(i => (double)i).ToArray();
            var ys = values.Take(shown).Select(v => double.IsFinite(v) ? v : double.NaN).ToArray();
            var raw = plot.Add.ScatterLine(xs, ys, Palette.Accent.WithAlpha(0.25));
            raw.LineWidth = 1;
            raw.MarkerSize = 0;
            raw.LegendText = $"each {xLabel}";
            var mean = Statistics.TrailingMean(ys.Select(v => double.IsNaN(v) ? 0.0 : v).ToArray(), window);
            var smooth = plot.Add.ScatterLine(xs, mean.ToArray(), Palette.Accent);
            smooth.LineWidth = 2.5f;
            smooth.MarkerSize = 0;
            smooth.LegendText = meanLabel;
            plot.ShowLegend(Alignment.UpperLeft);
        }
        plot.Axes.SetLimits(0, Math.Max(1, values.Count - 1), yRange.Low, yRange.High);
        Draw.IntegerTicksX(plot);
        return plot;
    }

    /// <summary>Adds a second quantity (e.g. ε or entropy) on the right axis, drawn in the second colour.</summary>
    public static void RightAxis(Plot plot, string label, IReadOnlyList<double> values, int shown, (double Low, double High) range)
    {
        shown = Math.Clamp(shown, 0, values.Count);
        if (shown > 0)
        {
            var xs = Enumerable.Range(0, shown).Select(i => (double)i).ToArray();
            var line = plot.Add.ScatterLine(xs, values.Take(shown).ToArray(), Palette.Second);
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = label;
            line.Axes.YAxis = plot.Axes.Right;
        }
        plot.Axes.Right.Label.Text = label;
        plot.Axes.Right.Label.FontSize = 13;
        plot.Axes.Right.Min = range.Low;
        plot.Axes.Right.Max = range.High;
    }

    /// <summary>Mean over seeds with its 95% band, plus a dashed target line.</summary>
    public static Plot Band(string title, string xLabel, string yLabel, IReadOnlyList<Summary> curve, double target, string targetLabel)
    {
        var plot = Draw.TracePlot(title, xLabel, yLabel);
        var xs = Enumerable.Range(0, curve.Count).Select(i => (double)i).ToArray();
        var band = plot.Add.FillY(xs, curve.Select(s => s.Upper).ToArray(), curve.Select(s => s.Lower).ToArray());
        band.FillColor = Palette.Accent.WithAlpha(0.25);
        band.LineWidth = 0;
        band.LegendText = "95% interval of the mean";
        var mean = plot.Add.ScatterLine(xs, curve.Select(s => s.Mean).ToArray(), Palette.Accent);
        mean.LineWidth = 2.5f;
        mean.MarkerSize = 0;
        mean.LegendText = "mean over seeds";
        var line = plot.Add.HorizontalLine(target, 1.5f, Palette.Negative, LinePattern.Dashed);
        line.LegendText = targetLabel;
        Draw.IntegerTicksX(plot);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }
}
