using System.Text;

namespace Policywerk.Shell.Cli;

/// <summary>A writer whose failures are <see cref="WriteError"/>s naming <paramref name="name"/>: standard output that
/// is closed or points at a full device ends the run with one <c>error:</c> line and exit code 1.</summary>
internal sealed class WriteGuard(TextWriter inner, string name) : TextWriter
{
    /// <summary>Puts the guard around standard output; call it before the console is first used.</summary>
    public static void GuardStandardOutput() => Console.SetOut(new WriteGuard(Console.Out, "standard output"));

    public override Encoding Encoding => inner.Encoding;
    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        try { inner.Write(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        try { inner.Write(buffer, index, count); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        try { inner.Write(buffer); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }

    public override void Write(string? value)
    {
        try { inner.Write(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }

    public override void WriteLine()
    {
        try { inner.WriteLine(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }

    public override void WriteLine(string? value)
    {
        try { inner.WriteLine(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }

    public override void Flush()
    {
        try { inner.Flush(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new WriteError(name, e); }
    }
}
