using System.Collections.Immutable;
using System.Globalization;

namespace Policywerk.Pure.Worlds;

/// <summary>Where and why a map's text is wrong: 1-based line and column in the text, and one sentence.</summary>
public sealed record MapError(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>What <see cref="GridMap.Parse"/> returns: the map, or the first error in its text (exactly one is set).</summary>
public sealed record MapParse(GridMap? Map, MapError? Error)
{
    public static MapParse Of(GridMap map) => new(map, null);
    public static MapParse Fail(int line, int column, string message) => new(null, new MapError(line, column, message));
}

/// <summary>
/// A grid world as data: its size, what occupies each cell (row-major, rows from the top), the start, and the rewards
/// and slip of its dynamics (<see cref="Gridworld"/> gives them meaning). Built by <see cref="Parse"/> from text.
/// </summary>
/// <param name="Rows">Rows, from the top (1 to <see cref="MaxSide"/>).</param>
/// <param name="Cols">Columns, from the left (1 to <see cref="MaxSide"/>).</param>
/// <param name="Cells">Rows·Cols cell kinds, row-major; the start is an <see cref="CellKind.Empty"/> cell.</param>
/// <param name="Start">The start cell.</param>
/// <param name="GoalReward">Paid on entering a goal G (the episode ends).</param>
/// <param name="PitReward">Paid on entering a pit X (the episode ends).</param>
/// <param name="CliffReward">Paid on entering a cliff cell C (the agent is sent back to the start; the episode goes on).</param>
/// <param name="StepReward">Paid for every other move, also one that bumps into a wall or the border.</param>
/// <param name="Slip">The chance that a move goes sideways instead (half to each side of the intended direction).</param>
public sealed record GridMap(int Rows, int Cols, ImmutableArray<CellKind> Cells, Cell Start,
                             double GoalReward = GridMap.DefaultGoal, double PitReward = GridMap.DefaultPit,
                             double CliffReward = GridMap.DefaultCliff, double StepReward = GridMap.DefaultStep,
                             double Slip = 0.0)
{
    public const double DefaultGoal = 1.0;
    public const double DefaultPit = -1.0;
    public const double DefaultCliff = -100.0;
    public const double DefaultStep = -0.04;

    /// <summary>The largest map side, in rows or columns.</summary>
    public const int MaxSide = 30;

    /// <summary>The range of every reward a map may set.</summary>
    public const double MaxReward = 1000.0;

    public CellKind this[int row, int col] => Cells[row * Cols + col];

    /// <summary>The map as text that <see cref="Parse"/> reads back to an equal map (settings that differ from the
    /// defaults follow the grid).</summary>
    public string Text
    {
        get
        {
            var lines = new List<string>();
            for (var r = 0; r < Rows; r++)
            {
                var row = new char[Cols];
                for (var c = 0; c < Cols; c++)
                    row[c] = r == Start.Row && c == Start.Col ? StartSymbol : Symbol(this[r, c]);
                lines.Add(new string(row));
            }
            void Setting(string name, double value, double standard)
            {
                if (value != standard) lines.Add($"{name}={value.ToString("R", CultureInfo.InvariantCulture)}");
            }
            Setting("goal", GoalReward, DefaultGoal);
            Setting("pit", PitReward, DefaultPit);
            Setting("cliff", CliffReward, DefaultCliff);
            Setting("step", StepReward, DefaultStep);
            Setting("slip", Slip, 0.0);
            return string.Join('\n', lines) + "\n";
        }
    }

    /// <summary>The map format's character of every cell kind: the one table that <see cref="Symbol"/>,
    /// <see cref="KindOf"/> and <see cref="Parse"/> read (the start S is a free cell, written apart).</summary>
    public static readonly ImmutableArray<(char Symbol, CellKind Kind)> Symbols =
        [('G', CellKind.Goal), ('X', CellKind.Pit), ('C', CellKind.Cliff), ('#', CellKind.Wall), ('.', CellKind.Empty)];

    /// <summary>The start's character in the map format; its cell is <see cref="CellKind.Empty"/>.</summary>
    public const char StartSymbol = 'S';

    /// <summary>The character of a cell kind in the map format.</summary>
    public static char Symbol(CellKind kind)
    {
        foreach (var (symbol, k) in Symbols)
            if (k == kind) return symbol;
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "no symbol for this cell kind");
    }

    /// <summary>The cell kind of a map character (the start S is a free cell); null for any other character.</summary>
    public static CellKind? KindOf(char symbol)
    {
        if (symbol == StartSymbol) return CellKind.Empty;
        foreach (var (s, kind) in Symbols)
            if (s == symbol) return kind;
        return null;
    }

    /// <summary>
    /// Reads a map. The grid is one line per row, one character per cell: <c>S</c> start (exactly one), <c>G</c> goal
    /// (at least one, each reachable from the start), <c>X</c> pit, <c>C</c> cliff, <c>#</c> wall, <c>.</c> free; every
    /// row as long as the first, at most <see cref="MaxSide"/> × <see cref="MaxSide"/>. Setting lines
    /// <c>name=value</c>, before or after the grid, change the dynamics: <c>goal=</c>, <c>pit=</c>, <c>cliff=</c>
    /// (rewards on entering such a cell, within ±<see cref="MaxReward"/>; defaults +1, −1, −100), <c>step=</c> (the
    /// reward of every other move, from −100 to 0; default −0.04) and <c>slip=</c> (from 0 to 1, the chance that a move
    /// goes to one of the two perpendicular directions instead, half each; default 0). Blank lines and spaces around a
    /// line are ignored; anything else is an error with its 1-based line and column.
    /// </summary>
    /// <remarks>A goal counts as reachable when a path of free cells (no wall, and no pit, cliff or goal to pass
    /// through, since those end the episode or send the agent back) leads from the start to a cell beside it.</remarks>
    public static MapParse Parse(string text)
    {
        var lines = text.Split('\n');
        var rows = new List<(int Line, int Indent, string Cells)>();
        var settings = new Dictionary<string, double>();
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i].TrimEnd('\r');
            var content = raw.Trim(' ', '\t');
            if (content.Length == 0) continue;
            var indent = raw.IndexOf(content[0]);
            var lineNo = i + 1;
            var equals = content.IndexOf('=');
            if (equals >= 0)
            {
                var setting = Setting(content, equals, lineNo, indent, settings);
                if (setting is not null) return setting;
                continue;
            }
            for (var c = 0; c < content.Length; c++)
                if (!IsCellChar(content[c]))
                    return MapParse.Fail(lineNo, indent + c + 1, Unknown(content[c]));
            if (rows.Count == MaxSide)
                return MapParse.Fail(lineNo, indent + 1, $"the map has more than {MaxSide} rows");
            if (content.Length > MaxSide)
                return MapParse.Fail(lineNo, indent + MaxSide + 1, $"a row has more than {MaxSide} cells");
            if (rows.Count > 0 && content.Length != rows[0].Cells.Length)
                return MapParse.Fail(lineNo, indent + Math.Min(content.Length, rows[0].Cells.Length) + 1,
                    $"this row has {content.Length} cells, the first row {rows[0].Cells.Length}: every row must be as long");
            rows.Add((lineNo, indent, content));
        }
        if (rows.Count == 0) return MapParse.Fail(1, 1, "the map is empty: no grid rows");

        int height = rows.Count, width = rows[0].Cells.Length;
        var cells = new CellKind[height * width];
        Cell? start = null;
        for (var r = 0; r < height; r++)
            for (var c = 0; c < width; c++)
            {
                var ch = rows[r].Cells[c];
                if (ch == StartSymbol)
                {
                    if (start is { } first)
                        return MapParse.Fail(rows[r].Line, rows[r].Indent + c + 1,
                            $"a second start S (the first is on line {rows[first.Row].Line}, column {rows[first.Row].Indent + first.Col + 1})");
                    start = new Cell(r, c);
                }
                cells[r * width + c] = KindOf(ch)!.Value;
            }
        if (start is not { } s) return MapParse.Fail(rows[0].Line, rows[0].Indent + 1, "the map has no start S");
        if (Array.IndexOf(cells, CellKind.Goal) < 0) return MapParse.Fail(rows[0].Line, rows[0].Indent + 1, "the map has no goal G");

        var reached = Reachable(cells, height, width, s);
        for (var i = 0; i < cells.Length; i++)
            if (cells[i] == CellKind.Goal && !reached[i])
                return MapParse.Fail(rows[i / width].Line, rows[i / width].Indent + i % width + 1,
                    "this goal cannot be reached from the start (walls, pits or cliff cells are in the way)");

        double Get(string name, double standard) => settings.TryGetValue(name, out var v) ? v : standard;
        return MapParse.Of(new GridMap(height, width, ImmutableArray.Create(cells), s,
            Get("goal", DefaultGoal), Get("pit", DefaultPit), Get("cliff", DefaultCliff), Get("step", DefaultStep), Get("slip", 0.0)));
    }

    /// <summary>Parses text known to be a valid map (the built-in maps); throws otherwise.</summary>
    public static GridMap Valid(string text) =>
        Parse(text) is { Map: { } map } ? map : throw new ArgumentException($"not a valid map: {Parse(text).Error}", nameof(text));

    private static bool IsCellChar(char c) => KindOf(c) is not null;

    private static string Unknown(char c) =>
        char.IsControl(c) || c == '\uFFFD'
            ? $"a binary or control character (U+{(int)c:X4}); a map is text"
            : $"unknown character '{c}' (a cell is one of {StartSymbol} {string.Join(' ', Symbols.Select(x => x.Symbol))})";

    private static readonly ImmutableArray<(string Name, double Min, double Max)> Ranges =
    [
        ("goal", -MaxReward, MaxReward), ("pit", -MaxReward, MaxReward), ("cliff", -MaxReward, MaxReward),
        ("step", -100.0, 0.0), ("slip", 0.0, 1.0),
    ];

    /// <summary>Reads one <c>name=value</c> line into <paramref name="settings"/>; an error, or null if it was fine.</summary>
    private static MapParse? Setting(string content, int equals, int line, int indent, Dictionary<string, double> settings)
    {
        var name = content[..equals].Trim();
        var valueText = content[(equals + 1)..].Trim();
        var valueColumn = indent + equals + 2;
        var range = -1;
        for (var k = 0; k < Ranges.Length; k++)
            if (Ranges[k].Name == name) range = k;
        if (range < 0)
        {
            for (var c = 0; c < content.Length; c++)
                if (char.IsControl(content[c])) return MapParse.Fail(line, indent + c + 1, Unknown(content[c]));
            return MapParse.Fail(line, indent + 1, $"unknown setting '{name}' (known: {string.Join(", ", Ranges.Select(r => r.Name))})");
        }
        if (settings.ContainsKey(name)) return MapParse.Fail(line, indent + 1, $"'{name}' is set twice");
        var (_, min, max) = Ranges[range];
        if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ||
            !double.IsFinite(value) || value < min || value > max)
            return MapParse.Fail(line, valueColumn,
                $"{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{valueText}'");
        settings[name] = value;
        return null;
    }

    /// <summary>Breadth-first search from the start over free cells; a goal, pit or cliff cell beside a reached free
    /// cell is marked reached but not passed through; walls never.</summary>
    private static bool[] Reachable(CellKind[] cells, int rows, int cols, Cell start)
    {
        var reached = new bool[cells.Length];
        var queue = new Queue<int>();
        var first = start.Row * cols + start.Col;
        reached[first] = true;
        queue.Enqueue(first);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            for (var a = 0; a < 4; a++)
            {
                var (r, c) = new Cell(s / cols, s % cols).Toward(a);
                if (r < 0 || r >= rows || c < 0 || c >= cols) continue;
                var n = r * cols + c;
                if (reached[n] || cells[n] == CellKind.Wall) continue;
                reached[n] = true;
                if (cells[n] == CellKind.Empty) queue.Enqueue(n);
            }
        }
        return reached;
    }
}
