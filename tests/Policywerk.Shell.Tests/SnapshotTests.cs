using Policywerk.Shell.Lessons;
using Policywerk.Shell.Progress;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>Each lesson's seeded results, as data, against the snapshot in the top-level snapshots/ folder.
/// Set SNAPSHOOTER_STRICT_MODE=on (CI does) to fail when a snapshot is missing instead of creating it.</summary>
public class SnapshotTests
{
    public static string Folder => Path.Combine(ShellHarness.RepoRoot(), "snapshots");

    internal static void MatchLesson(int number, ulong seed = 42)
    {
        var run = Catalog.Lesson(number).Train(seed, ProgressBar.None);
        Snapshot.Match(run.Results, new SnapshotFullName($"lesson{number:00}_seed{seed}.snap", Folder));
    }

    [Fact]
    public void Lesson_01_results() => MatchLesson(1);
}
