// Cross-checks the C# DQN pieces against the Python original (a research tool, not part of the solution).
//   python/fixtures.py (run against a checkout of the Python repo at /tmp/pyorig) writes /tmp/dqncheck/*.json; then
//   dotnet run -c Release --project tools/DqnCheck                 Breakout replay + 200 Dqn.Update steps vs Python
//   dotnet run -c Release --project tools/DqnCheck -- --emulate 1 42 1 2   Python's dqn() loop on the C# pieces,
//       driven by CPython's Mersenne Twister (PyRandom): reproduces the Python runs' per-episode rewards exactly.
//   The scale argument: 1 runs Dqn.Update as is (since the 1/|A| fix, Python's gradient); any other s runs the batch-mean
//   Huber gradient (HuberSelected, without 1/|A|) times s; s = 1/3 gives Python's gradient the old way.
using System.Collections.Immutable;
using System.Text.Json;
using Policywerk.Pure.Agents;
using Policywerk.Pure.Mdp;
using Policywerk.Pure.Neural;
using Policywerk.Pure.Numerics;
using Policywerk.Pure.Worlds;

var dir = "/tmp/dqncheck";
if (args.Length > 0 && args[0] == "--rngcheck")
{
    var r = new PyRandom(42);
    Console.WriteLine($"[{r.Random():R}, {r.Random():R}, {r.Random():R}] [{string.Join(", ", Enumerable.Range(0, 10).Select(_ => r.RandInt(0, 2)))}] [{string.Join(", ", Enumerable.Range(0, 5).Select(_ => r.RandInt(0, 2999)))}] {r.Uniform(-0.2, 0.2):R}");
    Console.WriteLine(new PyRandom(0).Random().ToString("R"));
    return;
}
if (args.Length > 0 && args[0] == "--emulate")
{
    // --emulate scale seed1 seed2 ...   (1 = Dqn.Update; 1/3 = HuberSelected × 1/3: both Python's gradient since the fix)
    var scale = args[1] == "1/3" ? 1.0 / 3 : double.Parse(args[1]);
    foreach (var sd in args.Skip(2).Select(ulong.Parse))
    {
        var (rw, gr, gb) = Emulate.Run(sd, scale);
        var blocks = Enumerable.Range(0, 6).Select(i => rw.Skip(50 * i).Take(50).Average()).ToArray();
        Console.WriteLine($"emulated seed {sd} scale {args[1]}: avg/50 {string.Join(" ", blocks.Select(x => x.ToString("F2")))} late={blocks[5]:F4} greedy r={gr:F2} bricks={gb} | {string.Join(",", rw.Select(x => x.ToString("F2")))}");
    }
    return;
}
var PyScale = args.Contains("--py-scale");

// 1. Breakout: replay the Python episodes' actions and compare every observation, reward and done flag.
{
    using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "breakout_fixture.json")));
    int episodes = 0, steps = 0, mismatches = 0;
    foreach (var ep in doc.RootElement.EnumerateArray())
    {
        var world = new Breakout(ep.GetProperty("max_steps").GetInt32());
        var (s, k) = world.Reset(Key.FromSeed(0));
        if (!Same(Breakout.Observe(s), ep.GetProperty("start"))) mismatches++;
        var acts = ep.GetProperty("actions").EnumerateArray().Select(a => a.GetInt32()).ToArray();
        var recs = ep.GetProperty("steps").EnumerateArray().ToArray();
        for (var t = 0; t < acts.Length; t++)
        {
            var r = world.Step(s, acts[t], k);
            var rec = recs[t];
            var ok = Same(Breakout.Observe(r.Next), rec.GetProperty("f")) && r.Reward == rec.GetProperty("r").GetDouble()
                     && r.Done == rec.GetProperty("d").GetBoolean() && r.Next.Score == rec.GetProperty("score").GetInt32();
            if (!ok && mismatches++ < 5) Console.WriteLine($"breakout mismatch: episode {episodes} step {t}");
            s = r.Next; steps++;
            if (r.Done && t != acts.Length - 1) { mismatches++; Console.WriteLine($"early done at episode {episodes} step {t}"); }
        }
        episodes++;
    }
    Console.WriteLine($"breakout: {episodes} episodes, {steps} steps, {mismatches} mismatches");
}

