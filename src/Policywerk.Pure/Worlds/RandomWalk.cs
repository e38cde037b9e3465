using System.Collections.Immutable;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Tabular;

namespace Policywerk.Pure.Worlds;

using Policywerk.Pure.Numerics;

/// <summary>
/// The bounded random walk of Sutton (1988) §3.2: states 0 … n+1 in a row, where 0 and n+1 are terminal and
/// 1 … n are the walk's states (n = 5: A B C D E). Every walk starts in the middle (C). Action 0 steps left,
/// 1 steps right; leaving on the right pays +1, leaving on the left <see cref="LeftReward"/> (0 in Sutton 1988, −1 in
/// Sutton &amp; Barto's 19-state walk of §7.1), every other step 0. Under the 50/50 policy (<see cref="UniformPolicy"/>)
/// the true value of state i is i/(n+1) + LeftReward·(1 − i/(n+1)): 1/6 … 5/6 for n = 5.
/// </summary>
public sealed record RandomWalk(int Size = 5, double LeftReward = 0.0) : IWorld<int, int>
{
    public const int Left = 0;
    public const int Right = 1;

    /// <summary>The left terminal.</summary>
    public int LeftEnd => 0;

    /// <summary>The right terminal.</summary>
    public int RightEnd => Size + 1;

    /// <summary>All states, terminals included: V tables for this walk have this many entries.</summary>
    public int StateCount => Size + 2;

    /// <summary>The centre state (C for n = 5).</summary>
    public int Start => (Size + 1) / 2;

    /// <summary>The non-terminal states 1 … n, in order.</summary>
    public ImmutableArray<int> WalkStates
    {
        get
        {
            var states = new int[Size];
            for (var i = 0; i < Size; i++) states[i] = i + 1;
            return states.Freeze();
        }
    }

    /// <summary>The state's letter: A, B, C, … (terminals shown as "L" and "R").</summary>
    public string Label(int state) =>
        state == LeftEnd ? "L" : state == RightEnd ? "R" : ((char)('A' + state - 1)).ToString();

    public bool IsTerminal(int state) => state == LeftEnd || state == RightEnd;

    /// <summary>v_π(i) = i/(n+1) + LeftReward·(1 − i/(n+1)) for walk states; 0 for the terminals (γ = 1, <see cref="TrueValuesFor"/>).</summary>
    public ImmutableArray<double> TrueValues => TrueValuesFor(1.0);

    /// <summary>
    /// v_π(i) = sinh(μi) / (γ·sinh(μ(n+1))) with cosh μ = 1/γ: the solution of v(i) = ½γ·v(i−1) + ½γ·v(i+1) inside and
    /// v(n) = ½γ·v(n−1) + ½·1 at the right edge (the +1 is paid on leaving, undiscounted), the ends worth 0. At γ = 1
    /// (μ → 0) it is i/(n+1); at γ = 0 every walk state but the last is worth 0 and the last ½. Terminals are 0. It is
    /// computed as e^{−μ(n+1−i)}·(1 − e^{−2μi}) / (γ·(1 − e^{−2μ(n+1)})), the same ratio without sinh's overflow at small γ.
    /// A reward on the left adds the mirror image: LeftReward·(the same value of state n+1−i).
    /// </summary>
    public ImmutableArray<double> TrueValuesFor(double gamma)
    {
        if (!(gamma is >= 0.0 and <= 1.0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be in [0, 1]");
        var v = new double[StateCount];
        var mu = gamma == 0.0 ? double.PositiveInfinity : Math.Acosh(1.0 / gamma);
        double Right(int i) => gamma == 1.0 ? (double)i / (Size + 1)
                             : gamma == 0.0 ? (i == Size ? 0.5 : 0.0)
                             : Math.Exp(-mu * (Size + 1 - i)) * -double.ExpM1(-2 * mu * i) / (gamma * -double.ExpM1(-2 * mu * (Size + 1)));
        for (var i = 1; i <= Size; i++) v[i] = Right(i) + LeftReward * Right(Size + 1 - i);
        return v.Freeze();
    }

    /// <summary>Every walk state valued <paramref name="value"/> (0.5 in lesson 03 and the paper), terminals 0.</summary>
    public VTable InitialValues(double value)
    {
        var v = new double[StateCount];
        for (var i = 1; i <= Size; i++) v[i] = value;
        return new VTable(v.Freeze());
    }

    /// <summary>Always the centre state; the key is not used.</summary>
    public Draw<int> Reset(Key key) => new(Start, key);

    /// <summary>s' = s − 1 (action 0) or s + 1 (action 1); r = 1 on entering the right end, <see cref="LeftReward"/> on
    /// entering the left end, else 0; done at either end.</summary>
    public StepResult<int> Step(int state, int action, Key key)
    {
        var next = action == Left ? state - 1 : state + 1;
        var reward = next == RightEnd ? 1.0 : next == LeftEnd ? LeftReward : 0.0;
        return StepResult.Of(next, reward, terminal: IsTerminal(next), timeLimit: false, key);
    }

    /// <summary>π(left) = π(right) = ½, whatever the state.</summary>
    public static Draw<int> UniformPolicy(int state, Key key) => key.NextInt(2);

    /// <summary>One walk from the centre under the 50/50 policy.</summary>
    public Trajectory<int, int> Sample(Key key) => Episodes.Run(this, UniformPolicy, Start, key, int.MaxValue);

    /// <summary><paramref name="count"/> independent walks (a training set in the 1988 paper's sense).</summary>
    public ImmutableArray<Trajectory<int, int>> SampleMany(int count, Key key)
    {
        var keys = key.Split(count);
        var walks = new Trajectory<int, int>[count];
        for (var i = 0; i < count; i++) walks[i] = Sample(keys[i]);
        return walks.Freeze();
    }
}
