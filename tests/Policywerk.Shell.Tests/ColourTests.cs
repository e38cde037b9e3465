using Policywerk.Shell.Pictures;
using ScottPlot;
using Xunit;
using Palette = Policywerk.Shell.Pictures.Palette;

namespace Policywerk.Shell.Tests;

/// <summary>The palette's meanings survive colour blindness, the ramp reads as order, and a heatmap's colour bar shows the
/// data's range.</summary>
public class ColourTests
{
    /// <summary>Relative luminance (WCAG): what is left of a colour when its hue is not seen.</summary>
    private static double Luminance(Color c)
    {
        static double Linear(byte v) => v / 255.0 <= 0.04045 ? v / 255.0 / 12.92 : Math.Pow((v / 255.0 + 0.055) / 1.055, 2.4);
        return 0.2126 * Linear(c.R) + 0.7152 * Linear(c.G) + 0.0722 * Linear(c.B);
    }

    /// <summary>The WCAG contrast ratio of two colours (1 = the same lightness, 21 = black on white).</summary>
    private static double Contrast(Color a, Color b)
    {
        var (x, y) = (Luminance(a), Luminance(b));
        return (Math.Max(x, y) + 0.05) / (Math.Min(x, y) + 0.05);
    }

    /// <summary>How a deuteranope (no green cones, the commonest colour blindness) sees a colour, in linear RGB
    /// (Viénot, Brettel &amp; Mollon 1999).</summary>
    private static (double R, double G, double B) Deuteranope(Color c)
    {
        static double Linear(byte v) => v / 255.0 <= 0.04045 ? v / 255.0 / 12.92 : Math.Pow((v / 255.0 + 0.055) / 1.055, 2.4);
        var (r, g, b) = (Linear(c.R), Linear(c.G), Linear(c.B));
        var rg = 0.29275 * r + 0.70725 * g;
        return (rg, rg, -0.02234 * r + 0.02234 * g + b);
    }

    /// <summary>How far apart two colours look to a deuteranope (Euclidean, linear RGB).</summary>
    private static double SeenApart(Color a, Color b)
    {
        var (x, y) = (Deuteranope(a), Deuteranope(b));
        return Math.Sqrt((x.R - y.R) * (x.R - y.R) + (x.G - y.G) * (x.G - y.G) + (x.B - y.B) * (x.B - y.B));
    }

    [Fact]
    public void The_test_of_colour_blindness_fails_the_old_red_green_pair()
    {
        // The pair this module replaced (pit #c0392b, goal #1a7f4b) looks alike to a deuteranope: the checks below can fail.
        var (red, green) = (Color.FromHex("#c0392b"), Color.FromHex("#1a7f4b"));
        Assert.True(SeenApart(red, green) < 0.15);
        Assert.True(Contrast(red, green) < 2);
    }

    private static IEnumerable<double> Signed() => Enumerable.Range(-20, 41).Select(i => i / 20.0);

    [Fact]
    public void Good_and_bad_differ_in_lightness_not_only_in_hue()
    {
        // Red against green of the same lightness is the pair colour-blind readers cannot tell apart.
        Assert.True(Contrast(Palette.Positive, Palette.Negative) >= 3, $"goal vs pit contrast {Contrast(Palette.Positive, Palette.Negative):0.00}");
        Assert.True(SeenApart(Palette.Positive, Palette.Negative) >= 0.3, $"goal vs pit seen apart {SeenApart(Palette.Positive, Palette.Negative):0.00}");
    }

    [Fact]
    public void The_hazard_colour_is_darker_than_any_value_the_map_shades()
    {
        // Lesson 04's issue: shaded cells were "nearly the cliff's colour". The cliff must stand apart from every value.
        foreach (var v in Signed())
        {
            var shade = Draw.Diverging(v, 1);
            Assert.True(Contrast(shade, Palette.Negative) >= 2.5, $"value {v}: contrast {Contrast(shade, Palette.Negative):0.00} with the hazard");
        }
    }

    [Fact]
    public void The_diverging_map_is_orange_below_zero_purple_above_and_near_white_at_zero()
    {
        var (low, zero, high) = (Draw.Diverging(-1, 1), Draw.Diverging(0, 1), Draw.Diverging(1, 1));
        Assert.True(low.R > low.B && low.R > low.G, $"negative end {low}");
        Assert.True(high.B > high.G && high.R > high.G, $"positive end {high}");
        Assert.Equal(Palette.Neutral, zero);
        // the ends are told apart by a red–green blind reader: orange against purple is a yellow–blue difference
        Assert.True(SeenApart(low, high) >= 0.3, $"ends seen apart {SeenApart(low, high):0.00}");
        // stronger values are further from white on both sides
        foreach (var v in Signed().Where(v => v > 0))
        {
            Assert.True(Luminance(Draw.Diverging(v, 1)) < Luminance(Draw.Diverging(v - 0.05, 1)) + 1e-9);
            Assert.True(Luminance(Draw.Diverging(-v, 1)) < Luminance(Draw.Diverging(-v + 0.05, 1)) + 1e-9);
        }
    }

    [Fact]
    public void The_ramp_darkens_from_earlier_to_later()
    {
        var steps = Enumerable.Range(0, 6).Select(i => Draw.Ramp(i, 6)).ToArray();
        for (var i = 1; i < steps.Length; i++)
            Assert.True(Luminance(steps[i]) < Luminance(steps[i - 1]), $"step {i} is not darker than step {i - 1}");
        Assert.True(Contrast(steps[0], steps[^1]) >= 4, "first and last are far apart");
        Assert.Equal(Draw.Ramp(1.0), Draw.Ramp(0, 1)); // a single curve is the latest
    }

    [Fact]
    public void A_heatmap_has_a_colour_bar_labelled_with_the_datas_range_and_its_meaning()
    {
        double[] values = [-0.75, 0.0, 0.25, 1.5];
        using var plot = Charts.Heatmap("t", values, 2, 2, 1.0, ["a", "b"], ["c", "d"], "rows", "cols", "weight w");
        var bar = Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());
        Assert.Equal("weight w", bar.Label);
        plot.GetImage(400, 300).Dispose(); // draws it: the bar's ticks are made
        var labels = bar.Axis.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray();
        Assert.Contains("-0.75", labels);
        Assert.Contains("+1.50", labels);
        Assert.Contains("0", labels);
        Assert.Equal(values.Min(), bar.Source.GetRange().Min);
        Assert.Equal(values.Max(), bar.Source.GetRange().Max);
        // its colours are the cells' colours
        Assert.Equal(Draw.Diverging(-0.75, 1.0), bar.Source.Colormap.GetColor(0));
        Assert.Equal(Draw.Diverging(1.5, 1.0), bar.Source.Colormap.GetColor(1));
    }

    [Fact]
    public void A_log_axis_fitted_to_a_narrow_range_has_a_few_ticks_inside_it()
    {
        using var plot = new Plot();
        Draw.LogScaleY(plot, 0.478, 1.0); // lesson 01: one sweep after another, ×0.9
        plot.GetImage(400, 300).Dispose(); // draws it: the ticks are made
        var ticks = ((ScottPlot.TickGenerators.NumericManual)plot.Axes.Left.TickGenerator).Ticks;
        var limits = plot.Axes.GetLimits();
        Assert.InRange(ticks.Length, 2, Draw.TickCount);
        Assert.All(ticks, t => Assert.InRange(t.Position, limits.Bottom, limits.Top));
        Assert.True(limits.Top - limits.Bottom < 0.5, "the axis spans the data, not four decades down to a floor");
    }
}
