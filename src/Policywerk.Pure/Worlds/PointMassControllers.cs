using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Worlds;

/// <summary>
/// Two reference policies for the point mass, the upper and lower lines a learned agent is measured
/// against: a scripted PD controller that sees the true state, and a uniformly random force.
/// </summary>
public static class PointMassControllers
{
    /// <summary>Proportional gain k_p of <see cref="Scripted"/>.</summary>
    public const double ProportionalGain = 3.0;

    /// <summary>Derivative (damping) gain k_d of <see cref="Scripted"/>.</summary>
    public const double DerivativeGain = 3.0;

    /// <summary>
    /// a = clip(k_p·(p* − p) − k_d·v, −1, 1) per axis, with k_p = k_d = 3: push toward the target, brake
    /// with the velocity so the mass arrives without overshooting. It reads the true state, which the
    /// pixel agent never sees. (Tuned by simulation over random layouts: with the default world it reaches
    /// the target in ≈ 38 steps on average, return ≈ −37, where a random policy scores ≈ −176 over 100 steps.)
    /// </summary>
    public static Force Scripted(PointMassState s) => new(
        Math.Clamp(ProportionalGain * (s.TargetX - s.X) - DerivativeGain * s.Vx, -1.0, 1.0),
        Math.Clamp(ProportionalGain * (s.TargetY - s.Y) - DerivativeGain * s.Vy, -1.0, 1.0));

    /// <summary>a ~ U[−1, 1]²: the random policy; returns the force and the next key.</summary>
    public static Draw<Force> RandomForce(Key key)
    {
        var (f, next) = key.NextUniforms(2, -1.0, 1.0);
        return new Draw<Force>(new Force(f[0], f[1]), next);
    }
}
