using Policywerk.Pure.Worlds;
using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>The balance world's pole, and a Gaussian policy's bell curve.</summary>
public static class PolePicture
{
    /// <summary>The pole at angle θ from its pivot, the ±max-angle failure lines, and the torque as an arrow; <paramref name="card"/>,
    /// if any, as a card over the middle (how the episode ended).</summary>
    public static Plot Pole(BalanceState s, double torque, double maxAngle, string title, string? card = null)
    {
        var plot = new Plot();
        plot.HideAxesAndGrid();
        plot.Title(title, 15);
        foreach (var side in new[] { -1.0, 1.0 })
        {
            var limit = plot.Add.Line(0, 0, 1.15 * Math.Sin(side * maxAngle), 1.15 * Math.Cos(side * maxAngle));
            limit.LineColor = Palette.Negative.WithAlpha(0.6);
            limit.LinePattern = LinePattern.Dashed;
            limit.LineWidth = 1.5f;
        }
        var upright = plot.Add.Line(0, 0, 0, 1.15);
        upright.LineColor = Palette.Gray.WithAlpha(0.5);
        upright.LinePattern = LinePattern.Dotted;
        var failed = Math.Abs(s.Angle) > maxAngle;
        var pole = plot.Add.Line(0, 0, Math.Sin(s.Angle), Math.Cos(s.Angle));
        pole.LineWidth = 9;
        pole.LineColor = failed ? Palette.Negative : Palette.Accent;
        var tip = plot.Add.Circle(Math.Sin(s.Angle), Math.Cos(s.Angle), 0.06);
        tip.FillColor = failed ? Palette.Negative : Palette.Accent;
        tip.LineColor = tip.FillColor;
        var floor = plot.Add.Line(-0.9, 0, 0.9, 0);
        floor.LineWidth = 3;
        floor.LineColor = Palette.Ink;
        var pivot = plot.Add.Circle(0, 0, 0.04);
        pivot.FillColor = Palette.Ink;
        if (Math.Abs(torque) > 1e-3)
        {
            var arrow = plot.Add.Arrow(0, -0.18, 0.7 * torque, -0.18);
            arrow.ArrowFillColor = Palette.Second;
            arrow.ArrowLineColor = Palette.Second;
            arrow.ArrowWidth = 4;
            arrow.ArrowheadWidth = 14;
            arrow.ArrowheadLength = 14;
        }
        var label = plot.Add.Text($"θ = {s.Angle:+0.000;-0.000;0.000} rad   torque {torque:+0.00;-0.00;0.00}   step {s.Steps}", 0, -0.3);
        label.Alignment = Alignment.UpperCenter;
        label.LabelFontSize = 13;
        label.LabelFontColor = Palette.Ink;
        if (card is not null) Charts.Card(plot, card, 0, 0.55);
        plot.Axes.SetLimits(-1.0, 1.0, -0.45, 1.25);
        plot.Axes.SquareUnits();
        return plot;
    }

    /// <summary>N(a; μ, σ²) over a ∈ [−3, 3] for the current policy (bold) and earlier ones (light to dark in the order they
    /// were learnt, <see cref="Draw.Ramp(double)"/>; each curve's T is its place in training), with the executable range
    /// [−1, 1] shaded. The density axis runs to <paramref name="yMax"/> (the same in every frame), with the legend above
    /// the curves.</summary>
    public static Plot BellCurves(string title, IReadOnlyList<(double Mean, double Std, string Label, double T)> earlier,
                                  (double Mean, double Std, string Label) current, double yMax)
    {
        var plot = Draw.TracePlot(title, "torque a", "π(a | s)");
        var range = plot.Add.HorizontalSpan(-1, 1);
        range.FillStyle.Color = Palette.Gray.WithAlpha(0.12);
        range.LineWidth = 0;
        range.LegendText = "torques applied: a clamped to [−1, 1]";
        var xs = Enumerable.Range(0, 241).Select(i => -3.0 + i * 0.025).ToArray();
        double[] Density(double mean, double std) =>
            xs.Select(x => Math.Exp(-0.5 * Math.Pow((x - mean) / std, 2)) / (std * Math.Sqrt(2 * Math.PI))).ToArray();
        foreach (var (mean, std, label, t) in earlier)
        {
            var line = plot.Add.ScatterLine(xs, Density(mean, std), Draw.Ramp(EarlierShare * t)); // lighter than the current curve
            line.LineWidth = 2f;
            line.MarkerSize = 0;
            line.LegendText = label;
        }
        var now = plot.Add.ScatterLine(xs, Density(current.Mean, current.Std), Draw.Ramp(1.0));
        now.LineWidth = 3.5f;
        now.MarkerSize = 0;
        now.LegendText = current.Label;
        plot.Add.VerticalLine(current.Mean, 1.5f, Draw.Ramp(1.0), LinePattern.Dashed);
        plot.Axes.SetLimits(-3, 3, 0, yMax);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(yMax > 1.2 ? 0.5 : 0.25);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Legend.FontSize = 11;
        return plot;
    }

    /// <summary>The share of the light-to-dark ramp the earlier curves use (by their time t ∈ [0, 1]): the current curve
    /// is the ramp's dark end, darker than any earlier one.</summary>
    private const double EarlierShare = 0.7;

    /// <summary>The top of the density axis for bell curves of these σs: the tallest peak, 1/(σ√2π), at 60% of the height,
    /// so the legend above fits clear of every curve.</summary>
    public static double BellTop(IEnumerable<double> stds) => stds.Max(std => 1 / (std * Math.Sqrt(2 * Math.PI))) / 0.6;
}
