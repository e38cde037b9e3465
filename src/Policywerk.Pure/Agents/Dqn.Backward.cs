using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

public static partial class Dqn
{
    /// <summary>
    /// ∂L/∂θ of <see cref="Loss"/>, written into <paramref name="gradient"/>: only the taken action's output gets a
    /// gradient, ∂L/∂Q(s_b, a_b; θ) = clip(δ_b, −δ, δ)/(B·|A|) (the Huber derivative), back-propagated through the network;
    /// the targets y_b come from θ⁻ and are constants. Returns the same terms as <see cref="Loss"/>.
    /// </summary>
    public static DqnLossTerms Backward(DqnConfig config, DqnModel model, DqnBatch batch, Span<double> gradient)
    {
        var y = Targets(config, model, batch);
        var cache = model.Net.Forward(model.Online, batch.States);
        var huber = Losses.HuberSelectedPerOutput(cache.Output, batch.Actions, y.AsSpan(), config.HuberDelta);
        model.Net.BackwardInto(model.Online, cache, huber.Grad, gradient);
        var tdErrors = new double[batch.Size];
        for (var b = 0; b < tdErrors.Length; b++) tdErrors[b] = cache.Output[b, batch.Actions[b]] - y[b];
        return Terms(y, tdErrors, huber.Value);
    }
}
