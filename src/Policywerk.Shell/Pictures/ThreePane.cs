using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// The one picture layout every lesson's animation shares: top left the world, top right the algorithm's internals,
/// bottom the training trace (one plot, or several side by side). Each pane is a ScottPlot plot;
/// <see cref="Panels.Compose"/> draws them onto one canvas.
/// </summary>
public static class ThreePane
{
    public const int Width = 960;
    public const int TopHeight = 440;
    public const int BottomHeight = 300;
    public const int Height = TopHeight + BottomHeight;

    /// <summary>One frame: <paramref name="world"/> top left, <paramref name="internals"/> top right,
    /// <paramref name="trace"/> across the bottom, to be drawn.</summary>
    public static Composition Compose(Plot world, Plot internals, Plot trace) => Compose(world, internals, [trace]);

    /// <summary>One frame whose bottom pane is split evenly into <paramref name="traces"/> side by side (the last takes
    /// the pixels left over); PNG bytes. The plots are disposed.</summary>
    public static Composition Compose(Plot world, Plot internals, IReadOnlyList<Plot> traces)
    {
        if (traces.Count == 0) throw new ArgumentException("the bottom pane needs at least one trace", nameof(traces));
        var panels = new List<PlacedPlot>
        {
            new(world, 0, 0, Width / 2, TopHeight),
            new(internals, Width / 2, 0, Width / 2, TopHeight),
        };
        var w = Width / traces.Count;
        for (var i = 0; i < traces.Count; i++)
            panels.Add(new PlacedPlot(traces[i], i * w, TopHeight, i == traces.Count - 1 ? Width - i * w : w, BottomHeight));
        return Panels.Compose(Width, Height, panels);
    }
}
