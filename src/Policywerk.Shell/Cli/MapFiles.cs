using System.Text;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Lessons;
using Spectre.Console;

namespace Policywerk.Shell.Cli;

/// <summary><c>--map FILE|NAME|list</c>: finds a built-in map or reads a map file (<see cref="GridMap.Parse"/>); every
/// problem is a <see cref="UserError"/> naming the file, and the line and column where the text is wrong.</summary>
public static class MapFiles
{
    /// <summary>A map file larger than this is not a map (30 × 30 cells and a few settings need about 1 KB).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The built-in map of this name, else the map in the file of this path.</summary>
    public static NamedMap Resolve(string nameOrPath)
    {
        if (GridMaps.Find(nameOrPath) is { } builtIn) return builtIn;
        if (!File.Exists(nameOrPath))
            throw new UserError($"--map '{nameOrPath}' is neither a built-in map ({string.Join(", ", GridMaps.All.Select(m => m.Name))}) nor a file");
        byte[] bytes;
        try
        {
            if (new FileInfo(nameOrPath).Length > MaxBytes)
                throw new UserError($"{nameOrPath}: line 1, column 1: the file is larger than {MaxBytes / 1024} KB; a map is at most {GridMap.MaxSide} × {GridMap.MaxSide} cells");
            bytes = File.ReadAllBytes(nameOrPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"cannot read the map {nameOrPath}: {e.Message}");
        }
        var parsed = GridMap.Parse(Decode(nameOrPath, bytes));
        return parsed.Map is { } map
            ? new NamedMap(nameOrPath, $"from {Path.GetFileName(nameOrPath)}", map)
            : throw new UserError($"{nameOrPath}: {parsed.Error}");
    }

    /// <summary>The file's text as strict UTF-8 (a byte-order mark is skipped); bytes that are not UTF-8 are a binary
    /// file, reported at the line and column of the first of them.</summary>
    private static string Decode(string path, byte[] bytes)
    {
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            var at = start + Math.Max(0, e.Index);
            int line = 1, lineStart = start;
            for (var i = start; i < at && i < bytes.Length; i++)
                if (bytes[i] == (byte)'\n') { line++; lineStart = i + 1; }
            throw new UserError($"{path}: line {line}, column {at - lineStart + 1}: a byte that is not UTF-8 text (0x{bytes[Math.Min(at, bytes.Length - 1)]:X2}); a map is text");
        }
    }

    /// <summary>The table <c>--map list</c> prints: every built-in map with its size and what it shows.</summary>
    public static void Print(IAnsiConsole console)
    {
        var table = new Table().AddColumn("name").AddColumn("size").AddColumn("what it shows");
        foreach (var m in GridMaps.All)
            table.AddRow(m.Name, $"{m.Map.Rows}×{m.Map.Cols}", Markup.Escape(m.Description));
        console.Write(table);
        console.WriteLine("A file works too: --map my.map (the format: docs/maps.md). Lessons 1 and 4 take a map.");
    }

    /// <summary>The lesson on the map named by <paramref name="map"/>, or a <see cref="UserError"/> if the lesson takes none.</summary>
    public static ILesson Apply(ILesson lesson, string map) =>
        lesson is IMappableLesson mappable
            ? mappable.WithMap(Resolve(map))
            : throw new UserError($"lesson {lesson.Info.Number} does not take a map; --map works with lessons 1 and 4");
}
