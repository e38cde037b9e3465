namespace Policywerk.Shell.Pictures;

/// <summary>
/// Writes one lesson's pictures so that nothing is ever half-written: every file goes into a hidden
/// staging folder first, and only <see cref="Commit"/> moves the finished files into
/// <c>OUT/SLUG/</c>. If anything fails before that, the staging folder is removed and the output folder
/// is left as it was. A writer with a caption (a run's changed settings) puts it on top of every picture and every
/// frame (<see cref="Panels.Draw"/>).
/// </summary>
public sealed class PictureWriter : IDisposable
{
    private readonly string _staging;
    private readonly List<string> _names = [];
    private readonly string? _caption;
    private bool _committed;

    public string TargetDir { get; }

    public PictureWriter(string outDir, string slug, string? caption = null)
    {
        _caption = caption;
        TargetDir = Path.Combine(outDir, slug);
        _staging = Path.Combine(outDir, $".{slug}.staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_staging);
    }

    /// <summary>Draws <paramref name="picture"/> and stages it as a PNG.</summary>
    public void Png(string name, Composition picture)
    {
        File.WriteAllBytes(Path.Combine(_staging, name), Panels.Draw([picture], _caption)[0].Png());
        _names.Add(name);
    }

    /// <summary>Draws <paramref name="frames"/> on every core (<see cref="Panels.Draw"/>: a pane or a frame listed again is
    /// drawn once) and stages them as an animated GIF (one palette, <see cref="GifEncoder"/>): each frame shown for
    /// <paramref name="delayCs"/> hundredths of a second, the last for <paramref name="holdLastCs"/>, looping forever.</summary>
    public void Gif(string name, IReadOnlyList<Composition> frames, uint delayCs, uint holdLastCs)
    {
        if (frames.Count == 0) throw new ArgumentException("a GIF needs at least one frame", nameof(frames));
        var drawn = Panels.Draw(frames, _caption);
        var delays = Enumerable.Range(0, drawn.Length).Select(i => i == drawn.Length - 1 ? holdLastCs : delayCs).ToArray();
        File.WriteAllBytes(Path.Combine(_staging, name), GifEncoder.Encode(drawn, delays));
        _names.Add(name);
    }

    /// <summary>Stages pictures with <paramref name="stage"/> in a writer for <c>OUT/SLUG/</c> and commits them; returns
    /// their final paths. The one way a command writes its pictures.</summary>
    public static IReadOnlyList<string> Write(string outDir, string slug, string? caption, Action<PictureWriter> stage)
    {
        using var writer = new PictureWriter(outDir, slug, caption);
        stage(writer);
        return writer.Commit();
    }

    /// <summary>Moves every staged file into place and returns their final paths.</summary>
    public IReadOnlyList<string> Commit()
    {
        Directory.CreateDirectory(TargetDir);
        var paths = new List<string>();
        foreach (var name in _names)
        {
            var target = Path.Combine(TargetDir, name);
            File.Move(Path.Combine(_staging, name), target, overwrite: true);
            paths.Add(target);
        }
        _committed = true;
        Directory.Delete(_staging, recursive: true);
        return paths;
    }

    public void Dispose()
    {
        if (_committed) return;
        try { if (Directory.Exists(_staging)) Directory.Delete(_staging, recursive: true); }
        catch (IOException) { /* best effort: a staging folder is hidden and harmless */ }
    }
}
