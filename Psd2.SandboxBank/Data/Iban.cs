namespace Psd2.SandboxBank.Data;

/// <summary>International Bank Account Numbers in electronic form (no spaces), ISO 13616 with mod-97 check digits.</summary>
public static class Iban
{
    // Lengths of the countries this bank deals with; an IBAN from elsewhere is judged by its check digits alone.
    private static readonly Dictionary<string, int> Lengths = new(StringComparer.Ordinal)
    {
        ["AT"] = 20,
        ["BE"] = 16,
        ["CH"] = 21,
        ["DE"] = 22,
        ["DK"] = 18,
        ["EE"] = 20,
        ["ES"] = 24,
        ["FI"] = 18,
        ["FR"] = 27,
        ["GB"] = 22,
        ["IE"] = 22,
        ["IS"] = 26,
        ["IT"] = 27,
        ["LT"] = 20,
        ["LU"] = 20,
        ["LV"] = 21,
        ["NL"] = 18,
        ["NO"] = 15,
        ["PL"] = 28,
        ["PT"] = 25,
        ["SE"] = 24,
    };

    /// <summary>Prefixes <paramref name="bban"/> with the country code and the check digits that make it valid.</summary>
    public static string Create(string countryCode, string bban)
    {
        ArgumentNullException.ThrowIfNull(countryCode);
        ArgumentNullException.ThrowIfNull(bban);
        if (countryCode.Length != 2 || !char.IsAsciiLetterUpper(countryCode[0]) || !char.IsAsciiLetterUpper(countryCode[1]))
        {
            throw new ArgumentException("A country code is two upper-case letters.", nameof(countryCode));
        }

        if (bban.Length == 0 || !IsUpperAlphanumeric(bban))
        {
            throw new ArgumentException("A BBAN is upper-case letters and digits.", nameof(bban));
        }

        if (bban.Length + 4 != ExpectedLength(countryCode, bban.Length + 4))
        {
            throw new ArgumentException($"A {countryCode} IBAN has {Lengths[countryCode]} characters.", nameof(bban));
        }

        var check = 98 - Remainder(bban, countryCode, "00");
        return string.Concat(countryCode, check.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), bban);
    }

    public static bool IsValid(string? iban)
    {
        if (iban is null || iban.Length < 15 || iban.Length > 34
            || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1])
            || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3])
            || !IsUpperAlphanumeric(iban.AsSpan(4)))
        {
            return false;
        }

        return iban.Length == ExpectedLength(iban[..2], iban.Length)
            && Remainder(iban.AsSpan(4), iban.AsSpan(0, 2), iban.AsSpan(2, 2)) == 1;
    }

    private static int ExpectedLength(string countryCode, int otherwise) =>
        Lengths.TryGetValue(countryCode, out var length) ? length : otherwise;

    /// <summary>The mod-97 remainder of the parts read as one number, letters counting as 10 (A) to 35 (Z).</summary>
    private static int Remainder(ReadOnlySpan<char> first, ReadOnlySpan<char> second, ReadOnlySpan<char> third)
    {
        var remainder = 0;
        remainder = Accumulate(remainder, first);
        remainder = Accumulate(remainder, second);
        return Accumulate(remainder, third);
    }

    private static int Accumulate(int remainder, ReadOnlySpan<char> part)
    {
        foreach (var c in part)
        {
            remainder = char.IsAsciiDigit(c)
                ? ((remainder * 10) + (c - '0')) % 97
                : ((remainder * 100) + (c - 'A' + 10)) % 97;
        }

        return remainder;
    }

    private static bool IsUpperAlphanumeric(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && !char.IsAsciiLetterUpper(c))
            {
                return false;
            }
        }

        return true;
    }
}
