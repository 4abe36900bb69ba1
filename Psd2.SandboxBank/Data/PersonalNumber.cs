using System.Globalization;

namespace Psd2.SandboxBank.Data;

/// <summary>
/// Swedish personal identity numbers (personnummer) in the twelve-digit form BankID uses: YYYYMMDDNNNC, where C is
/// the Luhn check digit over the last ten digits.
/// </summary>
public static class PersonalNumber
{
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length != 12)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var year = int.Parse(value.AsSpan(0, 4), CultureInfo.InvariantCulture);
        var month = int.Parse(value.AsSpan(4, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(value.AsSpan(6, 2), CultureInfo.InvariantCulture);
        return year >= 1850 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            && Luhn.IsValid(value.AsSpan(2));
    }

    /// <summary>The number of the person born on <paramref name="birthDate"/> with birth serial <paramref name="serial"/> (0-999).</summary>
    internal static string Create(DateOnly birthDate, int serial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(serial);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(serial, 999);
        var body = string.Create(CultureInfo.InvariantCulture, $"{birthDate:yyyyMMdd}{serial:D3}");
        return string.Create(CultureInfo.InvariantCulture, $"{body}{Luhn.CheckDigit(body.AsSpan(2))}");
    }
}
