using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>A pixel of the 16 × 16 frame: row (from y) and column (from x).</summary>
public readonly record struct Pixel(int Row, int Col);

/// <summary>
/// The point mass seen through a 16 × 16 camera (the Python original's <c>world/pixel_pointmass.py</c>):
/// the same dynamics as <see cref="PointMass"/>, and an observation of 256 values, row-major, black (0)
/// with the target dot 0.7 and the agent dot 1.0 drawn over it. Optionally an action repeat R: each decision is
/// held for R physics steps and the agent sees only the last frame (PlaNet, DreamerV3 on the DeepMind Control Suite).
/// </summary>
/// <remarks>
/// The state stays the true <see cref="PointMassState"/> (for the scripted controller and for pictures);
/// the agent sees only <see cref="Observe"/>. Rows follow y and columns follow x, both growing with
/// the coordinate, as the Python: cell = clip(⌊(v + B)/(2B)·15⌋, 0, 15).
/// With R = 1 (the default) a step is the Python's step. The episode's length stays
/// <see cref="PointMass.MaxSteps"/> physics steps whatever R: the last decision of an episode may be cut short.
/// </remarks>
public sealed record PixelPointMass(PointMass Dynamics, int ActionRepeat = 1) : IWorld<PointMassState, Force>, IPixelWorld<PointMassState>
{
    /// <summary>R ≥ 1, the physics steps each action is held for.</summary>
    public int ActionRepeat { get; } = ActionRepeat >= 1
        ? ActionRepeat
        : throw new ArgumentOutOfRangeException(nameof(ActionRepeat), ActionRepeat, "the action repeat must be at least 1");

    public const int Size = 16;
    public const int ObservationSize = Size * Size;
    public const double AgentPixel = 1.0;
    public const double TargetPixel = 0.7;
    public const double EmptyPixel = 0.0;

    /// <summary>16: the frame's side.</summary>
    public int Side => Size;

    /// <summary>1.7, the agent's pixel and the target's: a frame's total intensity while the dots are apart.</summary>
    public double Intensity => AgentPixel + TargetPixel;

    /// <summary>2: the force (F_x, F_y).</summary>
    public int ActionSize => 2;

    /// <summary>The default point mass (<see cref="PointMass"/>'s defaults) behind the camera.</summary>
    public PixelPointMass() : this(new PointMass()) { }

    /// <summary>As <see cref="PointMass.Reset"/>.</summary>
    public Draw<PointMassState> Reset(Key key) => Dynamics.Reset(key);

    /// <summary>
    /// R physics steps under the same action, stopping early when the episode ends:
    /// <code>
    ///   s_{k+1} = f(s_k, a),  k = 0 … K−1,   K = min(R, first k with last(s_{k+1}) + 1)
    ///   r = Σ_{k&lt;K} r(s_{k+1}),   discount, last = those of step K
    /// </code>
    /// (<see cref="PointMass.Step"/> is f; rewards are summed, as DreamerV3 does, so a return is the same sum over
    /// physics steps whatever R).
    /// </summary>
    public StepResult<PointMassState> Step(PointMassState state, Force action, Key key)
    {
        var result = Dynamics.Step(state, action, key);
        var reward = result.Reward;
        for (var k = 1; k < ActionRepeat && !result.Last; k++)
        {
            result = Dynamics.Step(result.Next, action, result.Key);
            reward += result.Reward;
        }
        return result with { Reward = reward };
    }

    /// <summary>The step under the action vector (F_x, F_y) (<see cref="IPixelWorld{TState}"/>).</summary>
    public StepResult<PointMassState> Step(PointMassState state, ImmutableArray<double> action, Key key) =>
        Step(state, new Force(action[0], action[1]), key);

    /// <summary>v = u·B + B/(16 − 1): a grid coordinate u ∈ [−1, 1] (pixel centres) to the world coordinate at the centre
    /// of that pixel's cell (the inverse of <see cref="ToGrid"/> up to the cell).</summary>
    public static double FromGrid(double u, double bounds) => u * bounds + bounds / (Size - 1);

    /// <summary>i = clip(⌊(v + B)/(2B) · (16 − 1)⌋, 0, 15): a coordinate in [−B, B] to a pixel index.</summary>
    public static int ToGrid(double value, double bounds)
    {
        var normalized = (value + bounds) / (2.0 * bounds);
        var index = (int)(normalized * (Size - 1)); // truncation toward zero, as Python's int()
        return Math.Clamp(index, 0, Size - 1);
    }

    /// <summary>The agent's pixel: (row from y, column from x).</summary>
    public Pixel AgentAt(PointMassState s) => new(ToGrid(s.Y, Dynamics.Bounds), ToGrid(s.X, Dynamics.Bounds));

    /// <summary>The target's pixel: (row from y*, column from x*).</summary>
    public Pixel TargetAt(PointMassState s) => new(ToGrid(s.TargetY, Dynamics.Bounds), ToGrid(s.TargetX, Dynamics.Bounds));

    /// <summary>o[16·row + col]: 0 everywhere, 0.7 at the target's pixel, then 1.0 at the agent's (drawn on top),
    /// written into <paramref name="observation"/> (length ≥ 256).</summary>
    public void WriteObservation(PointMassState s, Span<double> observation)
    {
        if (observation.Length < ObservationSize)
            throw new ArgumentException($"observation needs {ObservationSize} values", nameof(observation));
        var frame = observation[..ObservationSize];
        frame.Clear();
        var target = TargetAt(s);
        var agent = AgentAt(s);
        frame[target.Row * Size + target.Col] = TargetPixel;
        frame[agent.Row * Size + agent.Col] = AgentPixel;
    }

    /// <summary>The 256-value frame of <paramref name="s"/> (see <see cref="WriteObservation"/>).</summary>
    public ImmutableArray<double> Observe(PointMassState s)
    {
        var observation = new double[ObservationSize];
        WriteObservation(s, observation);
        return Immutable.Freeze(observation);
    }
}
