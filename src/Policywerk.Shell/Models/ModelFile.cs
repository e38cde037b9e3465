using Policywerk.Shell.Pictures;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Policywerk.Pure.Worlds;
using Policywerk.Shell.Cli;
using Policywerk.Shell.Lessons;
using Spectre.Console;

namespace Policywerk.Shell.Models;

/// <summary>A lesson run that hands over the model it trained, what <c>lesson N --save FILE</c> writes.</summary>
public interface ITrainedRun<out TModel>
{
    /// <summary>The trained model (no optimizer state is saved from it).</summary>
    TModel Model { get; }
}

/// <summary>One lesson's saved model: what the file's <c>model</c> field holds, and how a loaded model is evaluated
/// (<c>evaluate N --load FILE</c>) and watched (<c>watch N --load FILE</c>) with the lesson's own greedy evaluation.</summary>
public interface ILessonModel
{
    /// <summary>The lesson's number, 1 to 7.</summary>
    int Lesson { get; }

    /// <summary>Whether the model acts: its evaluation plays episodes from seeds (lesson 03 only predicts values).</summary>
    bool Acts { get; }

    /// <summary>The episodes <c>evaluate</c> and <c>watch</c> play unless <c>--episodes</c> says otherwise: as many as the
    /// lesson's own evaluation.</summary>
    int DefaultEpisodes { get; }

    /// <summary>The trained model of <paramref name="run"/> (a run of this lesson), what <see cref="Write"/> writes.</summary>
    object ModelOf(ILessonRun run);

    /// <summary>Writes <paramref name="model"/> (this lesson's, <see cref="ModelOf"/> or <see cref="Read"/>) as the fields
    /// of the <c>model</c> object.</summary>
    void Write(ModelWriter writer, object model);

    /// <summary>Reads the <c>model</c> object for <paramref name="lesson"/> (the file's settings and map already applied),
    /// checked against what the lesson's settings build; any problem is a <see cref="UserError"/>.</summary>
    object Read(ILesson lesson, ModelField model);

    /// <summary>Prints the lesson's greedy evaluation of <paramref name="model"/> over <paramref name="episodes"/> episodes:
    /// episode i is the evaluation of <c>lesson N --seed</c> <paramref name="seed"/> + i − 1, or for lesson 07, whose own
    /// evaluation has 30 episodes, the first <paramref name="episodes"/> start layouts of that seed's evaluation.</summary>
    void Evaluate(IAnsiConsole console, ILesson lesson, object model, ulong seed, int episodes);

    /// <summary>Plays the same greedy episodes as <see cref="Evaluate"/> step by step, one text frame per step.</summary>
    void Watch(Frames frames, ILesson lesson, object model, ulong seed, int episodes);
}

/// <summary><see cref="ILessonModel"/> for a lesson class <typeparamref name="TLesson"/> whose runs train a
/// <typeparamref name="TModel"/>: the casts in one place.</summary>
public abstract class LessonModel<TLesson, TModel> : ILessonModel where TLesson : ILesson where TModel : notnull
{
    public abstract int Lesson { get; }
    public virtual int DefaultEpisodes => 1;
    public virtual bool Acts => true;

    public object ModelOf(ILessonRun run) => ((ITrainedRun<TModel>)run).Model;
    public void Write(ModelWriter writer, object model) => Write(writer, (TModel)model);
    public object Read(ILesson lesson, ModelField model) => Read((TLesson)lesson, model);
    public void Evaluate(IAnsiConsole console, ILesson lesson, object model, ulong seed, int episodes) =>
        Evaluate(console, (TLesson)lesson, (TModel)model, seed, episodes);
    public void Watch(Frames frames, ILesson lesson, object model, ulong seed, int episodes) =>
        Watch(frames, (TLesson)lesson, (TModel)model, seed, episodes);

    /// <summary>The model's fields.</summary>
    public abstract void Write(ModelWriter writer, TModel model);

    /// <summary>The model read back, checked against what <paramref name="lesson"/> builds.</summary>
    public abstract TModel Read(TLesson lesson, ModelField model);

    public abstract void Evaluate(IAnsiConsole console, TLesson lesson, TModel model, ulong seed, int episodes);
    public abstract void Watch(Frames frames, TLesson lesson, TModel model, ulong seed, int episodes);

    /// <summary>The seeds of <paramref name="episodes"/> evaluation episodes from <paramref name="seed"/> on.</summary>
    protected static IEnumerable<ulong> Seeds(ulong seed, int episodes) =>
        Enumerable.Range(0, episodes).Select(i => seed + (ulong)i);
}

