using System.Collections.Immutable;

namespace Policywerk.Pure.Neural;

using Policywerk.Pure.Numerics;

/// <summary>What <see cref="Neuron.Forward"/> keeps for the backward pass: z = w·x + b and y = f(z).</summary>
public sealed record NeuronOutput(double PreActivation, double Output);

/// <summary>What <see cref="Neuron.Backward"/> returns: ∂L/∂w, ∂L/∂b and ∂L/∂x.</summary>
public sealed record NeuronGrads(ImmutableArray<double> Weights, double Bias, ImmutableArray<double> Input);

/// <summary>
/// One neuron, the first building block of a network: a weighted sum of its inputs plus a bias, bent by an activation,
/// y = f(w·x + b). A <see cref="Dense"/> layer is <c>Out</c> of them side by side reading the same input: unit j has the
/// weights W[·, j] and the bias b[j] (<see cref="OfDense"/>).
/// </summary>
public sealed record Neuron(ImmutableArray<double> Weights, double Bias, Activation Activation)
{
    /// <summary>z = Σ_i w_i x_i + b,  y = f(z).</summary>
    public NeuronOutput Forward(ReadOnlySpan<double> x)
    {
        if (x.Length != Weights.Length) throw new ArgumentException($"the neuron has {Weights.Length} inputs, x has {x.Length}");
        var z = Bias;
        for (var i = 0; i < x.Length; i++) z += Weights[i] * x[i];
        return new NeuronOutput(z, Activations.Apply(Activation, z));
    }

    /// <summary>
    /// δ = ∂L/∂y · f′(z);  ∂L/∂w_i = δ x_i,  ∂L/∂b = δ,  ∂L/∂x_i = δ w_i   (the chain rule through y = f(w·x + b)).
    /// </summary>
    public NeuronGrads Backward(ReadOnlySpan<double> x, NeuronOutput forward, double dy)
    {
        var delta = dy * Activations.Derivative(Activation, forward.PreActivation, forward.Output);
        var dw = new double[x.Length];
        var dx = new double[x.Length];
        for (var i = 0; i < x.Length; i++) (dw[i], dx[i]) = (delta * x[i], delta * Weights[i]);
        return new NeuronGrads(dw.Freeze(), delta, dx.Freeze());
    }

    /// <summary>Unit <paramref name="unit"/> of a dense layer with parameters <paramref name="theta"/>, followed by
    /// <paramref name="activation"/>: weights W[·, unit], bias b[unit].</summary>
    public static Neuron OfDense(Dense layer, Params theta, int unit, Activation activation)
    {
        var w = theta["W"];
        var weights = new double[layer.In];
        for (var i = 0; i < weights.Length; i++) weights[i] = w[i * layer.Out + unit];
        return new Neuron(weights.Freeze(), theta["b"][unit], activation);
    }
}
