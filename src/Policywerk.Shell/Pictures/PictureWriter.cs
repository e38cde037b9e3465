using ImageMagick;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// Writes one lesson's pictures so that nothing is ever half-written: every file goes into a hidden
/// staging folder first, and only <see cref="Commit"/> moves the finished files into
/// <c>OUT/SLUG/</c>. If anything fails before that, the staging folder is removed and the output folder
/// is left as it was. A writer with a caption (a run's changed settings) puts it on top of every picture and every
/// frame (<see cref="Panels.Captioned"/>).
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

    /// <summary>Stages a PNG.</summary>
    public void Png(string name, byte[] png)
    {
        File.WriteAllBytes(Path.Combine(_staging, name), Caption(png));
        _names.Add(name);
    }

    /// <summary>Stages an animated GIF made of PNG frames, each shown for <paramref name="delayCs"/>
    /// hundredths of a second; the last one for <paramref name="holdLastCs"/>.</summary>
    public void Gif(string name, IReadOnlyList<byte[]> pngFrames, uint delayCs, uint holdLastCs)
    {
        if (pngFrames.Count == 0) throw new ArgumentException("a GIF needs at least one frame", nameof(pngFrames));
        // Decode every frame to raw RGBA, on every core.
        var pixels = new byte[pngFrames.Count][];
        uint width = 0, height = 0;
        Parallel.For(0, pixels.Length, i =>
        {
            using var image = new MagickImage(Caption(pngFrames[i]));
            using var raw = image.GetPixels();
            pixels[i] = raw.ToByteArray(PixelMapping.RGBA) ?? throw new InvalidOperationException("frame without pixels");
            if (i == 0) (width, height) = (image.Width, image.Height);
        });
        // A pixel that equals the previous frame's becomes transparent: each frame is drawn over the last
        // (dispose: none), and the long runs of transparency compress well. Then 255 colours + transparency.
        var images = new MagickImage[pixels.Length];
        var read = new PixelReadSettings(width, height, StorageType.Char, PixelMapping.RGBA);
        Parallel.For(0, images.Length, i =>
        {
            var rgba = i == 0 ? pixels[0] : TransparentWhereUnchanged(pixels[i], pixels[i - 1]);
            var image = new MagickImage(rgba, read) { AnimationDelay = delayCs, GifDisposeMethod = GifDisposeMethod.None };
            image.Quantize(new QuantizeSettings { Colors = 256, DitherMethod = DitherMethod.No });
            images[i] = image;
        });
        using var frames = new MagickImageCollection();
        foreach (var image in images) frames.Add(image);
        frames[frames.Count - 1].AnimationDelay = holdLastCs;
        frames[0].AnimationIterations = 0; // loop forever
        frames.Write(Path.Combine(_staging, name), MagickFormat.Gif);
        _names.Add(name);
    }

    private byte[] Caption(byte[] png) => _caption is null ? png : Panels.Captioned(png, _caption);

    private static byte[] TransparentWhereUnchanged(byte[] current, byte[] previous)
    {
        if (current.Length != previous.Length) return current; // a frame of another size is drawn whole
        var result = (byte[])current.Clone();
        for (var p = 0; p < result.Length; p += 4)
            if (current[p] == previous[p] && current[p + 1] == previous[p + 1] && current[p + 2] == previous[p + 2])
                result[p + 3] = 0;
        return result;
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
