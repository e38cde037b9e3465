using System.Xml.Linq;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Shell.Tests;

/// <summary>
/// The packages (docs/library.md): the core's public surface is written down in its API baseline, which the build
/// holds it to, and the sample a user copies asks for the version the repository builds and the package versions the
/// repository uses.
/// </summary>
public class PackagingTests
{
    private static readonly string Root = ShellHarness.RepoRoot();

    /// <summary>A type as the API baseline writes it: namespace, enclosing types and type parameters, e.g.
    /// <c>Policywerk.Pure.Mdp.Transition&lt;TState, TAction&gt;</c>.</summary>
    private static string BaselineName(Type type)
    {
        var name = type.Name.Split('`')[0];
        var own = type.GetGenericArguments().Skip(type.DeclaringType?.GetGenericArguments().Length ?? 0).Select(a => a.Name).ToArray();
        if (own.Length > 0) name += $"<{string.Join(", ", own)}>";
        return type.DeclaringType is { } outer ? $"{BaselineName(outer)}.{name}" : $"{type.Namespace}.{name}";
    }

    [Fact]
    public void Every_public_type_of_the_core_is_in_its_API_baseline()
    {
        var folder = Path.Combine(Root, "src", "Policywerk.Pure");
        var declared = File.ReadAllLines(Path.Combine(folder, "PublicAPI.Shipped.txt"))
            .Concat(File.ReadAllLines(Path.Combine(folder, "PublicAPI.Unshipped.txt")))
            .Select(l => l.StartsWith("*REMOVED*", StringComparison.Ordinal) ? "" : l)
            .ToHashSet();
        var types = typeof(Key).Assembly.GetExportedTypes();
        Assert.True(types.Length > 100, $"expected the core's public types, found {types.Length}");
        var missing = types.Select(BaselineName).Where(name => !declared.Contains(name)).ToArray();
        Assert.True(missing.Length == 0, $"public types not in src/Policywerk.Pure/PublicAPI.*.txt: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_package_holds_its_public_surface_to_its_baseline_in_every_build()
    {
        var targets = XDocument.Load(Path.Combine(Root, "Directory.Build.targets"));
        var items = targets.Descendants("ItemGroup").Single(g => (string?)g.Attribute("Condition") == "'$(IsPackable)' == 'true'");
        Assert.Contains(items.Elements("PackageReference"), p => (string?)p.Attribute("Include") == "Microsoft.CodeAnalysis.PublicApiAnalyzers");
        Assert.Equal(["PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"], items.Elements("AdditionalFiles").Select(f => (string?)f.Attribute("Include")));
        var props = XDocument.Load(Path.Combine(Root, "Directory.Build.props"));
        Assert.Equal("true", props.Descendants("TreatWarningsAsErrors").Single().Value); // RS0016/RS0017 are warnings
        var packages = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => XDocument.Load(p).Descendants("IsPackable").Any(e => e.Value == "true"))
            .Select(p => Path.GetFileNameWithoutExtension(p)).Order().ToArray();
        Assert.Equal(["Policywerk.Pure", "Policywerk.Testing"], packages);
        foreach (var package in packages)
            Assert.True(File.Exists(Path.Combine(Root, "src", package, "PublicAPI.Shipped.txt")), $"{package} has no API baseline");
    }

    [Fact]
    public void The_sample_asks_for_the_version_and_the_package_versions_the_repository_uses()
    {
        var version = XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        var central = XDocument.Load(Path.Combine(Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var references = XDocument.Load(Path.Combine(Root, "samples", "MyAgent", "MyAgent.csproj")).Descendants("PackageReference")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        Assert.Equal(version, references["Policywerk.Pure"]);
        Assert.Equal(version, references["Policywerk.Testing"]);
        foreach (var (id, v) in references.Where(r => !r.Key.StartsWith("Policywerk.", StringComparison.Ordinal)))
            Assert.True(central.TryGetValue(id, out var ours) && ours == v, $"the sample asks for {id} {v}, the repository uses {(ours ?? "none")}");
    }

    [Fact]
    public void The_sample_takes_the_policywerk_packages_from_the_local_feed_only()
    {
        var config = XDocument.Load(Path.Combine(Root, "samples", "MyAgent", "NuGet.config"));
        var local = config.Descendants("add").Single(a => (string?)a.Attribute("key") == "policywerk-local");
        Assert.Equal(Path.GetFullPath(Path.Combine(Root, "artifacts", "packages")),
                     Path.GetFullPath(Path.Combine(Root, "samples", "MyAgent", (string)local.Attribute("value")!)));
        var mapped = config.Descendants("packageSource").Where(s => s.Descendants("package").Any(p => (string?)p.Attribute("pattern") == "Policywerk.*"));
        Assert.Equal(["policywerk-local"], mapped.Select(s => (string)s.Attribute("key")!));
    }
}
