using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;

namespace Policywerk.Pure.Agents;

/// <summary>One blob of a decoded frame: its centre μ_k = (X, Y) in grid coordinates [−1, 1] and its weight w_k = softmax(l)_k.</summary>
public readonly record struct DecodedBlob(double X, double Y, double Weight);

/// <summary>
/// ô = M·q(s): a model state's decoded frame (Side² values, row-major) and the blobs that draw it (<see cref="KeypointDecoder"/>).
/// </summary>
public sealed record DecodedFrame(ImmutableArray<double> Pixels, ImmutableArray<DecodedBlob> Blobs)
{
    /// <summary>argmax_k w_k: the heaviest blob. The agent's pixel (1.0) outweighs the target's (0.7), so a trained
    /// decoder gives the agent the larger share w ≈ 1/1.7 of the light.</summary>
    public DecodedBlob Heaviest
    {
        get
        {
            var best = Blobs[0];
            foreach (var b in Blobs)
                if (b.Weight > best.Weight) best = b;
            return best;
        }
    }
}

/// <summary>
/// What the model makes of a real episode from step <c>Start</c>: the posterior reconstructions of the real frames
/// (filtering, o_t seen) and the open-loop prediction under the same real actions (imagination, no frame seen after
/// <c>Start</c>), both for t = Start … Start + K.
/// </summary>
/// <param name="Start">t₀, the step whose posterior state both sequences share.</param>
/// <param name="Reconstructed">dec(s_t^post) for t = t₀ … t₀ + K: the frame the model sees.</param>
/// <param name="Imagined">dec(ŝ_{t₀+k}) for k = 0 … K, ŝ_{t₀} = s_{t₀}^post: the frame the model predicts k steps ahead.</param>
public sealed record OpenLoopRollout(int Start, ImmutableArray<DecodedFrame> Reconstructed, ImmutableArray<DecodedFrame> Imagined)
{
    /// <summary>K, the steps predicted open loop.</summary>
    public int Steps => Imagined.Length - 1;
}

/// <summary>
/// Open-loop prediction of a trained world model against a real episode (for pictures and checks): filter the real
/// frames with the posterior up to t₀, then roll the prior forward under the episode's own actions.
/// <code>
///   s_t^post = (h_t, μ_q(h_t, enc(o_t))),  h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}])           t ≤ t₀ (and beyond, for comparison)
///   ŝ_{t₀} = s_{t₀}^post,  ŝ_{t+1} = (ĥ_{t+1}, μ_p(ĥ_{t+1})),  ĥ_{t+1} = GRU(ĥ_t, [ẑ_t, a_t])      t ≥ t₀
/// </code>
/// Everything uses the latent means, so the result is a deterministic function of (model, frames, actions).
/// </summary>
public static class DreamerOpenLoop
{
    /// <summary>
    /// s_t^post for t = 0 … T−1: the posterior means after each real frame o_t, with a_{t−1} fed to the GRU
    /// (a_{−1} = 0, h_{−1} = z_{−1} = 0). <paramref name="actions"/>[t] = a_t leads from o_t to o_{t+1}.
    /// </summary>
    public static ImmutableArray<DreamerBelief> Filter(DreamerConfig c, DreamerNets nets, WorldParams w, IReadOnlyList<ImmutableArray<double>> observations,
        IReadOnlyList<ImmutableArray<double>> actions)
    {
        var beliefs = ImmutableArray.CreateBuilder<DreamerBelief>(observations.Count);
        var belief = DreamerBelief.Initial(c, nets, 1);
        var key = Key.FromSeed(0); // sample: false draws nothing
        for (var t = 0; t < observations.Count; t++)
        {
            if (t > 0) belief = belief with { PreviousAction = ActionRow(actions[t - 1]) };
            belief = DreamerRssm.Observe(nets, w, belief, Mat.RowVector(observations[t]), key, sample: false, c.MinLatentStd).Value;
            beliefs.Add(belief);
        }
        return beliefs.MoveToImmutable();
    }

    /// <summary>ŝ_{k+1} = prior mean after GRU(ŝ_k, a_k) for k = 0 … K−1, from <paramref name="start"/>: the K predicted states.</summary>
    public static ImmutableArray<DreamerBelief> Imagine(DreamerConfig c, DreamerNets nets, WorldParams w, DreamerBelief start,
        IReadOnlyList<ImmutableArray<double>> actions)
    {
        var states = ImmutableArray.CreateBuilder<DreamerBelief>(actions.Count);
        var belief = start;
        foreach (var a in actions)
        {
            belief = DreamerRssm.PredictMean(nets, w, belief, ActionRow(a), c.MinLatentStd);
            states.Add(belief);
        }
        return states.MoveToImmutable();
    }

    /// <summary>ô = M·q(s) and the blobs (μ_k, w_k) of one model state.</summary>
    public static DecodedFrame Decode(DreamerNets nets, WorldParams w, DreamerBelief belief)
    {
        var raw = nets.Decoder.Predict(w.Decoder, belief.State).Row(0);
        var pixels = new double[nets.Keypoints.Pixels];
        nets.Keypoints.Render(raw, pixels);
        var k = raw.Length / 3;
        var max = double.NegativeInfinity;
        for (var i = 0; i < k; i++) max = Math.Max(max, raw[2 * k + i]);
        var sum = 0.0;
        for (var i = 0; i < k; i++) sum += Math.Exp(raw[2 * k + i] - max);
        var blobs = ImmutableArray.CreateBuilder<DecodedBlob>(k);
        for (var i = 0; i < k; i++) blobs.Add(new DecodedBlob(raw[2 * i], raw[2 * i + 1], Math.Exp(raw[2 * k + i] - max) / sum));
        return new DecodedFrame(pixels.Freeze(), blobs.MoveToImmutable());
    }

    /// <summary>
    /// From t₀ = <paramref name="start"/>: dec(s_t^post) for t = t₀ … t₀ + K and dec(ŝ_{t₀+k}) for k = 0 … K under the real
    /// actions a_{t₀} … a_{t₀+K−1}; K = <paramref name="steps"/>, cut to the frames the episode has.
    /// </summary>
    public static OpenLoopRollout Rollout(DreamerConfig c, DreamerNets nets, WorldParams w, IReadOnlyList<ImmutableArray<double>> observations,
        IReadOnlyList<ImmutableArray<double>> actions, int start, int steps)
    {
        var k = Math.Max(0, Math.Min(steps, Math.Min(observations.Count - 1 - start, actions.Count - start)));
        var posterior = Filter(c, nets, w, observations.Take(start + k + 1).ToArray(), actions);
        var reconstructed = ImmutableArray.CreateBuilder<DecodedFrame>(k + 1);
        for (var t = start; t <= start + k; t++) reconstructed.Add(Decode(nets, w, posterior[t]));
        var imagined = ImmutableArray.CreateBuilder<DecodedFrame>(k + 1);
        imagined.Add(reconstructed[0]);
        foreach (var s in Imagine(c, nets, w, posterior[start], actions.Skip(start).Take(k).ToArray()))
            imagined.Add(Decode(nets, w, s));
        return new OpenLoopRollout(start, reconstructed.MoveToImmutable(), imagined.MoveToImmutable());
    }

    private static Mat ActionRow(ImmutableArray<double> a) => Mat.RowVector(a);
}
