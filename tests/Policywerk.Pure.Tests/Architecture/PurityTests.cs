using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Policywerk.Pure.Numerics;
using Xunit;

namespace Policywerk.Pure.Tests.Architecture;

/// <summary>
/// The functional core stays pure: no console, files, clock, threads, environment or System.Random;
/// no public mutable state; no reference to the shell or to picture and console packages.
/// </summary>
public class PurityTests
{
    private static readonly Assembly Pure = typeof(Key).Assembly;

    private static readonly string[] ForbiddenTypes =
    [
        "System.Console", "System.Random", "System.Environment", "System.DateTime", "System.DateTimeOffset",
        "System.TimeProvider", "System.Diagnostics.Stopwatch", "System.Diagnostics.Process",
        "System.Threading.Thread", "System.Threading.ThreadPool", "System.Threading.Timer", "System.Threading.Monitor",
        "System.Threading.Interlocked", "System.Threading.Tasks.Task", "System.Threading.Tasks.Parallel",
        "System.Threading.Tasks.TaskFactory", "System.Net.Http.HttpClient", "System.Security.Cryptography.RandomNumberGenerator",
    ];

    private static readonly string[] ForbiddenNamespaces = ["System.IO", "System.Net", "System.Threading.Tasks"];

    private static readonly string[] ForbiddenAssemblies =
        ["Policywerk.Shell", "Spectre.Console", "Spectre.Console.Cli", "ScottPlot", "Magick.NET", "SkiaSharp"];

    /// <summary>Every type the Pure assembly refers to, read from its metadata (what its IL can call).</summary>
    private static IReadOnlyList<string> ReferencedTypeNames()
    {
        using var stream = File.OpenRead(Pure.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (var handle in md.TypeReferences)
        {
            var type = md.GetTypeReference(handle);
            var ns = md.GetString(type.Namespace);
            var name = md.GetString(type.Name);
            if (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                var outer = md.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
                ns = md.GetString(outer.Namespace);
                name = md.GetString(outer.Name) + "+" + name;
            }
            names.Add(ns.Length == 0 ? name : $"{ns}.{name}");
        }
        return names;
    }

    [Fact]
    public void Pure_refers_to_no_console_file_clock_thread_environment_or_random_api()
    {
        var offending = ReferencedTypeNames()
            .Where(n => ForbiddenTypes.Any(t => n == t || n.StartsWith(t + "+", StringComparison.Ordinal))
                        || ForbiddenNamespaces.Any(ns => n.StartsWith(ns + ".", StringComparison.Ordinal)))
            .Distinct().ToList();
        Assert.True(offending.Count == 0, "Policywerk.Pure uses: " + string.Join(", ", offending));
    }

    /// <summary>System.GC may be used only to allocate arrays that the caller fills completely (a pure allocation).</summary>
    [Fact]
    public void Pure_uses_the_garbage_collector_only_to_allocate()
    {
        using var stream = File.OpenRead(Pure.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var offending = new List<string>();
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference) continue;
            var type = md.GetTypeReference((TypeReferenceHandle)member.Parent);
            var name = md.GetString(member.Name);
            if (md.GetString(type.Namespace) == "System" && md.GetString(type.Name) == "GC" && name != "AllocateUninitializedArray")
                offending.Add("GC." + name);
        }
        Assert.True(offending.Count == 0, "Policywerk.Pure calls: " + string.Join(", ", offending));
    }

    [Fact]
    public void The_check_itself_sees_type_references()
    {
        // guards against a reader that silently returns nothing
        var names = ReferencedTypeNames();
        Assert.Contains("System.Math", names);
        Assert.Contains(names, n => n.StartsWith("System.Collections.Immutable.", StringComparison.Ordinal));
    }

    [Fact]
    public void Pure_references_neither_the_shell_nor_picture_or_console_packages()
    {
        var referenced = Pure.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        var offending = referenced.Where(r => ForbiddenAssemblies.Any(f => r.StartsWith(f, StringComparison.Ordinal))).ToList();
        Assert.True(offending.Count == 0, "Policywerk.Pure references: " + string.Join(", ", offending));
    }

    private static IEnumerable<Type> PublicTypes() => Pure.GetTypes().Where(t => t.IsPublic || t.IsNestedPublic);

    [Fact]
    public void Pure_exposes_no_public_setters()
    {
        var offending = PublicTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(p => p.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
                .Select(p => $"{t.Name}.{p.Name}"))
            .ToList();
        Assert.True(offending.Count == 0, "public setters: " + string.Join(", ", offending));
    }

