namespace Psd2.SandboxBank.Data;

/// <summary>The mod-10 check digit of Swedish personal numbers and Finnish account numbers.</summary>
internal static class Luhn
{
    /// <summary>The digit to append to <paramref name="digits"/> so that the whole passes <see cref="IsValid"/>.</summary>
    public static int CheckDigit(ReadOnlySpan<char> digits)
    {
        // Doubling starts at the rightmost digit of the payload, because the check digit will sit to its right.
        var sum = 0;
        var doubled = true;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            sum += Weighted(digits[i] - '0', doubled);
            doubled = !doubled;
        }

        return (10 - (sum % 10)) % 10;
    }

    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var digit = digits[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }

            sum += Weighted(digit, doubled);
            doubled = !doubled;
        }

        return digits.Length > 1 && sum % 10 == 0;
    }

    private static int Weighted(int digit, bool doubled)
    {
        if (!doubled)
        {
            return digit;
        }

        var twice = digit * 2;
        return twice > 9 ? twice - 9 : twice;
    }
}
