using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

public static partial class Ppo
{
    /// <summary>
    /// ∂L/∂θ and ∂L/∂φ of <see cref="Loss"/> on a batch. Per sample, with ρ·Â the unclipped objective:
    /// ∂(−ρÂ)/∂μ = −ρÂ·(a − μ)/σ²,  ∂(−ρÂ)/∂log σ = −ρÂ·((a − μ)²/σ² − 1)  (∂ρ/∂· = ρ·∂ log π/∂·), 0 where the clip holds
    /// (the clipped term is constant in θ); ∂(−c_H·H)/∂log σ = −c_H; all divided by B; log σ gets no gradient where its
    /// clamp holds;
    /// ∂L^V/∂V_b = 2(V_b − R_b)/B (<see cref="Losses.Mse"/>). Each is back-propagated through its network.
    /// </summary>
    public static PpoGradients Backward(PpoConfig config, PpoModel model, PpoBatch batch)
    {
        var actorCache = model.Actor.Forward(model.Theta, batch.Observations);
        var criticCache = model.Critic.Forward(model.Phi, batch.Observations);
        var output = actorCache.Output;
        var b = batch.Size;
        var dOutput = new double[b * 2];
        var sums = new TermSums();
        for (var i = 0; i < b; i++)
        {
            var policy = PolicyFromOutput(config, output.Row(i));
            var objective = Clip(config, policy, batch.Actions[i], batch.LogProbsOld[i], batch.Advantages[i]);
            sums.Add(policy, objective, criticCache.Output[i, 0] - batch.Returns[i]);
            var dLogProb = DiagGaussian.LogProbGrad(batch.Actions[i], policy.Mean, policy.LogStd);
            var unclipped = objective.Ratio * batch.Advantages[i];
            var dMean = objective.ClipActive ? 0.0 : -unclipped * dLogProb.DMean;
            var dLogStd = (objective.ClipActive ? 0.0 : -unclipped * dLogProb.DLogStd) - config.EntropyCoefficient;
            var inside = output[i, 1] > config.LogStdMin && output[i, 1] < config.LogStdMax;
            dOutput[2 * i] = dMean / b;
            dOutput[2 * i + 1] = inside ? dLogStd / b : 0.0;
        }
        var theta = model.Actor.Backward(model.Theta, actorCache, Mat.Own(b, 2, dOutput)).Grads;
        var valueLoss = Losses.Mse(criticCache.Output, Mat.Own(b, 1, batch.Returns.ToArray()));
        var phi = model.Critic.Backward(model.Phi, criticCache, valueLoss.Grad).Grads;
        return new PpoGradients(theta, phi, sums.Mean(config, b));
    }
}