/// <summary>A model file's header: what produced the model, so that loading it rebuilds the same lesson.</summary>
/// <param name="Lesson">The lesson's number.</param>
/// <param name="Seed">The seed of the training run.</param>
/// <param name="Settings">The settings the run was trained with that <c>--set</c> changed (name → value; none for the defaults).</param>
/// <param name="Map">The map of lesson 1 or 4 when it is not the lesson's default; null otherwise.</param>
public sealed record ModelHeader(int Lesson, ulong Seed, IReadOnlyList<(string Name, double Value)> Settings, NamedMap? Map);

/// <summary>A model read from a file: its header, the lesson it belongs to with the file's settings and map, and the model.</summary>
public sealed record LoadedModel(string File, ModelHeader Header, ILesson Lesson, ILessonModel Kind, object Model)
{
    /// <summary>"Lesson 05 · DQN from dqn.json (trained with seed 42, default settings)".</summary>
    public string Title
    {
        get
        {
            var settings = Header.Settings.Count == 0 ? "default settings"
                : "settings " + string.Join(", ", Header.Settings.Select(s => $"{s.Name}={s.Value.ToString("R", CultureInfo.InvariantCulture)}"));
            var map = Header.Map is { } m ? $", map {m.Name}" : "";
            return $"Lesson {Lesson.Info.Number:00} · {Lesson.Info.Algorithm} from {File} (trained with seed {Header.Seed}, {settings}{map})";
        }
    }
}

