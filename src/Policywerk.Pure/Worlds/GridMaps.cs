using System.Collections.Immutable;

namespace Policywerk.Pure.Worlds;

/// <summary>A built-in map: its name (<c>--map NAME</c>), one line on what it shows, and the map.</summary>
public sealed record NamedMap(string Name, string Description, GridMap Map);

/// <summary>The built-in maps, in the format of <see cref="GridMap.Parse"/>.</summary>
public static class GridMaps
{
    /// <summary>Bellman's 5×5 gridworld, lesson 01's default.</summary>
    public static readonly NamedMap Classic = new("classic", "lesson 01's gridworld: goal +1, pit −1, one wall", GridMap.Valid(
        """
        ....G
        .#.X.
        .....
        .....
        S....
        """));

    /// <summary>Sutton and Barto's cliff (Example 6.6), lesson 04's default.</summary>
    public static readonly NamedMap Cliff = new("cliff", "lesson 04's cliff (Sutton & Barto, Example 6.6): −1 a step, −100 the cliff", GridMap.Valid(
        """
        ............
        ............
        ............
        SCCCCCCCCCCG
        goal=0
        cliff=-100
        step=-1
        """));

    /// <summary>Two rooms joined by a door, a pit beside the short way.</summary>
    public static readonly NamedMap Rooms = new("rooms", "two rooms, one door, a pit beside the short way", GridMap.Valid(
        """
        S.......
        ........
        ..X.....
        ........
        ........
        ###.####
        ........
        ........
        .....X..
        ..#.....
        ..#..X..
        ..#....G
        """));

    /// <summary>A maze of walls, a pit beside the way out.</summary>
    public static readonly NamedMap Maze = new("maze", "a maze: one long way round, a pit beside the goal", GridMap.Valid(
        """
        S.#......
        .##.####.
        ....#..#.
        ###.#.##.
        .#..#....
        .#.###.#.
        .#.....#.
        .######X.
        ........G
        """));

    /// <summary>A slippery room: every move slides sideways one time in five.</summary>
    public static readonly NamedMap Ice = new("ice", "a slippery room (slip 0.2): pits along the direct way", GridMap.Valid(
        """
        ..............
        .S............
        ..............
        ....XXXXX.....
        ..............
        ..............
        .....XXXXX....
        ..............
        ............G.
        ..............
        slip=0.2
        """));

    /// <summary>The largest map: a 30×30 field with scattered walls and pits.</summary>
    public static readonly NamedMap Field = new("field", "the largest size: scattered walls and pits, the goal far away", GridMap.Valid(FieldText()));

    /// <summary>Every built-in map, in the order <c>--map list</c> shows them.</summary>
    public static readonly ImmutableArray<NamedMap> All = [Classic, Cliff, Rooms, Maze, Ice, Field];

    /// <summary>The built-in map of this name (case-insensitive), or null.</summary>
    public static NamedMap? Find(string name)
    {
        foreach (var m in All)
            if (string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) return m;
        return null;
    }

    private static string FieldText()
    {
        var rows = new char[30][];
        for (var r = 0; r < 30; r++)
        {
            rows[r] = new char[30];
            for (var c = 0; c < 30; c++)
                rows[r][c] = (r * 7 + c * 13) % 23 == 0 ? '#' : (r * 11 + c * 5) % 37 == 0 && r > 1 ? 'X' : '.';
        }
        rows[0][0] = 'S';
        rows[29][29] = 'G';
        return string.Join('\n', rows.Select(r => new string(r))) + "\nstep=-0.01\n";
    }
}
