using Policywerk.Shell.Cli;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// Writes one lesson's pictures so that nothing is ever half-written: every file goes into a hidden
/// staging folder first (<see cref="StagingFolder"/>), and only <see cref="Commit"/> puts the finished set in place
/// as <c>OUT/SLUG/</c>, replacing an earlier set as a whole. If anything fails before that, or the run is interrupted,
/// the staging folder is removed and the output folder is left as it was. A writer with a caption (a run's changed
/// settings) puts it on top of every picture and every frame (<see cref="Panels.Draw"/>).
/// </summary>
public sealed class PictureWriter : IDisposable
{
    private readonly StagingFolder _folder;
    private readonly string _staging;
    private readonly List<string> _names = [];
    private readonly List<(string Name, Composition Picture)> _pngs = [];
    private readonly string? _caption;
    private readonly Action<string, Panels.DrawnPictures, byte[]>? _inspect;

    /// <summary>Where the pictures go: <c>OUT/SLUG/</c>.</summary>
    public string TargetDir { get; }

    /// <summary>A writer for <c>OUT/SLUG/</c>; first removes the staging folders in <paramref name="outDir"/> left by
    /// runs that were killed outright.</summary>
    public PictureWriter(string outDir, string slug, string? caption = null) : this(outDir, slug, caption, null) { }

    /// <summary>A writer that also hands each animation, as drawn and as encoded, to <paramref name="inspect"/> (the tests
    /// decode every frame and compare it with the drawn one).</summary>
    internal PictureWriter(string outDir, string slug, string? caption, Action<string, Panels.DrawnPictures, byte[]>? inspect)
    {
        _caption = caption;
        _inspect = inspect;
        TargetDir = Path.Combine(outDir, slug);
        StagingFolder.RemoveAbandoned(outDir);
        _folder = StagingFolder.Create(outDir, slug);
        _staging = _folder.Files;
    }

    /// <summary>Stages <paramref name="picture"/> as a PNG. It is drawn at <see cref="Commit"/>, together with the set's
    /// other PNGs: their panes side by side on every core (<see cref="Panels.Draw"/>), then encoded side by side.</summary>
    public void Png(string name, Composition picture)
    {
        _pngs.Add((name, picture));
        _names.Add(name);
    }

    /// <summary>Draws, encodes and stages the PNGs <see cref="Png"/> has collected.</summary>
    private void DrawPngs()
    {
        if (_pngs.Count == 0) return;
        using var drawn = Panels.Draw(_pngs.Select(p => p.Picture).ToArray(), _caption);
        var encoded = new byte[_pngs.Count][];
        Parallel.For(0, _pngs.Count, i => encoded[i] = drawn.Frame(i).Png());
        for (var i = 0; i < _pngs.Count; i++) File.WriteAllBytes(Path.Combine(_staging, _pngs[i].Name), encoded[i]);
        _pngs.Clear();
    }

    /// <summary>Draws the panes of <paramref name="frames"/> on every core (<see cref="Panels.Draw"/>: a pane placed again is
    /// drawn once) and stages the frames as an animated GIF (one palette, <see cref="GifEncoder"/>, which composes each
    /// frame from the panes as it goes): each frame shown for <paramref name="delayCs"/> hundredths of a second, the last
    /// for <paramref name="holdLastCs"/>, looping forever.</summary>
    public void Gif(string name, IReadOnlyList<Composition> frames, uint delayCs, uint holdLastCs) =>
        Gif(name, frames, frames.Select((_, i) => i == frames.Count - 1 ? holdLastCs : delayCs).ToArray());

    /// <summary>As <see cref="Gif(string, IReadOnlyList{Composition}, uint, uint)"/>, frame i shown for
    /// <paramref name="delaysCs"/>[i] hundredths of a second (an animation in segments, each held at its end).</summary>
    public void Gif(string name, IReadOnlyList<Composition> frames, IReadOnlyList<uint> delaysCs)
    {
        if (frames.Count == 0) throw new ArgumentException("a GIF needs at least one frame", nameof(frames));
        if (delaysCs.Count != frames.Count) throw new ArgumentException("a GIF needs one delay per frame", nameof(delaysCs));
        using var drawn = Panels.Draw(frames, _caption);
        var (width, height) = (drawn.Width(0), drawn.Height(0));
        if (Enumerable.Range(0, drawn.Count).Any(i => drawn.Width(i) != width || drawn.Height(i) != height))
            throw new ArgumentException("every frame of an animation must have the same size", nameof(frames));
        var gif = GifEncoder.Encode(drawn.Count, width, height, drawn.Into, delaysCs);
        _inspect?.Invoke(name, drawn, gif);
        File.WriteAllBytes(Path.Combine(_staging, name), gif);
        _names.Add(name);
    }

