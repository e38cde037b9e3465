// ScottPlot has a Palette type too, and most picture code imports ScottPlot: this alias makes "Palette" mean ours
// in every file of the shell.
global using Palette = Policywerk.Shell.Pictures.Palette;

using ScottPlot;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// Every colour the pictures use, named once. Pictures take their colours from here and nowhere else (a test reads the
/// shell's sources for colour literals): a colour that means something keeps its meaning in every lesson.
/// </summary>
public static class Palette
{
    // ---------------------------------------------------------------- meanings shared by every lesson

    // Colour-blind safe: no meaning rests on telling red from green. Good and bad differ in lightness as well as hue
    // (a light bluish green against a near-black brown), and neither is a colour the value map reaches, so the cliff
    // never looks like a strongly negative value.

    /// <summary>Bad: a pit, the cliff, a fall, a target line — near-black brown, darker than any value the map shades.</summary>
    public static readonly Color Negative = Color.FromHex("#3d1f0a");

    /// <summary>An empty cell, and the diverging map at 0.</summary>
    public static readonly Color Neutral = Color.FromHex("#f7f7f7");

    /// <summary>Good: the goal, success, the best action — Okabe and Ito's bluish green.</summary>
    public static readonly Color Positive = Color.FromHex("#009e73");

    /// <summary>The diverging map for signed values (ColorBrewer PuOr, colour-blind safe): from the most negative through
    /// 0 (<see cref="Neutral"/>) to the most positive — orange below 0, purple above; both ends as light as each other and
    /// far lighter than <see cref="Negative"/>.</summary>
    public static readonly Color[] Diverging =
    [
        Color.FromHex("#b35806"), Color.FromHex("#fdb863"), Color.FromHex("#f7f7f7"), Color.FromHex("#b2abd2"), Color.FromHex("#8073ac"),
    ];

    /// <summary>The ramp from earlier to later (a sequence of curves, episodes, checkpoints): light to dark blue, one hue,
    /// so order reads as lightness whatever one's colour vision (ColorBrewer Blues).</summary>
    public static readonly Color[] Ramp = [Color.FromHex("#9ecae1"), Color.FromHex("#4292c6"), Color.FromHex("#08306b")];

    /// <summary>The walker of lesson 03's random walk: a colour no method's curve uses.</summary>
    public static readonly Color Walker = Color.FromHex("#cc79a7");

    /// <summary>A wall, the ground, a terminal with nothing to win.</summary>
    public static readonly Color Wall = Color.FromHex("#4a4a4a");

    /// <summary>Text, arrows and markers drawn in plain ink.</summary>
    public static readonly Color Ink = Color.FromHex("#222222");

    /// <summary>The first series: the agent, TD(0), Q-learning, our mean.</summary>
    public static readonly Color Accent = Color.FromHex("#1f5fbf");

    /// <summary>The second series: Monte Carlo, SARSA, imagination, a second axis.</summary>
    public static readonly Color Second = Color.FromHex("#e67e22");

    /// <summary>The third series.</summary>
    public static readonly Color Third = Color.FromHex("#7d3c98");

    /// <summary>The fourth series.</summary>
    public static readonly Color Fourth = Color.FromHex("#16a085");

    /// <summary>True values and reference lines.</summary>
    public static readonly Color Truth = Color.FromHex("#8a8a8a");

    /// <summary>The border of a grid cell.</summary>
    public static readonly Color CellLine = Color.FromHex("#9a9a9a");

    // ---------------------------------------------------------------- plain colours

    /// <summary>The canvas, and text on a dark cell.</summary>
    public static readonly Color White = Colors.White;

    /// <summary>The dark end of a grey-scale pixel.</summary>
    public static readonly Color Black = Colors.Black;

    /// <summary>What is drawn faintly: earlier policies, the upright line, the random policy's bars.</summary>
    public static readonly Color Gray = Colors.Gray;

    /// <summary>No fill (an outline only).</summary>
    public static readonly Color Transparent = Colors.Transparent;

    // ---------------------------------------------------------------- lesson 05: the Breakout board

    /// <summary>An empty square of the board.</summary>
    public static readonly Color Board = Color.FromHex("#111827");

    /// <summary>The lines between the board's squares.</summary>
    public static readonly Color BoardLine = Color.FromHex("#374151");

    /// <summary>The top row of bricks.</summary>
    public static readonly Color TopBricks = Color.FromHex("#e74c3c");

    /// <summary>The second row of bricks.</summary>
    public static readonly Color LowerBricks = Color.FromHex("#f39c12");

    /// <summary>The paddle.</summary>
    public static readonly Color Paddle = Color.FromHex("#3b82f6");

    /// <summary>The ball's last few cells, drawn fading behind it.</summary>
    public static readonly Color BallTrail = Color.FromHex("#d1d5db");

    // ---------------------------------------------------------------- lesson 07: the pixel world

    /// <summary>A pixel with nothing on it.</summary>
    public static readonly Color EmptyPixel = Color.FromHex("#f4f4f4");

    /// <summary>The lines between the world's pixels.</summary>
    public static readonly Color PixelLine = Color.FromHex("#dddddd");

    /// <summary>The lines between a 16×16 frame's pixels.</summary>
    public static readonly Color FrameLine = Color.FromHex("#555555");
}
