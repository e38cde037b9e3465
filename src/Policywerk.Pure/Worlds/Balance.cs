using Policywerk.Pure.Mdp;

namespace Policywerk.Pure.Worlds;

using Policywerk.Pure.Numerics;

/// <summary>The pole's state: angle θ (radians, 0 upright, positive to the right), angular velocity θ̇ (rad/s),
/// and the steps taken so far in the episode (the step cap is part of the state, so the step is pure).</summary>
public readonly record struct BalanceState(double Angle, double AngularVelocity, int Steps);

/// <summary>The physical constants of <see cref="Balance"/> (defaults: the Python original's world/balance.py).</summary>
/// <param name="Gravity">g, m/s².</param>
/// <param name="Length">Pole length l, m; gravity's angular pull is (g/l)·sin θ.</param>
/// <param name="TorqueMagnitude">The angular acceleration of a full push (action ±1), rad/s².</param>
/// <param name="Dt">Simulated seconds per step.</param>
/// <param name="MaxAngle">|θ| beyond this (0.3 rad ≈ 17°) is a failure: the episode ends with reward 0.</param>
/// <param name="MaxSteps">Surviving this many steps is a success: the episode ends with reward 1.</param>
/// <param name="InitialTilt">Each episode starts at θ₀ ~ U(−tilt, +tilt), θ̇₀ = 0 (Python: always θ₀ = 0.01).</param>
public sealed record BalanceConstants(
    double Gravity = 9.8,
    double Length = 1.0,
    double TorqueMagnitude = 5.0,
    double Dt = 0.02,
    double MaxAngle = 0.3,
    int MaxSteps = 500,
    double InitialTilt = 0.05);

/// <summary>
/// A pole hinged at a fixed point (cart-pole without the cart). The action is a torque u ∈ [−1, 1]
/// (clamped), scaled by <see cref="BalanceConstants.TorqueMagnitude"/>; lesson 02's discrete push maps
/// left/right to −1/+1 (<see cref="Discrete"/>), lesson 06 uses the continuous torque directly.
/// Reward +1 per step survived, 0 on the failing step.
/// </summary>
/// <remarks>
/// Semi-implicit Euler, as the Python original:
/// θ̈ = (g/l)·sin θ + u·τ;  θ̇ ← θ̇ + θ̈·dt;  θ ← θ + θ̇·dt.
/// </remarks>
public sealed record Balance(BalanceConstants Constants) : IWorld<BalanceState, double>
{
    public Balance() : this(new BalanceConstants()) { }

    /// <summary>θ₀ ~ U(−tilt, tilt), θ̇₀ = 0, step 0.</summary>
    public Draw<BalanceState> Reset(Key key)
    {
        var (angle, next) = key.NextUniform(-Constants.InitialTilt, Constants.InitialTilt);
        return new Draw<BalanceState>(new BalanceState(angle, 0.0, 0), next);
    }

    /// <summary>θ̈ = (g/l)·sin θ + clamp(u, −1, 1)·τ; θ̇' = θ̇ + θ̈·dt; θ' = θ + θ̇'·dt. Deterministic: the key comes back untouched.</summary>
    public StepResult<BalanceState> Step(BalanceState state, double torque, Key key)
    {
        var c = Constants;
        var u = Math.Clamp(torque, -1.0, 1.0);
        var angularAcceleration = c.Gravity / c.Length * Math.Sin(state.Angle) + u * c.TorqueMagnitude;
        var velocity = state.AngularVelocity + angularAcceleration * c.Dt;
        var angle = state.Angle + velocity * c.Dt;
        var next = new BalanceState(angle, velocity, state.Steps + 1);
        var failed = IsFailure(next);
        // A fall is terminal (discount 0); surviving MaxSteps is a time limit (discount 1: the pole could go on).
        return StepResult.Of(next, failed ? 0.0 : 1.0, terminal: failed, timeLimit: next.Steps >= c.MaxSteps, key);
    }

    /// <summary>|θ| &gt; max angle: the pole has fallen.</summary>
    public bool IsFailure(BalanceState state) => Math.Abs(state.Angle) > Constants.MaxAngle;

    /// <summary>Push left (0) or right (1): torque −1 or +1.</summary>
    public static double Push(int action) => action == 0 ? -1.0 : 1.0;

    /// <summary>The same world with lesson 02's two actions: 0 = push left (u = −1), 1 = push right (u = +1).</summary>
    public IWorld<BalanceState, int> Discrete() => new DiscreteBalance(this);

    private sealed record DiscreteBalance(Balance World) : IWorld<BalanceState, int>
    {
        public Draw<BalanceState> Reset(Key key) => World.Reset(key);
        public StepResult<BalanceState> Step(BalanceState state, int action, Key key) => World.Step(state, Push(action), key);
    }
}
