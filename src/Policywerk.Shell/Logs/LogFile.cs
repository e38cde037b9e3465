using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Policywerk.Shell.Cli;
using Policywerk.Shell.Pictures;
using Spectre.Console;

namespace Policywerk.Shell.Logs;

/// <summary>The formats of <c>--log FILE</c>, chosen by the file's extension.</summary>
public enum LogFormat
{
    /// <summary><c>.csv</c>: a header line, then one line per row; RFC 4180 quoting where a value needs it.</summary>
    Csv,

    /// <summary><c>.jsonl</c>: one JSON object per row and line, keyed by the column names.</summary>
    Jsonl,
}

/// <summary>
/// Formats a <see cref="RunLog"/> as CSV or JSON Lines and writes it the way pictures are written: into a hidden staging
/// folder beside the target first (<see cref="StagingFolder"/>), then renamed over the target in one step, so a reader never
/// sees a half-written log and an interrupt (Ctrl-C, SIGTERM) or a failed write leaves the earlier file, or none, in place.
/// Numbers are written in the invariant culture in their shortest round-trip form (they read back to the same bits); an
/// empty cell is empty in CSV and <c>null</c> in JSON.
/// </summary>
public static class LogFile
{
    /// <summary>The format <paramref name="path"/>'s extension names, or null for another extension.</summary>
    public static LogFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => LogFormat.Csv,
        ".jsonl" => LogFormat.Jsonl,
        _ => null,
    };

    /// <summary>The log as the text of a file in <paramref name="format"/>.</summary>
    public static string Format(RunLog log, LogFormat format) => format switch
    {
        LogFormat.Csv => Csv(log),
        _ => Jsonl(log),
    };

    private static string Csv(RunLog log)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', log.Columns.Select(Quoted)).Append('\n');
        foreach (var row in log.Rows)
            text.AppendJoin(',', row.Select(v => v.Number is { } x ? Number(x) : Quoted(v.Text ?? ""))).Append('\n');
        return text.ToString();
    }

    /// <summary>A number in its shortest form that reads back to the same double.</summary>
    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.</summary>
    private static string Quoted(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

    /// <summary>Names and words as they are (λ, ε), not as \u escapes: the file is UTF-8.</summary>
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Jsonl(RunLog log)
    {
        var text = new StringBuilder();
        var buffer = new MemoryStream();
        foreach (var row in log.Rows)
        {
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer, JsonOptions))
            {
                json.WriteStartObject();
                for (var j = 0; j < row.Length; j++)
                {
                    json.WritePropertyName(log.Columns[j]);
                    if (row[j].Number is { } x) json.WriteNumberValue(x);
                    else if (row[j].Text is { } word) json.WriteStringValue(word);
                    else json.WriteNullValue();
                }
                json.WriteEndObject();
            }
            text.Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary><see cref="Write(string, RunLog)"/>, then one line on <paramref name="console"/> that says where and how many
    /// rows: the one way a command writes its <c>--log</c>.</summary>
    public static void Write(IAnsiConsole console, string path, RunLog log)
    {
        Write(path, log);
        console.WriteLine($"  log: {Path.GetRelativePath(Environment.CurrentDirectory, path)} ({log.Count} {(log.Count == 1 ? "row" : "rows")}, {log.Columns.Length} columns)");
    }

    /// <summary>Writes <paramref name="log"/> to <paramref name="path"/> (checked by <see cref="Check.LogFile"/>) in the
    /// format of its extension, creating missing folders above it, atomically. A failure to write (a full disk, a lost
    /// permission) is a <see cref="WriteError"/> naming the path.</summary>
    public static void Write(string path, RunLog log)
    {
        var format = FormatOf(path) ?? throw new ArgumentException($"no log format for '{path}'", nameof(path));
        StagingFolder.WriteFile(path, staged => File.WriteAllText(staged, Format(log, format), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)));
    }
}
