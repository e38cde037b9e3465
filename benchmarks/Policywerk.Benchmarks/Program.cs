using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Default: BenchmarkDotNet's short run (3 warm-ups, 3 iterations) with the large-object-heap threshold raised
// to 16 MB, as the shell should run (see the README, Neural core): a 100k-parameter Adam step builds 800 KB buffers, which
// would otherwise each trigger gen-2 collections. Min and median are shown because the machine is shared.
var job = Job.ShortRun
    .WithEnvironmentVariables(new BenchmarkDotNet.Jobs.EnvironmentVariable("DOTNET_GCLOHThreshold", "0x1000000"))
    .WithId("ShortRun+LOH16MB");
var config = DefaultConfig.Instance
    .AddJob(job)
    .AddColumn(StatisticColumn.Min, StatisticColumn.Median);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
