using ImageMagick;
using Policywerk.Shell.Cli;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// Writes one lesson's pictures so that nothing is ever half-written: every file goes into a hidden
/// staging folder first (<see cref="StagingFolder"/>), and only <see cref="Commit"/> puts the finished set in place
/// as <c>OUT/SLUG/</c>, replacing an earlier set as a whole. If anything fails before that, or the run is interrupted,
/// the staging folder is removed and the output folder is left as it was. A writer with a caption (a run's changed
/// settings) puts it on top of every picture and every frame (<see cref="Panels.Captioned"/>).
/// </summary>
public sealed class PictureWriter : IDisposable
{
    private readonly StagingFolder _folder;
    private readonly string _staging;
    private readonly List<string> _names = [];
    private readonly string? _caption;

    /// <summary>Where the pictures go: <c>OUT/SLUG/</c>.</summary>
    public string TargetDir { get; }

    /// <summary>A writer for <c>OUT/SLUG/</c>; first removes the staging folders in <paramref name="outDir"/> left by
    /// runs that were killed outright.</summary>
    public PictureWriter(string outDir, string slug, string? caption = null)
    {
        _caption = caption;
        TargetDir = Path.Combine(outDir, slug);
        StagingFolder.RemoveAbandoned(outDir);
        _folder = StagingFolder.Create(outDir, slug);
        _staging = _folder.Files;
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
    /// their final paths. The one way a command writes its pictures. A file that cannot be written (a full disk, a lost
    /// permission) is a <see cref="WriteError"/> naming the folder and the cause.</summary>
    public static IReadOnlyList<string> Write(string outDir, string slug, string? caption, Action<PictureWriter> stage)
    {
        try
        {
            using var writer = new PictureWriter(outDir, slug, caption);
            stage(writer);
            return writer.Commit();
        }
        catch (Exception e) when (WriteFailure(e, outDir) is { } cause) // a filter: it runs before the staged files are removed
        {
            throw new WriteError(Path.Combine(outDir, slug), cause);
        }
    }

    /// <summary>The I/O failure in <paramref name="e"/>, if it is one: from .NET, from the image encoder (whose message
    /// does not say that the disk is full, so we look), or from one of several files written in parallel.</summary>
    private static Exception? WriteFailure(Exception e, string outDir) => e switch
    {
        IOException or UnauthorizedAccessException => e,
        MagickBlobErrorException or MagickFileOpenErrorException => IsFull(outDir) ? new IOException("No space left on device", e) : e,
        AggregateException all => all.InnerExceptions.Select(inner => WriteFailure(inner, outDir)).FirstOrDefault(cause => cause is not null),
        _ => null,
    };

    private static bool IsFull(string folder)
    {
        try { return new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace < 64 * 1024; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return false; }
    }

    /// <summary>Puts the staged set in place as a whole (<see cref="StagingFolder.CommitTo"/>) and returns the files'
    /// final paths.</summary>
    public IReadOnlyList<string> Commit()
    {
        _folder.CommitTo(TargetDir);
        return _names.Select(name => Path.Combine(TargetDir, name)).ToList();
    }

    /// <summary>Removes the staging folder (with the staged files if they were not committed).</summary>
    public void Dispose() => _folder.Dispose();
}
