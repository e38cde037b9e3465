namespace Policywerk.Shell.Pictures;

/// <summary>
/// The hidden folder <c>OUT/.SLUG.staging-ID/</c> where one run builds a set of pictures (<see cref="Files"/>) before
/// <see cref="CommitTo"/> swaps the whole set into <c>OUT/SLUG/</c>.
/// <list type="bullet">
/// <item>Ownership: the run holds <c>owner.lock</c> inside its folder open and exclusively until it is done with it.
/// The operating system drops that lock when the process dies in any way, so a folder whose lock is free was left
/// by a run killed outright (SIGKILL, power loss); <see cref="RemoveAbandoned"/> removes those and no others.</item>
/// <item>Commit: the earlier set is moved aside into this folder and the new set moved into its place, two renames
/// in one file system; a set is never mixed from two runs, and of two runs committing at once the later one wins.</item>
/// <item>Interrupts: creating, committing and removing folders pass a gate that <see cref="RemoveAllThen"/>, the
/// interrupt handler's way out, closes for good; it waits for those in progress, so an interrupt never leaves half a
/// commit. Commits of several writers in one process pass the gate together and meet as those of two processes do.</item>
/// </list>
/// </summary>
internal sealed class StagingFolder : IDisposable
{
    private const string LockName = "owner.lock";
    private const string SetName = "set";
    private const int MaxCommitAttempts = 100;

    /// <summary>A folder changed more recently than this is left alone even when its lock is free: its owner may be
    /// between creating the folder and locking it.</summary>
    internal static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private static readonly ReaderWriterLockSlim Gate = new(); // read: a folder's work; write: the interrupt
    private static readonly HashSet<StagingFolder> Live = [];  // guarded by itself

    private readonly FileStream _ownerLock;

    /// <summary>The staging folder itself.</summary>
    public string Folder { get; }

    /// <summary>The folder the pictures are staged in; it becomes <c>OUT/SLUG/</c> at the commit.</summary>
    public string Files => Path.Combine(Folder, SetName);

    private StagingFolder(string folder, FileStream ownerLock) => (Folder, _ownerLock) = (folder, ownerLock);

    /// <summary>Creates and locks a new staging folder for <paramref name="slug"/> in <paramref name="outDir"/>.</summary>
    public static StagingFolder Create(string outDir, string slug)
    {
        Gate.EnterReadLock();
        try
        {
            var folder = Path.Combine(outDir, $".{slug}.staging-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path.Combine(folder, SetName));
            try
            {
                var ownerLock = new FileStream(Path.Combine(folder, LockName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
                var staging = new StagingFolder(folder, ownerLock);
                lock (Live) Live.Add(staging);
                return staging;
            }
            catch
            {
                Remove(folder);
                throw;
            }
        }
        finally
        {
            Gate.ExitReadLock();
        }
    }

    /// <summary>Removes the staging folders in <paramref name="outDir"/> whose owner is gone (its lock is free, or it
    /// has none) and that have not changed for <see cref="Grace"/>. A live run's folder is left alone.</summary>
    public static void RemoveAbandoned(string outDir)
    {
        if (!Directory.Exists(outDir)) return;
        foreach (var folder in Directory.EnumerateDirectories(outDir, ".*.staging-*"))
        {
            try
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < Grace) continue;
                // opening the lock exclusively succeeds only when no process holds it
                using (OpenLockIfAny(folder)) { }
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // its owner is alive, or another run is removing it
            }
        }
    }

    private static FileStream? OpenLockIfAny(string folder)
    {
        try { return new FileStream(Path.Combine(folder, LockName), FileMode.Open, FileAccess.Write, FileShare.None); }
        catch (FileNotFoundException) { return null; } // a folder of a run from before the lock, or one killed as it began
    }

    /// <summary>Puts the staged set at <paramref name="target"/> as a whole: an earlier set there is moved aside (and
    /// removed with this folder), then the staged one is moved in. If another run's set arrives between the two
    /// moves, that one is moved aside too.</summary>
    public void CommitTo(string target)
    {
        Gate.EnterReadLock();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var previous = Path.Combine(Folder, $"previous-{attempt}");
                var movedAside = MoveIfThere(target, previous);
                try
                {
                    Directory.Move(Files, target);
                    return;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // another run's set arrived between our two moves (and may be gone again already): try again
                    if (attempt < MaxCommitAttempts && Directory.Exists(Files)) continue;
                    if (movedAside) MoveIfThere(previous, target); // put the earlier set back
                    throw;
                }
            }
        }
        finally
        {
            Gate.ExitReadLock();
        }
    }

    /// <summary>Writes one file (a run log, <see cref="Logs.LogFile"/>) so that <paramref name="path"/> holds the earlier
    /// file or the whole new one, never part of one: <paramref name="write"/> writes it at the path it is given, in a staging
    /// folder beside <paramref name="path"/> (made with any missing folders above it, removed by an interrupt as a set of
    /// pictures is), and one rename then puts it over <paramref name="path"/>. A failed write is a <see cref="Cli.WriteError"/>
    /// naming <paramref name="path"/> and the cause.</summary>
    public static void WriteFile(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file in a folder", nameof(path));
        var name = Path.GetFileName(full);
        try
        {
            RemoveAbandoned(folder);
            using var staging = Create(folder, name);
            var staged = Path.Combine(staging.Files, name);
            write(staged);
            Gate.EnterReadLock();
            try
            {
                File.Move(staged, full, overwrite: true);
            }
            finally
            {
                Gate.ExitReadLock();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Cli.WriteError(path, e);
        }
    }

    private static bool MoveIfThere(string from, string to)
    {
        try
        {
            Directory.Move(from, to);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false; // no set there yet, or another run has just moved it
        }
    }

    /// <summary>Releases the lock and removes the folder: the staged files if the set was not committed, the earlier
    /// set if it was.</summary>
    public void Dispose()
    {
        Gate.EnterReadLock();
        try
        {
            lock (Live)
                if (!Live.Remove(this)) return;
            Release();
        }
        finally
        {
            Gate.ExitReadLock();
        }
    }

    /// <summary>For the interrupt handler: waits for the commits and removals in progress, removes every staging folder
    /// of this process, then runs <paramref name="end"/> (which ends the process) with the gate closed, so that no
    /// commit or folder can start.</summary>
    internal static void RemoveAllThen(Action end)
    {
        Gate.EnterWriteLock();
        lock (Live)
        {
            foreach (var staging in Live) staging.Release();
            Live.Clear();
        }
        end();
    }

    private void Release()
    {
        _ownerLock.Dispose();
        Remove(Folder);
    }

    /// <summary>Best effort, a few tries: on an interrupt the main thread may still be adding a file to the folder.</summary>
    private static void Remove(string folder)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(10);
            }
        }
    }
}
