using Policywerk.Pure.Mdp;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>A 2-D force (f_x, f_y); the world clamps each component to [−1, 1] before scaling it.</summary>
public readonly record struct Force(double X, double Y)
{
    public static readonly Force Zero = new(0.0, 0.0);

    /// <summary>clip(f, −1, 1) per component.</summary>
    public Force Clamped => new(Math.Clamp(X, -1.0, 1.0), Math.Clamp(Y, -1.0, 1.0));

    /// <summary>(f_x, f_y) as an action vector (<see cref="IPixelWorld{TState}"/>).</summary>
    public System.Collections.Immutable.ImmutableArray<double> Vector => [X, Y];
}

/// <summary>
/// The point mass's true state: position (X, Y), velocity (Vx, Vy), the target (TargetX, TargetY) and
/// the steps taken in this episode.
/// </summary>
public sealed record PointMassState(double X, double Y, double Vx, double Vy, double TargetX, double TargetY, int Steps)
{
    /// <summary>d = ‖p − p*‖₂, the distance from the mass to the target.</summary>
    public double Distance
    {
        get
        {
            var dx = X - TargetX;
            var dy = Y - TargetY;
            return Math.Sqrt(dx * dx + dy * dy);
        }
    }
}

/// <summary>
/// A point mass pushed toward a target on the square [−Bounds, Bounds]² (the Python original's
/// <c>world/pointmass.py</c>, continuous action). Per axis, with f = clip(a, −1, 1)·ForceScale:
/// <code>
///   v' = (v + f·dt)·damping
///   x' = clip(x + v'·dt, −Bounds, Bounds)
///   r  = −‖p' − p*‖₂
///   done = ‖p' − p*‖₂ &lt; ReachThreshold  or  steps' ≥ MaxSteps
/// </code>
/// </summary>
/// <remarks>
/// Constants as the Python: force scale 0.5, damping 0.95, dt 0.1, reach threshold 0.1, bounds 2.
/// MaxSteps defaults to 100, the length lesson 07 uses (the Python class defaults to 200).
/// The Python starts every episode at (0, 0) with the target at (0.8, 0.8); here <see cref="Reset"/>
/// draws both from the key, uniform on [−SpawnRange, SpawnRange]², redrawing the target until it lies
/// at least <see cref="MinSeparation"/> from the start. <see cref="StartAt"/> builds the Python's fixed
/// layout (or any other) explicitly. Clamping at the bounds leaves the velocity untouched, as the Python.
/// Like the Python, a step after the end is not guarded: the caller resets on done.
/// </remarks>
public sealed record PointMass(
    double ForceScale = 0.5,
    double Damping = 0.95,
    double Dt = 0.1,
    double ReachThreshold = 0.1,
    int MaxSteps = 100,
    double Bounds = 2.0,
    double SpawnRange = 1.5,
    double MinSeparation = 0.5) : IWorld<PointMassState, Force>
{
    /// <summary>The Python lesson's fixed layout: start (0, 0) at rest, target (0.8, 0.8).</summary>
    public static PointMassState PythonStart => StartAt(0.0, 0.0, 0.8, 0.8);

    /// <summary>An episode's first state: at rest at (x, y), target (targetX, targetY).</summary>
    public static PointMassState StartAt(double x, double y, double targetX, double targetY) =>
        new(x, y, 0.0, 0.0, targetX, targetY, 0);

    /// <summary>p_0 ~ U[−R, R]², p* ~ U[−R, R]² conditioned on ‖p_0 − p*‖ ≥ MinSeparation (by redrawing p*); v_0 = 0.</summary>
    public Draw<PointMassState> Reset(Key key)
    {
        var (x, k1) = key.NextUniform(-SpawnRange, SpawnRange);
        var (y, k2) = k1.NextUniform(-SpawnRange, SpawnRange);
        var k = k2;
        while (true)
        {
            var (tx, k3) = k.NextUniform(-SpawnRange, SpawnRange);
            var (ty, k4) = k3.NextUniform(-SpawnRange, SpawnRange);
            k = k4;
            var dx = x - tx;
            var dy = y - ty;
            if (dx * dx + dy * dy >= MinSeparation * MinSeparation)
                return new Draw<PointMassState>(StartAt(x, y, tx, ty), k);
        }
    }

    /// <summary>
    /// v' = (v + clip(a)·s·dt)·γ_d; p' = clip(p + v'·dt, ±B); r = −‖p' − p*‖; terminal when ‖p' − p*‖ &lt; ε (discount 0);
    /// the episode is cut off (last, discount 1) at t' ≥ T.
    /// Deterministic: the key passes through untouched.
    /// </summary>
    public StepResult<PointMassState> Step(PointMassState s, Force action, Key key)
    {
        var fx = Math.Clamp(action.X, -1.0, 1.0) * ForceScale;
        var fy = Math.Clamp(action.Y, -1.0, 1.0) * ForceScale;
        var vx = (s.Vx + fx * Dt) * Damping;
        var vy = (s.Vy + fy * Dt) * Damping;
        var x = Math.Clamp(s.X + vx * Dt, -Bounds, Bounds);
        var y = Math.Clamp(s.Y + vy * Dt, -Bounds, Bounds);
        var next = new PointMassState(x, y, vx, vy, s.TargetX, s.TargetY, s.Steps + 1);
        var distance = next.Distance;
        // Reaching the target is terminal (discount 0); the step cap is a time limit (discount 1).
        return StepResult.Of(next, -distance, terminal: distance < ReachThreshold, timeLimit: next.Steps >= MaxSteps, key);
    }
}

/// <summary>
/// The point mass with 9 discrete actions, as the Python original's <c>step(action)</c>: the 8 compass directions and no
/// push, each a force (f_x, f_y) with components in {−1, 0, 1} (a diagonal pushes with both, so √2 as hard), applied
/// by <see cref="PointMass.Step"/>. The numbering and names are the Python's, whose compass has y growing downward:
/// 0 "N" pushes toward −y, 2 "E" toward +x, 8 "stay" not at all.
/// </summary>
public sealed record DiscretePointMass(PointMass Dynamics) : IWorld<PointMassState, int>
{
    /// <summary>The point mass with the default dynamics.</summary>
    public DiscretePointMass() : this(new PointMass()) { }

    /// <summary>9: the 8 directions and no push.</summary>
    public const int ActionCount = 9;

    /// <summary>The force of each action, 0 … 8.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<Force> Forces =
    [
        new(0.0, -1.0), new(1.0, -1.0), new(1.0, 0.0), new(1.0, 1.0),
        new(0.0, 1.0), new(-1.0, 1.0), new(-1.0, 0.0), new(-1.0, -1.0), Force.Zero,
    ];

    /// <summary>The name of each action, 0 … 8.</summary>
    public static readonly System.Collections.Immutable.ImmutableArray<string> Names = ["N", "NE", "E", "SE", "S", "SW", "W", "NW", "stay"];

    /// <summary>As <see cref="PointMass.Reset"/>.</summary>
    public Draw<PointMassState> Reset(Key key) => Dynamics.Reset(key);

    /// <summary><see cref="PointMass.Step"/> with the force of <paramref name="action"/>.</summary>
    public StepResult<PointMassState> Step(PointMassState state, int action, Key key) =>
        action is >= 0 and < ActionCount
            ? Dynamics.Step(state, Forces[action], key)
            : throw new ArgumentOutOfRangeException(nameof(action), action, $"an action is 0 … {ActionCount - 1}");
}