    [Fact]
    public void Pure_exposes_no_public_mutable_fields()
    {
        var offending = PublicTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsInitOnly && !f.IsLiteral && !f.IsSpecialName)
                .Select(f => $"{t.Name}.{f.Name}"))
            .ToList();
        Assert.True(offending.Count == 0, "public mutable fields: " + string.Join(", ", offending));
    }

    [Fact]
    public void Pure_has_no_mutable_statics()
    {
        var offending = Pure.GetTypes()
            .Where(t => !t.Name.Contains('<') && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsLiteral && !f.Name.Contains('<') && (!f.IsInitOnly || f.FieldType.IsArray))
                .Select(f => $"{t.Name}.{f.Name}"))
            .ToList();
        Assert.True(offending.Count == 0, "mutable statics (non-readonly, or readonly arrays): " + string.Join(", ", offending));
    }

    /// <summary>
    /// Pure compiles with AllowUnsafeBlocks only so that a hot method may carry [SkipLocalsInit] (Adam's gradient scratch
    /// on the stack, every element of which the gradient writer overwrites): no pointer may appear in a field, a signature
    /// or a local, and only the methods listed here may skip zeroing their locals.
    /// </summary>
    [Fact]
    public void Pure_has_no_pointer_code_and_skips_zeroing_locals_only_where_listed()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        static bool Pointer(Type t) => t.IsPointer || t.IsFunctionPointer || (t.HasElementType && Pointer(t.GetElementType()!));
        var types = Pure.GetTypes();
        var methods = types.SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all))).ToList();
        var pointers = types.SelectMany(t => t.GetFields(all).Where(f => Pointer(f.FieldType)).Select(f => $"{t.Name}.{f.Name}"))
            .Concat(methods.Where(m => m.GetParameters().Any(p => Pointer(p.ParameterType))
                                       || (m is MethodInfo mi && Pointer(mi.ReturnType))
                                       || (m.GetMethodBody()?.LocalVariables.Any(l => Pointer(l.LocalType)) ?? false))
                .Select(m => $"{m.DeclaringType?.Name}.{m.Name}"))
            .ToList();
        Assert.True(pointers.Count == 0, "pointer code: " + string.Join(", ", pointers));
        Assert.False(Pure.IsDefined(typeof(System.Runtime.CompilerServices.SkipLocalsInitAttribute)), "SkipLocalsInit on the whole assembly");
        Assert.False(Pure.ManifestModule.IsDefined(typeof(System.Runtime.CompilerServices.SkipLocalsInitAttribute)), "SkipLocalsInit on the whole module");
        var skipping = methods.Where(m => m.IsDefined(typeof(System.Runtime.CompilerServices.SkipLocalsInitAttribute)))
            .Select(m => $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})")
            .Concat(types.Where(t => t.IsDefined(typeof(System.Runtime.CompilerServices.SkipLocalsInitAttribute))).Select(t => t.Name))
            .ToList();
        Assert.Equal(["Adam.Step(Params, GradientWriter, AdamState, AdamHyper)"], skipping);
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    /// <summary>Every type a type's fields, signatures and method bodies refer to (its compiler-made closures are types
    /// of the same namespace and are scanned in their own right).</summary>
    private static IEnumerable<Type> ReferencesOf(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var f in type.GetFields(all)) yield return f.FieldType;
        foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
            if (m is MethodInfo mi) yield return mi.ReturnType;
            var il = m.GetMethodBody()?.GetILAsByteArray();
            if (il is null) continue;
            Type[]? typeArgs = type.IsGenericType ? type.GetGenericArguments() : null;
            Type[]? methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
            for (var i = 0; i < il.Length;)
            {
                var code = il[i] == 0xFE ? OneByte.GetValueOrDefault((short)(0xFE00 | il[i + 1])) : OneByte.GetValueOrDefault(il[i]);
                i += code.Size;
                var operand = OperandSize(code.OperandType, il, i);
                if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
                {
                    var token = BitConverter.ToInt32(il, i);
                    MemberInfo? member = null;
                    try { member = m.Module.ResolveMember(token, typeArgs, methodArgs); } catch (ArgumentException) { }
                    switch (member)
                    {
                        case Type t: yield return t; break;
                        case FieldInfo f: yield return f.FieldType; if (f.DeclaringType is { } fd) yield return fd; break;
                        case MethodBase mb when mb.DeclaringType is { } md: yield return md; break;
                    }
                }
                i += operand;
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OneByte = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static bool ThreadOrEvaluator(Type t)
    {
        var d = t.IsGenericType ? t.GetGenericTypeDefinition() : t;
        if (d.HasElementType) return ThreadOrEvaluator(d.GetElementType()!);
        return d == typeof(IEvaluator) || d == typeof(Policywerk.Pure.Numerics.Sequential)
               || (d.Namespace ?? "").StartsWith("System.Threading", StringComparison.Ordinal)
               || (t.IsGenericType && t.GetGenericArguments().Any(ThreadOrEvaluator));
    }

    [Fact]
    public void No_agent_refers_to_threads_or_the_evaluator_only_the_sharding_helper_does()
    {
        var agents = Pure.GetTypes().Where(t => t.Namespace == "Policywerk.Pure.Agents").ToList();
        Assert.Contains(agents, t => t.Name == "Dreamer");
        var offending = agents.SelectMany(t => ReferencesOf(t).Where(ThreadOrEvaluator).Select(r => $"{t.Name} → {r.Name}")).Distinct().ToList();
        Assert.True(offending.Count == 0, "agents that name threads or the evaluator: " + string.Join(", ", offending));
        // the scan sees such a reference where there is one: in the helper itself
        Assert.Contains(ReferencesOf(typeof(Sharding)), r => r == typeof(IEvaluator));
    }
}
