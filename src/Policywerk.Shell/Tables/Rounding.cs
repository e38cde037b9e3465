using Policywerk.Pure.Numerics;

namespace Policywerk.Shell.Tables;

/// <summary>
/// The one way the shell rounds the numbers it prints and keeps as results: to <see cref="Digits"/> decimals unless a
/// table asks for fewer. A snapshot then holds what a reader sees, not the last bits of a long sum.
/// </summary>
public static class Rounding
{
    /// <summary>Decimals a printed result keeps unless its table says otherwise.</summary>
    public const int Digits = 4;

    /// <summary><paramref name="x"/> rounded to <paramref name="digits"/> decimals (midpoints to even, as <see cref="Math.Round(double, int)"/>).</summary>
    public static double Round(double x, int digits = Digits) => Math.Round(x, digits);

    /// <summary>A statistical summary with its mean, standard error and interval rounded to <paramref name="digits"/>
    /// decimals; the count stays.</summary>
    public static Summary Round(Summary s, int digits = Digits) =>
        new(Math.Round(s.Mean, digits), Math.Round(s.StandardError, digits), Math.Round(s.Lower, digits), Math.Round(s.Upper, digits), s.Count);

    /// <summary><paramref name="x"/> written with its sign and <paramref name="decimals"/> decimals: +0.25, -0.25, and
    /// 0.00 for a value that shows as zero at that precision.</summary>
    public static string Signed(double x, int decimals)
    {
        var digits = "0." + new string('0', decimals);
        return x.ToString($"+{digits};-{digits};{digits}", System.Globalization.CultureInfo.InvariantCulture);
    }
}
