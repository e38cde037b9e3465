using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Policywerk.Pure.Neural;
using Policywerk.Shell.Cli;

namespace Policywerk.Shell.Models;

/// <summary>Writes a model's fields: the one way numbers, tables and network parameters go into a model file. Doubles are
/// written in their shortest round-trip form ("R"), so reading them back gives the same bits.</summary>
public sealed class ModelWriter(Utf8JsonWriter json)
{
    /// <summary>The JSON writer underneath, for plain fields (strings, whole numbers, nested objects).</summary>
    public Utf8JsonWriter Json => json;

    /// <summary><c>"name": [x₀, x₁, …]</c> on one line.</summary>
    public void Numbers(string name, ReadOnlySpan<double> values)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(Compact(values));
    }

    /// <summary><c>"name": [n₀, n₁, …]</c> on one line.</summary>
    public void Ints(string name, ReadOnlySpan<int> values)
    {
        json.WritePropertyName(name);
        var text = new StringBuilder("[");
        for (var i = 0; i < values.Length; i++) text.Append(i == 0 ? "" : ", ").Append(values[i].ToString(CultureInfo.InvariantCulture));
        json.WriteRawValue(text.Append(']').ToString());
    }

    /// <summary><c>"name": [{"name": "0.W", "shape": [82, 64], "values": […]}, …]</c>: a network's parameters, one entry
    /// per named, shaped segment of its layout (a layer's weights or biases), in layout order.</summary>
    public void Params(string name, Params theta)
    {
        json.WriteStartArray(name);
        foreach (var segment in theta.Layout.Segments)
        {
            json.WriteStartObject();
            json.WriteString("name", segment.Name);
            Ints("shape", segment.Shape.AsSpan());
            Numbers("values", theta.Span.Slice(segment.Offset, segment.Size));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static string Compact(ReadOnlySpan<double> values)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) throw new InvalidOperationException($"a trained model holds a non-finite number ({values[i]})");
            text.Append(i == 0 ? "" : ", ").Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }
        return text.Append(']').ToString();
    }
}

/// <summary>A field of a model file being read, with its path in the file (<c>model.online[2].shape</c>) for the messages:
/// every problem (a missing field, a wrong kind, a non-finite number, a wrong shape) is one <see cref="UserError"/> naming
/// the file and the field.</summary>
public sealed record ModelField(string File, string Path, JsonElement Element)
{
    /// <summary>The top of a file: the whole JSON document.</summary>
    public static ModelField Top(string file, JsonElement root) => new(file, "", root);

    /// <summary>A <see cref="UserError"/>: "FILE: PATH what" (the file's top: "FILE what").</summary>
    public UserError Error(string what) => new(Path.Length == 0 ? $"{File} {what}" : $"{File}: {Path} {what}");

    private string Child(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    /// <summary>The field <paramref name="name"/> of this object.</summary>
    public ModelField Field(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error("is not an object");
        return Element.TryGetProperty(name, out var value)
            ? new ModelField(File, Child(name), value)
            : throw Error($"has no '{name}' field");
    }

    /// <summary>The field <paramref name="name"/>, or null when it is absent or null.</summary>
    public ModelField? Optional(string name) =>
        Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new ModelField(File, Child(name), value)
            : null;

    /// <summary>The items of this array.</summary>
    public IReadOnlyList<ModelField> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array) throw Error("is not an array");
        return Element.EnumerateArray().Select((e, i) => new ModelField(File, $"{Path}[{i}]", e)).ToList();
    }

    /// <summary>The properties of this object, in file order.</summary>
    public IReadOnlyList<(string Name, ModelField Value)> Properties()
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error("is not an object");
        return Element.EnumerateObject().Select(p => (p.Name, new ModelField(File, Child(p.Name), p.Value))).ToList();
    }

    public string String() =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Error("is not a string");

    public int Int() =>
        Element.ValueKind == JsonValueKind.Number && Element.TryGetInt32(out var n) ? n : throw Error("is not a whole number");

    public ulong ULong() =>
        Element.ValueKind == JsonValueKind.Number && Element.TryGetUInt64(out var n) ? n : throw Error("is not a non-negative whole number");

    /// <summary>A finite number (a trained model holds no NaN or ∞).</summary>
    public double Double() => Finite(Element, Path);

    /// <summary>An array of exactly <paramref name="count"/> finite numbers.</summary>
    public ImmutableArray<double> Numbers(int count)
    {
        var items = Items();
        if (items.Count != count) throw Error($"has {items.Count} numbers; the model needs {count}");
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = Finite(items[i].Element, items[i].Path);
        return ImmutableArray.Create(values);
    }

    /// <summary>An array of exactly <paramref name="count"/> whole numbers, each in [0, <paramref name="below"/>).</summary>
    public ImmutableArray<int> Ints(int count, int below)
    {
        var items = Items();
        if (items.Count != count) throw Error($"has {items.Count} entries; the model needs {count}");
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = items[i].Int();
            if (values[i] < 0 || values[i] >= below) throw items[i].Error($"is {values[i]}; it must be from 0 to {below - 1}");
        }
        return ImmutableArray.Create(values);
    }

    /// <summary>A network's parameters written by <see cref="ModelWriter.Params"/>, checked segment by segment against
    /// <paramref name="expected"/>, the layout of the network the lesson's settings build: the same names, in order, with
    /// the same shapes; <paramref name="network"/> names the network in the messages.</summary>
    public Params Params(Layout expected, string network)
    {
        var items = Items();
        if (items.Count != expected.Segments.Length)
            throw Error($"has {items.Count} parameter blocks; {network} has {expected.Segments.Length}");
        var values = new double[expected.Size];
        for (var i = 0; i < items.Count; i++)
        {
            var segment = expected.Segments[i];
            var name = items[i].Field("name").String();
            if (name != segment.Name) throw items[i].Error($"is block '{name}'; {network} has '{segment.Name}' here");
            var shape = items[i].Field("shape").Items().Select(d => d.Int()).ToArray();
            if (!shape.AsSpan().SequenceEqual(segment.Shape.AsSpan()))
                throw items[i].Error($"block '{name}' has shape [{string.Join(", ", shape)}]; {network} needs [{string.Join(", ", segment.Shape)}]");
            items[i].Field("values").Numbers(segment.Size).AsSpan().CopyTo(values.AsSpan(segment.Offset));
        }
        return Policywerk.Pure.Neural.Params.Own(expected, values);
    }

    private double Finite(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var x) && double.IsFinite(x)
            ? x
            : throw new UserError($"{File}: {path} {(element.ValueKind == JsonValueKind.Number ? "is not a finite number" : "is not a number")}; a trained model holds finite numbers only");
}
