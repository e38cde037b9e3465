namespace Policywerk.Shell.Cli;

/// <summary>Writes a file so that it is either the old one or the whole new one, never half of it: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target.</summary>
public static class AtomicFile
{
    public static void Write(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (Exception) { /* best effort: the write already failed */ }
            throw new WriteError(path, e);
        }
    }
}