    /// <summary>
    /// Starts drawing and encoding a small throwaway picture on the thread pool, so that the plotting, drawing and
    /// encoding code is compiled and loaded (fonts, Skia, ImageMagick) while a lesson trains on the other core; the
    /// lesson's own pictures then start warm. Nothing is written and nothing the lesson draws depends on it. Once per
    /// process: later calls return the same task.
    /// </summary>
    public static Task WarmUp() => Warming.Value;

    private static readonly Lazy<Task> Warming = new(() => Task.Run(() =>
    {
        var plot = Draw.TracePlot("warm-up", "x", "y");
        plot.Add.ScatterLine(new double[] { 0, 1, 2 }, new double[] { 0, 1, 0 }, Palette.Accent).LegendText = "line";
        plot.Add.Bar(position: 1, value: 0.5);
        Charts.Label(plot, "text", 1, 0.5, ScottPlot.Alignment.MiddleCenter);
        plot.Add.Plottable(new CellGrid(0, 0, 0.5, 0.5, 2, 2, [Palette.Accent, Palette.Second, Palette.Positive, Palette.Gray], Palette.Ink, 1));
        plot.ShowLegend();
        var pane = ThreePane.Compose(plot, plot, plot);
        using var drawn = Panels.Draw([pane, pane]);
        drawn.Frame(0).Png();
        // a frame of more colours than a GIF holds, so the palette is quantized (ImageMagick) as a lesson's is
        GifEncoder.Encode(2, 32, 32, (i, rgba) =>
        {
            for (var p = 0; p < rgba.Length / 4; p++)
                (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2], rgba[4 * p + 3]) = ((byte)p, (byte)(p >> 8), (byte)i, 255);
        }, [1, 1]);
    }));

    /// <summary>Stages pictures with <paramref name="stage"/> in a writer for <c>OUT/SLUG/</c> and commits them; returns
    /// their final paths. The one way a command writes its pictures. A file that cannot be written (a full disk, a lost
    /// permission) is a <see cref="WriteError"/> naming the folder and the cause.</summary>
    public static IReadOnlyList<string> Write(string outDir, string slug, string? caption, Action<PictureWriter> stage) =>
        Write(outDir, slug, caption, stage, null);

    /// <summary><see cref="Write(string, string, string?, Action{PictureWriter})"/> with each animation handed to
    /// <paramref name="inspect"/> as drawn and as encoded.</summary>
    internal static IReadOnlyList<string> Write(string outDir, string slug, string? caption, Action<PictureWriter> stage,
                                                Action<string, Panels.DrawnPictures, byte[]>? inspect)
    {
        try
        {
            using var writer = new PictureWriter(outDir, slug, caption, inspect);
            stage(writer);
            return writer.Commit();
        }
        catch (Exception e) when (WriteFailure(e) is { } cause) // a filter: it runs before the staged files are removed
        {
            throw new WriteError(Path.Combine(outDir, slug), cause);
        }
    }

    /// <summary>The I/O failure in <paramref name="e"/>, if it is one (every file is written by .NET), or in one of
    /// several tasks run in parallel.</summary>
    private static Exception? WriteFailure(Exception e) => e switch
    {
        IOException or UnauthorizedAccessException => e,
        AggregateException all => all.InnerExceptions.Select(WriteFailure).FirstOrDefault(cause => cause is not null),
        _ => null,
    };

    /// <summary>Draws the PNGs (<see cref="Png"/>), puts the staged set in place as a whole
    /// (<see cref="StagingFolder.CommitTo"/>) and returns the files' final paths.</summary>
    public IReadOnlyList<string> Commit()
    {
        DrawPngs();
        _folder.CommitTo(TargetDir);
        return _names.Select(name => Path.Combine(TargetDir, name)).ToList();
    }

    /// <summary>Removes the staging folder (with the staged files if they were not committed).</summary>
    public void Dispose() => _folder.Dispose();
}