// 2. DQN updates: same initial weights, same batches, compare the parameters after 1, 10, 50 and 200 updates.
{
    using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "update_fixture.json")));
    var root = doc.RootElement;
    var trans = root.GetProperty("transitions").EnumerateArray().Select(t =>
    {
        var a = t.EnumerateArray().ToArray();
        return new Transition<double[], int>(Vec(a[0]), a[1].GetInt32(), a[2].GetDouble(), Vec(a[3]), a[4].GetBoolean());
    }).ToArray();
    var config = new DqnConfig();
    var net = Mlp.Create([82, 32, 3], Activation.Relu);
    var theta = FromPython(net, root.GetProperty("init"));
    var model = new DqnModel(net, theta, theta, AdamState.Init(theta), 0, 0);
    ObservationWriter<double[]> observe = (x, o) => x.AsSpan().CopyTo(o);
    var batches = root.GetProperty("batches").EnumerateArray().Select(b => b.EnumerateArray().Select(i => i.GetInt32()).ToArray()).ToArray();
    var after = root.GetProperty("after").EnumerateArray().ToDictionary(x => x.GetProperty("u").GetInt32());
    Console.WriteLine("Q(first) = " + string.Join(", ", Dqn.QValues(model, trans[batches[0][0]].State)));
    for (var u = 0; u < batches.Length; u++)
    {
        var batch = batches[u].Select(i => trans[i]).ToImmutableArray();
        var up = PyScale ? ScaledUpdate(config, model, batch, observe, 1.0 / 3) : Dqn.Update(config, model, batch, observe);
        model = up.Model;
        if ((u + 1) % 25 == 0) model = model with { Target = model.Online };
        if (after.TryGetValue(u, out var want))
        {
            var expected = FromPython(net, want.GetProperty("net"));
            var maxDiff = 0.0; var maxAbs = 0.0;
            if (u == 0)
            {
                var diffs = Enumerable.Range(0, expected.Count).Select(i => (i, d: Math.Abs(expected.Span[i] - model.Online.Span[i]))).OrderByDescending(x => x.d).ToArray();
                Console.WriteLine($"params differing by > 1e-9 after update 1: {diffs.Count(x => x.d > 1e-9)} of {expected.Count}");
                foreach (var (i, d) in diffs.Take(8))
                    Console.WriteLine($"  [{i}] init {theta.Span[i]:F9} py {expected.Span[i]:F9} cs {model.Online.Span[i]:F9}  cs step {(theta.Span[i]-model.Online.Span[i])/0.01:F6} py step {(theta.Span[i]-expected.Span[i])/0.01:F6}");
            }
            for (var i = 0; i < expected.Count; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(expected.Span[i] - model.Online.Span[i]));
                maxAbs = Math.Max(maxAbs, Math.Abs(expected.Span[i]));
            }
            // Python's logged loss is mean over outputs too: huber(q, targets) averages over 3 outputs.
            Console.WriteLine($"after update {u + 1}: max |θ_py − θ_cs| = {maxDiff:E2} (max |θ| {maxAbs:F3}); loss py {want.GetProperty("loss").GetDouble() * 3:F10} cs {up.Loss:F10}");
        }
    }
}

static DqnUpdate ScaledUpdate(DqnConfig config, DqnModel model, ImmutableArray<Transition<double[], int>> batch, ObservationWriter<double[]> observe, double scale)
{
    var (next, lossValue, grads) = Emulate.ScaledStep(config, model, batch, observe, scale);
    var adam = next.Adam;
    if (model.Updates is 0 or 199)
    {
        var hist = new int[20]; var zero = 0;
        foreach (var x in grads.Span) { if (x == 0) zero++; else hist[Math.Clamp((int)Math.Floor(-Math.Log10(Math.Abs(x / scale))), 0, 19)]++; }
        Console.WriteLine($"update {model.Updates + 1}: |g| (unscaled) zero {zero}; by decade 1e-k: " + string.Join(" ", hist.Select((c, k) => $"{k}:{c}")));
        var c2 = 1.0 / (1.0 - Math.Pow(0.999, adam.T));
        var hv = new int[20];
        foreach (var v in adam.V.Span) if (v > 0) hv[Math.Clamp((int)Math.Floor(-Math.Log10(Math.Sqrt(v * c2) / scale)), 0, 19)]++;
        Console.WriteLine($"   sqrt(v̂) (unscaled) by decade: " + string.Join(" ", hv.Select((c, k) => $"{k}:{c}")));
    }
    return new DqnUpdate(next, lossValue, 0);
}

static double[] Vec(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

static bool Same(ImmutableArray<double> o, JsonElement e)
{
    var v = Vec(e);
    if (v.Length != o.Length) return false;
    for (var i = 0; i < v.Length; i++) if (v[i] != o[i]) return false;
    return true;
}

// Python layers: W [out][in], b [out]; C#: "l.W" [in, out] row-major, then "l.b".
static Params FromPython(Mlp net, JsonElement layers)
{
    var values = new List<double>();
    var l = 0;
    foreach (var layer in layers.EnumerateArray())
    {
        var w = layer.GetProperty("W").EnumerateArray().Select(Vec).ToArray();
        int nOut = net.Widths[l + 1], nIn = net.Widths[l];
        for (var i = 0; i < nIn; i++) for (var j = 0; j < nOut; j++) values.Add(w[j][i]);
        values.AddRange(Vec(layer.GetProperty("b")));
        l++;
    }
    return Params.Own(net.Layout, values.ToArray());
}