/// <summary>
/// The model file: JSON with a header and the model (docs/models.md). Writing is atomic; reading checks the format name,
/// the version, the lesson, the settings, the map and the model, and any problem is one <see cref="UserError"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The <c>format</c> field of every model file.</summary>
    public const string Format = "policywerk-model";

    /// <summary>The <c>version</c> this program writes and reads. A change to any field's meaning or layout makes a new version.</summary>
    public const int Version = 1;

    /// <summary>Every lesson's model, in lesson order.</summary>
    public static readonly IReadOnlyList<ILessonModel> Kinds =
        [new Lesson01Model(), new Lesson02Model(), new Lesson03Model(), new Lesson04Model(), new Lesson05Model(), new Lesson06Model(), new Lesson07Model()];

    /// <summary>The model kind of lesson <paramref name="number"/>.</summary>
    public static ILessonModel Kind(int number) => Kinds[number - 1];

    /// <summary>The file's bytes: the header of a run of <paramref name="lesson"/> (seed, changed settings, the map if not
    /// the default) and <paramref name="model"/>, the model it trained (<see cref="ILessonModel.ModelOf"/>).</summary>
    public static byte[] Serialize(ILesson lesson, object model, ulong seed, IReadOnlyList<(string Name, double Value)> settings)
    {
        var info = lesson.Info;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", Version);
            json.WriteNumber("lesson", info.Number);
            json.WriteString("slug", info.Slug);
            json.WriteNumber("seed", seed);
            json.WriteStartObject("settings");
            foreach (var (name, value) in settings)
            {
                json.WritePropertyName(name);
                json.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture));
            }
            json.WriteEndObject();
            if (NonDefaultMap(lesson) is { } map)
            {
                json.WriteStartObject("map");
                json.WriteString("name", map.Name);
                json.WriteString("text", map.Map.Text);
                json.WriteEndObject();
            }
            json.WriteStartObject("model");
            Kind(info.Number).Write(new ModelWriter(json), model);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>The map of lesson 1 or 4 when it is not the lesson's own.</summary>
    private static NamedMap? NonDefaultMap(ILesson lesson) =>
        lesson is IMappableLesson { Map: var map } && Catalog.Lesson(lesson.Info.Number) is IMappableLesson { Map: var standard } && map != standard
            ? map
            : null;

    /// <summary>Checks before training that <paramref name="path"/> can take the model file: a name, not a folder, in a
    /// folder that exists and accepts new files.</summary>
    public static string CheckSavePath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UserError("--save needs a file name");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new UserError($"--save '{path}' is not a valid path"); }
        if (Directory.Exists(full) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new UserError($"--save '{path}' is a folder; give a file name such as model.json");
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new UserError($"--save '{path}': the folder {folder} does not exist");
        if (!Check.IsWritable(folder)) throw new UserError($"--save '{path}': the folder {folder} does not accept new files");
        return full;
    }

    /// <summary>Writes the model file as a run log is written (<see cref="StagingFolder.WriteFile"/>): staged beside
    /// <paramref name="path"/>, removed by an interrupt, and renamed over it whole.</summary>
    public static void Save(string path, byte[] bytes) =>
        StagingFolder.WriteFile(path, staged => File.WriteAllBytes(staged, bytes));

    /// <summary>The largest model file read (lesson 07's is about 1 MB).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>Reads <paramref name="path"/> as a model of lesson <paramref name="lesson"/> for <paramref name="command"/>
    /// (<c>evaluate 5</c>); every problem is one <see cref="UserError"/>.</summary>
    public static LoadedModel Load(string path, int lesson, string command)
    {
        if (Directory.Exists(path)) throw new UserError($"--load '{path}' is a folder, not a model file");
        if (!File.Exists(path)) throw new UserError($"--load '{path}': no such file");
        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxBytes) throw new UserError($"{path} is larger than {MaxBytes / 1024 / 1024} MB; not a model file");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"cannot read the model {path}: {e.Message}");
        }
        return Parse(path, bytes, lesson, command);
    }

    /// <summary>The model in <paramref name="bytes"/> (read from <paramref name="file"/>) as a model of lesson
    /// <paramref name="lesson"/>; every problem is one <see cref="UserError"/>.</summary>
    public static LoadedModel Parse(string file, byte[] bytes, int lesson, string command)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new UserError($"{file} is not a model file: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} (truncated or corrupted?)");
        }
        using (document)
        {
            var root = ModelField.Top(file, document.RootElement);
            if (root.Element.ValueKind != JsonValueKind.Object) throw new UserError($"{file} is not a model file: no JSON object");
            var format = root.Optional("format")?.Element is { ValueKind: JsonValueKind.String } f ? f.GetString() : null;
            if (format != Format) throw new UserError($"{file} is not a model file: its format is {(format is null ? "missing" : $"'{format}'")}, not '{Format}'");
            var version = root.Field("version").Int();
            if (version != Version) throw new UserError($"{file} is a version {version} model; this program reads version {Version}");
            var number = root.Field("lesson").Int();
            if (number < 1 || number > Catalog.Lessons.Count) throw root.Field("lesson").Error($"is {number}; there are lessons 1 to {Catalog.Lessons.Count}");
            if (number != lesson) throw new UserError($"{file} holds a lesson {number} model; {command} needs lesson {lesson}'s");
            var info = Catalog.Info(number);
            var slug = root.Field("slug").String();
            if (slug != info.Slug) throw root.Field("slug").Error($"is '{slug}'; lesson {number} is '{info.Slug}'");
            var seed = root.Field("seed").ULong();
            if (seed > Check.MaxSeed) throw root.Field("seed").Error($"is {seed}; a seed is at most {Check.MaxSeed}");
            var target = Catalog.Lesson(number);
            NamedMap? map = null;
            if (root.Optional("map") is { } mapField)
            {
                if (target is not IMappableLesson mappable) throw mapField.Error($"lesson {number} takes no map");
                map = ReadMap(mapField);
                target = mappable.WithMap(map);
            }
            var settings = ReadSettings(root.Field("settings"), target);
            if (settings.Count > 0) target = target.With(settings);
            var kind = Kind(number);
            var model = kind.Read(target, root.Field("model"));
            return new LoadedModel(file, new ModelHeader(number, seed, settings, map), target, kind, model);
        }
    }

    private static NamedMap ReadMap(ModelField field)
    {
        var name = field.Field("name").String();
        var text = field.Field("text").String();
        if (GridMaps.Find(name) is { } builtIn && builtIn.Map.Text == text) return builtIn;
        var parsed = GridMap.Parse(text);
        return parsed.Map is { } map
            ? new NamedMap(name, "from a saved model", map)
            : throw field.Field("text").Error($"is not a map: {parsed.Error}");
    }

    /// <summary>The <c>settings</c> object checked as <c>--set</c> checks its values (names, ranges, conflicts).</summary>
    private static IReadOnlyList<(string Name, double Value)> ReadSettings(ModelField field, ILesson lesson)
    {
        var sets = field.Properties().Select(p => $"{p.Name}={p.Value.Double().ToString("R", CultureInfo.InvariantCulture)}").ToList();
        return LessonSettingsCli.Parse($"lesson {lesson.Info.Number}", lesson, sets, $"{field.File}: settings");
    }
}
