namespace Psd2.SandboxBank.Data;

/// <summary>
/// Amounts are generated in minor units (öre, cents): integer sums are exact and order-independent, which the
/// balance cache relies on.
/// </summary>
internal static class Money
{
    /// <summary>Always scale 2, so 100 kronor prints as 100.00 rather than 100.</summary>
    public static decimal FromMinor(long minor)
    {
        var magnitude = minor < 0 ? 0UL - (ulong)minor : (ulong)minor;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, minor < 0, 2);
    }

    public static long ToMinor(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);

    /// <summary>Rounds a positive amount to a multiple of <paramref name="unit"/>, never to zero.</summary>
    public static long RoundTo(long minor, long unit) => Math.Max(unit, (minor + (unit / 2)) / unit * unit);
}
