using System.Collections.Immutable;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Neural;

/// <summary>Matrices and parameter vectors are checked when they are made, and nothing can change their shape afterwards.</summary>
public class ValidatedRecordTests
{
    [Fact]
    public void A_matrix_or_parameter_vector_of_the_wrong_size_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new Mat(2, 3, ImmutableArray.Create(1.0, 2.0)));
        Assert.Throws<ArgumentException>(() => new Mat(-1, 0, ImmutableArray<double>.Empty));
        var layout = Layout.Of(("w", [2, 2]));
        Assert.Throws<ArgumentException>(() => new Params(layout, ImmutableArray.Create(1.0, 2.0, 3.0)));
    }

    [Theory]
    [InlineData(typeof(Mat), "Rows")]
    [InlineData(typeof(Mat), "Cols")]
    [InlineData(typeof(Mat), "Values")]
    [InlineData(typeof(Params), "Layout")]
    [InlineData(typeof(Params), "Values")]
    public void Shape_and_values_have_no_setter_so_a_with_expression_cannot_bypass_the_check(Type type, string property) =>
        Assert.Null(type.GetProperty(property)!.SetMethod);

    [Fact]
    public void Predict_row_gives_the_same_bits_as_the_batched_forward_pass()
    {
        foreach (var activation in new[] { Activation.Relu, Activation.Tanh })
        {
            var mlp = Mlp.Create([3, 7, 5, 2], activation);
            var (theta, key) = mlp.Init(Key.FromSeed(4));
            for (var i = 0; i < 20; i++)
            {
                (var x, key) = key.NextGaussians(3);
                var row = new double[2];
                mlp.PredictRow(theta, x.AsSpan(), row);
                Assert.Equal(mlp.Predict(theta, Mat.RowVector(x)).Values.ToArray(), row);
            }
        }
        Assert.Throws<ArgumentException>(() => Mlp.Create([3, 2], Activation.Relu).PredictRow(
            Params.Zeros(Mlp.Create([3, 2], Activation.Relu).Layout), [1.0, 2.0], new double[2]));
    }
}
