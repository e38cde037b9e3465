using System.Collections.Immutable;

namespace Policywerk.Pure.Numerics;

/// <summary>A loss value and its gradient with respect to the prediction (same shape as the prediction).</summary>
public sealed record Loss(double Value, Mat Grad);

/// <summary>
/// Losses with their gradients, softmax and log-sum-exp, symlog/symexp. Batch losses are means over the
/// batch, so their gradients already carry the 1/N.
/// </summary>
public static class Losses
{
    /// <summary>L = (1/N) Σ_i (p_i − t_i)² over all N elements; ∂L/∂p_i = 2(p_i − t_i)/N.</summary>
    public static Loss Mse(Mat prediction, Mat target)
    {
        RequireSameShape(prediction, target);
        var n = prediction.Values.Length;
        var grad = new double[n];
        var p = prediction.Span;
        var t = target.Span;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var e = p[i] - t[i];
            sum += e * e;
            grad[i] = 2.0 * e / n;
        }
        return new Loss(sum / n, Mat.Own(prediction.Rows, prediction.Cols, grad));
    }

    /// <summary>h_δ(e) = ½e² if |e| ≤ δ, else δ(|e| − ½δ) (Huber 1964).</summary>
    public static double Huber(double error, double delta = 1.0)
    {
        var a = Math.Abs(error);
        return a <= delta ? 0.5 * error * error : delta * (a - 0.5 * delta);
    }

    /// <summary>h_δ′(e) = clip(e, −δ, δ).</summary>
    public static double HuberDerivative(double error, double delta = 1.0) => Math.Clamp(error, -delta, delta);

    /// <summary>L = (1/N) Σ_i h_δ(p_i − t_i) over all N elements; ∂L/∂p_i = clip(p_i − t_i, −δ, δ)/N.</summary>
    public static Loss Huber(Mat prediction, Mat target, double delta = 1.0)
    {
        RequireSameShape(prediction, target);
        var n = prediction.Values.Length;
        var grad = new double[n];
        var p = prediction.Span;
        var t = target.Span;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            var e = p[i] - t[i];
            sum += Huber(e, delta);
            grad[i] = HuberDerivative(e, delta) / n;
        }
        return new Loss(sum / n, Mat.Own(prediction.Rows, prediction.Cols, grad));
    }

    /// <summary>
    /// L = (1/B) Σ_b h_δ(q[b, a_b] − y_b): the DQN loss on the taken actions only. The gradient is
    /// clip(q[b, a_b] − y_b, −δ, δ)/B at (b, a_b) and 0 elsewhere.
    /// </summary>
    public static Loss HuberSelected(Mat q, ImmutableArray<int> actions, ReadOnlySpan<double> targets, double delta = 1.0) =>
        Selected(q, actions, targets, delta, huber: true);

    /// <summary>
    /// L = (1/(B·|A|)) Σ_b h_δ(q[b, a_b] − y_b): the Huber loss over every output of every row, with each untaken
    /// output's target set to its own prediction (so its error, and its gradient, is 0). The gradient is
    /// clip(q[b, a_b] − y_b, −δ, δ)/(B·|A|) at (b, a_b) and 0 elsewhere: <see cref="HuberSelected"/> divided by |A|.
    /// This is the Python original's DQN loss (its <c>huber_derivative</c> averages over the |A| outputs).
    /// </summary>
    public static Loss HuberSelectedPerOutput(Mat q, ImmutableArray<int> actions, ReadOnlySpan<double> targets, double delta = 1.0) =>
        Selected(q, actions, targets, delta, huber: true, outputs: q.Cols);

    /// <summary>L = (1/B) Σ_b (q[b, a_b] − y_b)²; gradient 2(q[b, a_b] − y_b)/B at (b, a_b), 0 elsewhere.</summary>
    public static Loss MseSelected(Mat q, ImmutableArray<int> actions, ReadOnlySpan<double> targets) =>
        Selected(q, actions, targets, 0.0, huber: false);

    private static Loss Selected(Mat q, ImmutableArray<int> actions, ReadOnlySpan<double> targets, double delta, bool huber, int outputs = 1)
    {
        var batch = q.Rows;
        var n = (double)batch * outputs;
        if (actions.Length != batch || targets.Length != batch) throw new ArgumentException("one action and one target per row");
        var grad = new double[q.Values.Length];
        var sum = 0.0;
        for (var b = 0; b < batch; b++)
        {
            var e = q[b, actions[b]] - targets[b];
            sum += huber ? Huber(e, delta) : e * e;
            grad[b * q.Cols + actions[b]] = (huber ? HuberDerivative(e, delta) : 2.0 * e) / n;
        }
        return new Loss(sum / n, Mat.Own(q.Rows, q.Cols, grad));
    }

    /// <summary>
    /// L = (1/B) Σ_b [log Σ_k e^{z_bk} − z_{b,y_b}] (softmax cross-entropy with integer labels);
    /// ∂L/∂z_bk = (softmax(z_b)_k − [k = y_b]) / B.
    /// </summary>
    public static Loss SoftmaxCrossEntropy(Mat logits, ImmutableArray<int> labels)
    {
        if (labels.Length != logits.Rows) throw new ArgumentException("one label per row");
        var batch = logits.Rows;
        var grad = new double[logits.Values.Length];
        var sum = 0.0;
        for (var b = 0; b < batch; b++)
        {
            var z = logits.Row(b);
            sum += Activations.LogSumExp(z) - z[labels[b]];
            var g = grad.AsSpan(b * logits.Cols, logits.Cols);
            Activations.Softmax(z, g);
            g[labels[b]] -= 1.0;
            for (var k = 0; k < g.Length; k++) g[k] /= batch;
        }
        return new Loss(sum / batch, Mat.Own(logits.Rows, logits.Cols, grad));
    }

    /// <summary>
    /// L = (1/B) Σ_b Σ_k −t_bk·log softmax(z_b)_k (soft targets t);
    /// ∂L/∂z_bk = (softmax(z_b)_k·Σ_j t_bj − t_bk) / B.
    /// </summary>
    public static Loss SoftmaxCrossEntropy(Mat logits, Mat targets)
    {
        RequireSameShape(logits, targets);
        var batch = logits.Rows;
        var grad = new double[logits.Values.Length];
        var sum = 0.0;
        for (var b = 0; b < batch; b++)
        {
            var z = logits.Row(b);
            var t = targets.Row(b);
            var lse = Activations.LogSumExp(z);
            var g = grad.AsSpan(b * logits.Cols, logits.Cols);
            Activations.Softmax(z, g);
            var mass = 0.0;
            for (var k = 0; k < z.Length; k++)
            {
                sum -= t[k] * (z[k] - lse);
                mass += t[k];
            }
            for (var k = 0; k < z.Length; k++) g[k] = (g[k] * mass - t[k]) / batch;
        }
        return new Loss(sum / batch, Mat.Own(logits.Rows, logits.Cols, grad));
    }

    /// <summary>
    /// L = (1/N) Σ_i [max(z_i, 0) − z_i·t_i + log(1 + e^{−|z_i|})] (binary cross-entropy on logits, stable);
    /// ∂L/∂z_i = (σ(z_i) − t_i)/N.
    /// </summary>
    public static Loss BinaryCrossEntropyWithLogits(Mat logits, Mat targets)
    {
        RequireSameShape(logits, targets);
        var n = logits.Values.Length;
        var grad = new double[n];
        var z = logits.Span;
        var t = targets.Span;
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            sum += Math.Max(z[i], 0.0) - z[i] * t[i] + Math.Log(1.0 + Math.Exp(-Math.Abs(z[i])));
            grad[i] = (Activations.Sigmoid(z[i]) - t[i]) / n;
        }
        return new Loss(sum / n, Mat.Own(logits.Rows, logits.Cols, grad));
    }

    private static void RequireSameShape(Mat a, Mat b)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols) throw new ArgumentException($"shapes differ: {a.Rows}×{a.Cols} vs {b.Rows}×{b.Cols}");
    }
}
