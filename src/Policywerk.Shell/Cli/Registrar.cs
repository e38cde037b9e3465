using Spectre.Console;
using Spectre.Console.Cli;

namespace Policywerk.Shell.Cli;

/// <summary>A minimal type registrar: commands get the console they should write to.</summary>
public sealed class Registrar(IAnsiConsole console) : ITypeRegistrar
{
    private readonly Dictionary<Type, Func<object>> _factories = new() { [typeof(IAnsiConsole)] = () => console };

    public ITypeResolver Build() => new Resolver(this);
    public void Register(Type service, Type implementation) => _factories[service] = () => Create(implementation);
    public void RegisterInstance(Type service, object implementation) => _factories[service] = () => implementation;
    public void RegisterLazy(Type service, Func<object> factory) => _factories[service] = factory;

    private object Create(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => Resolve(p.ParameterType)).ToArray();
        return constructor.Invoke(arguments);
    }

    private object? Resolve(Type type)
    {
        if (_factories.TryGetValue(type, out var factory)) return factory();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            var element = type.GetGenericArguments()[0];
            var items = _factories.TryGetValue(element, out var single) ? new[] { single() } : [];
            var array = Array.CreateInstance(element, items.Length);
            Array.Copy(items, array, items.Length);
            return array;
        }
        return type.IsAbstract || type.IsInterface ? null : Create(type);
    }

    private sealed class Resolver(Registrar registrar) : ITypeResolver
    {
        public object? Resolve(Type? type) => type is null ? null : registrar.Resolve(type);
    }
}
