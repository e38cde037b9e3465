using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;

namespace Policywerk.Benchmarks;

/// <summary>Kernel timings for the neural core (run by hand in Release; see the README, Neural core).</summary>
[MemoryDiagnoser]
public class NeuralBenchmarks
{
    private Mlp _dqn = null!;
    private Params _dqnTheta = null!;
    private AdamState _dqnAdam = null!;
    private Mat _dqnX = null!;
    private Mat _dqnDy = null!;
    private ImmutableArray<int> _dqnActions;
    private double[] _dqnTargets = null!;

    private Mlp _ppo = null!;
    private Params _ppoTheta = null!;
    private Mat _ppoX = null!;
    private Mat _ppoDy = null!;

    private Gru _gru = null!;
    private Params _gruTheta = null!;
    private ImmutableArray<Mat> _gruXs;
    private Mat _gruH0 = null!;
    private Mat _gruDh = null!;

    private Conv2d _conv = null!;
    private Params _convTheta = null!;
    private Mat _convX = null!;
    private Mat _convDy = null!;

    private Params _big = null!;
    private Params _bigGrads = null!;
    private AdamState _bigAdam = null!;

    private static Mat Random(ref Key key, int rows, int cols, double sparsity = 0.0)
    {
        var v = new double[rows * cols];
        for (var i = 0; i < v.Length; i++)
        {
            (var u, key) = key.NextDouble();
            (v[i], key) = key.NextGaussian();
            if (u < sparsity) v[i] = 0.0;
        }
        return Mat.Own(rows, cols, v);
    }

    [GlobalSetup]
    public void Setup()
    {
        var key = Key.FromSeed(1);
        _dqn = Mlp.Create([82, 32, 3], Activation.Relu);
        (_dqnTheta, key) = _dqn.Init(key);
        _dqnAdam = AdamState.Init(_dqnTheta);
        _dqnX = Random(ref key, 16, 82, sparsity: 0.8); // Breakout observations are mostly empty pixels
        _dqnDy = Random(ref key, 16, 3);
        var actions = new int[16];
        _dqnTargets = new double[16];
        for (var i = 0; i < 16; i++)
        {
            (actions[i], key) = key.NextInt(3);
            (_dqnTargets[i], key) = key.NextGaussian();
        }
        _dqnActions = actions.ToImmutableArray();

        _ppo = Mlp.Create([2, 64, 2], Activation.Tanh);
        (_ppoTheta, key) = _ppo.Init(key);
        _ppoX = Random(ref key, 500, 2);
        _ppoDy = Random(ref key, 500, 2);

        _gru = new Gru(34, 32);
        (_gruTheta, key) = _gru.Init(key);
        var xs = new Mat[50];
        for (var t = 0; t < 50; t++) xs[t] = Random(ref key, 1, 34);
        _gruXs = xs.ToImmutableArray();
        _gruH0 = Mat.Zeros(1, 32);
        _gruDh = Random(ref key, 50, 32);

        _conv = new Conv2d(1, 8, 3, 2, 1, 16, 16);
        (_convTheta, key) = _conv.Init(key);
        _convX = Random(ref key, 16, 256);
        _convDy = Random(ref key, 16, _conv.OutSize);

        var layout = Layout.Of(("w", [100_000]));
        var big = new double[100_000];
        var g = new double[100_000];
        for (var i = 0; i < big.Length; i++)
        {
            (big[i], key) = key.NextGaussian();
            (g[i], key) = key.NextGaussian();
        }
        _big = Params.Own(layout, big);
        _bigGrads = Params.Own(layout, g);
        _bigAdam = AdamState.Init(_big);
    }

    [Benchmark(Description = "Dense 82→32→3 fwd+bwd, batch 16")]
    public Params DqnForwardBackward()
    {
        var cache = _dqn.Forward(_dqnTheta, _dqnX);
        return _dqn.Backward(_dqnTheta, cache, _dqnDy).Grads;
    }

    /// <summary>As <c>Dqn.Update</c> takes it: the backward pass writes ∇θ into the Adam step's scratch.</summary>
    [Benchmark(Description = "Lesson-05 step: fwd, Huber, bwd, Adam")]
    public Stepped<AdamState> DqnTrainStep()
    {
        var cache = _dqn.Forward(_dqnTheta, _dqnX);
        var loss = Losses.HuberSelectedPerOutput(cache.Output, _dqnActions, _dqnTargets);
        return Adam.Step(_dqnTheta, g => _dqn.BackwardInto(_dqnTheta, cache, loss.Grad, g), _dqnAdam, new AdamHyper(LearningRate: 0.01));
    }

    [Benchmark(Description = "Lesson-05 step with a gradient buffer (Backward, then Adam)")]
    public Stepped<AdamState> DqnTrainStepWithGradient()
    {
        var cache = _dqn.Forward(_dqnTheta, _dqnX);
        var loss = Losses.HuberSelectedPerOutput(cache.Output, _dqnActions, _dqnTargets);
        var grads = _dqn.Backward(_dqnTheta, cache, loss.Grad).Grads;
        return Adam.Step(_dqnTheta, grads, _dqnAdam, new AdamHyper(LearningRate: 0.01));
    }

    [Benchmark(Description = "MLP 2→64→2 tanh fwd+bwd, batch 500")]
    public Params PpoForwardBackward()
    {
        var cache = _ppo.Forward(_ppoTheta, _ppoX);
        return _ppo.Backward(_ppoTheta, cache, _ppoDy).Grads;
    }

    [Benchmark(Description = "GRU(34→32) 50 steps fwd+BPTT")]
    public GruGrads GruSequence()
    {
        var cache = _gru.Forward(_gruTheta, _gruXs, _gruH0);
        return _gru.Backward(_gruTheta, cache, _gruDh);
    }

    [Benchmark(Description = "Conv 1×16×16→8×8×8 fwd+bwd, batch 16")]
    public LayerGrads ConvForwardBackward()
    {
        var cache = _conv.Forward(_convTheta, _convX);
        return _conv.Backward(_convTheta, cache, _convDy);
    }

    [Benchmark(Description = "Adam step, 100k parameters")]
    public Stepped<AdamState> AdamStep100k() => Adam.Step(_big, _bigGrads, _bigAdam, new AdamHyper());
}
