using System.Text.RegularExpressions;

namespace Psd2.Core.Payments;

/// <summary>IBANs as ISO 13616 defines them: country, check digits, and a BBAN whose mod-97 check holds.</summary>
public static partial class Ibans
{
    /// <summary>The IBAN without spaces and in capitals, or null when it is not a valid IBAN.</summary>
    public static string? Normalise(string? iban)
    {
        var compact = iban?.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return compact is not null && Shape().IsMatch(compact) && Mod97(compact[4..] + compact[..4]) == 1 ? compact : null;
    }

    private static int Mod97(string rearranged)
    {
        var remainder = 0;
        foreach (var c in rearranged)
        {
            remainder = c is >= '0' and <= '9'
                ? (remainder * 10 + (c - '0')) % 97
                : (remainder * 100 + (c - 'A' + 10)) % 97;
        }

        return remainder;
    }

    [GeneratedRegex("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")]
    private static partial Regex Shape();
}
