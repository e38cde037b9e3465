using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Testing;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

/// <summary>The single neuron: by hand, against central differences, and as one unit of a dense layer.</summary>
public class NeuronTests
{
    [Fact]
    public void A_relu_neuron_by_hand()
    {
        // z = 0.5·2 − 1·1 + 0.25 = 0.25 > 0, so y = 0.25 and f′ = 1; with ∂L/∂y = 2: δ = 2, ∂w = 2x, ∂b = 2, ∂x = 2w
        var neuron = new Neuron([0.5, -1.0], 0.25, Activation.Relu);
        ReadOnlySpan<double> x = [2.0, 1.0];
        var forward = neuron.Forward(x);
        Assert.Equal(new NeuronOutput(0.25, 0.25), forward);
        var g = neuron.Backward(x, forward, 2.0);
        Assert.Equal([4.0, 2.0], g.Weights.ToArray());
        Assert.Equal(2.0, g.Bias);
        Assert.Equal([1.0, -2.0], g.Input.ToArray());
        Assert.Equal(0.0, neuron.Backward(x, new NeuronOutput(-0.5, 0.0), 2.0).Bias); // below zero ReLU passes nothing back
    }

    public static TheoryData<Activation> EveryActivation => [.. Enum.GetValues<Activation>()];

    [Theory]
    [MemberData(nameof(EveryActivation))]
    public void Its_gradients_match_central_differences(Activation f)
    {
        var key = Key.FromSeed(7);
        var w = Check.Uniform(ref key, 4, -1, 1);
        var x = Check.Uniform(ref key, 4, -1, 1);
        var b = 0.3;
        var neuron = new Neuron([.. w], b, f);
        var g = neuron.Backward(x, neuron.Forward(x), 1.0);
        Check.Gradient(v => new Neuron([.. v], b, f).Forward(x).Output, w, g.Weights.AsSpan());
        Check.Gradient(v => neuron.Forward(v).Output, x, g.Input.AsSpan());
        Check.Gradient(v => new Neuron([.. w], v[0], f).Forward(x).Output, [b], [g.Bias]);
    }

    /// <summary>Unit j of a dense layer, read off as a neuron, computes column j of the layer's output, and its
    /// gradients are the layer's gradients for column j (with ∂L/∂y zero in the other columns).</summary>
    [Property(MaxTest = 100)]
    public Property A_dense_layer_is_its_neurons_side_by_side() =>
        Prop.ForAll((from inputs in Gen.Choose(1, 6)
                     from outputs in Gen.Choose(1, 5)
                     from unit in Gen.Choose(0, outputs - 1)
                     from key in Generators.Keys
                     select (inputs, outputs, unit, key)).ToArbitrary(), c =>
        {
            var key = c.key;
            var layer = new Dense(c.inputs, c.outputs);
            (var theta, key) = layer.Init(key);
            theta = theta.Add(Params.Own(theta.Layout, Check.Uniform(ref key, theta.Count, -0.5, 0.5)));
            var x = Check.Uniform(ref key, c.inputs, -1, 1);
            var neuron = Neuron.OfDense(layer, theta, c.unit, Activation.Identity);
            var forward = neuron.Forward(x);
            var y = layer.Forward(theta, Mat.From(1, c.inputs, x));
            var dy = new double[c.outputs];
            dy[c.unit] = 1.5;
            var layerGrads = layer.Backward(theta, Mat.From(1, c.inputs, x), Mat.From(1, c.outputs, dy));
            var neuronGrads = neuron.Backward(x, forward, 1.5);
            static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(1.0, Math.Abs(b));
            var dW = layerGrads.Grads["W"].ToArray();
            return Close(forward.Output, y[0, c.unit])
                && Enumerable.Range(0, c.inputs).All(i => Close(neuronGrads.Weights[i], dW[i * c.outputs + c.unit]))
                && Close(neuronGrads.Bias, layerGrads.Grads["b"][c.unit])
                && Enumerable.Range(0, c.inputs).All(i => Close(neuronGrads.Input[i], layerGrads.DInput![0, i]));
        });
}
