using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Two jobs, both BenchmarkDotNet's medium run (the short run's 3 iterations scattered by ±30% on this shared machine)
// with the large-object-heap threshold raised to 16 MB, as the shell runs (see the README, Neural core): a
// 100k-parameter Adam step builds 800 KB buffers, which would otherwise each trigger gen-2 collections.
// The second job also caps the gen-0 allocation budget at 4 MB (the runtime sizes its default from the L3: ≈ 88 MB on
// the machine of the README's table): the small kernels allocate their fresh output buffers in memory that is still in
// cache. The shell keeps the default because Dreamer's larger buffers run ≈ 25% slower under the cap (README, Neural core).
// Min and median are shown because the machine is shared.
var job = Job.MediumRun
    .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_GCLOHThreshold", "0x1000000"))
    .WithId("Medium+LOH16MB");
var budget = Job.MediumRun
    .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_GCLOHThreshold", "0x1000000"),
        new EnvironmentVariable("DOTNET_GCGen0MaxBudget", "0x400000"))
    .WithId("Medium+LOH16MB+Gen0-4MB");
var config = DefaultConfig.Instance
    .AddJob(job).AddJob(budget)
    .AddColumn(StatisticColumn.Min, StatisticColumn.Median);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
