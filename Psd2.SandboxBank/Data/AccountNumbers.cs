using System.Globalization;

namespace Psd2.SandboxBank.Data;

/// <summary>Valid-looking account numbers: the bank's own and its customers' counterparties'.</summary>
internal static class AccountNumbers
{
    /// <summary>The sandbox bank's Swedish IBAN bank code (the three digits after the check digits).</summary>
    public const string OwnSwedishBankCode = "969";

    /// <summary>The leading digits of the sandbox bank's Finnish account numbers.</summary>
    public const string OwnFinnishBankPrefix = "39";

    /// <summary>The sandbox bank's French bank code (code banque) and branch code (code guichet) in its FR IBANs.</summary>
    public const string OwnFrenchBankAndBranch = "9696900001";

    /// <summary>The sandbox bank's four-letter bank code in its GB IBANs (the first letters of its BIC).</summary>
    public const string OwnBritishBankCode = "SNDB";

    /// <summary>Its sort codes start 04, a range UK banks leave to newer institutions; the branch digits vary.</summary>
    private const string OwnSortCodePrefix = "04";

    // Real Swedish IBAN bank codes (Danske, Nordea, SEB, Handelsbanken, Swedbank), so counterparties look familiar.
    private static readonly string[] SwedishBankCodes = ["120", "300", "500", "600", "800"];

    // Nordea, OP, Danske, S-Pankki, Aktia.
    private static readonly string[] FinnishBankPrefixes = ["1", "5", "8", "36", "40"];

    // Postbank, ING, Commerzbank, Stadtsparkasse München, Deutsche Bank.
    private static readonly string[] GermanBankCodes = ["10010010", "50010517", "37040044", "70150000", "10070000"];

    private static readonly string[] DutchBankCodes = ["ABNA", "INGB", "RABO", "TRIO"];

    private static readonly string[] FrenchBankCodes = ["3000400003", "3000600001", "1027800040"];

    private static readonly string[] SpanishBankCodes = ["00491500", "21000418", "01822370"];

    /// <summary>The IBAN of one of the sandbox bank's own accounts.</summary>
    public static string Own(ulong seed, string countryCode)
    {
        var number = StableHash.Of(seed, (ulong)HashStream.Iban);
        return countryCode == "FI"
            ? Finnish(OwnFinnishBankPrefix, number)
            : Swedish(OwnSwedishBankCode, number);
    }

    /// <summary>
    /// The IBAN of one of the sandbox bank's own accounts when the bank presents itself in <paramref name="countryCode"/>,
    /// derived from the account's seed: SE, the one generated; FR, the bank's own bank and branch code, an eleven-digit
    /// account number ending with the Swedish one's ten digits, and the RIB key; GB, the bank code and
    /// <see cref="OwnSortCodeAccountNumber"/>.
    /// </summary>
    public static string OwnIn(string countryCode, AccountSeed account) => countryCode switch
    {
        "SE" => account.Iban,
        "FR" => French(OwnFrenchBankAndBranch, StableHash.Of(account.Seed, (ulong)HashStream.Iban)),
        "GB" => Iban.Create("GB", OwnBritishBankCode + OwnSortCodeAccountNumber(account.Seed)),
        _ => throw new ArgumentOutOfRangeException(nameof(countryCode), countryCode, "The bank presents its accounts in SE, FR or GB only."),
    };

    /// <summary>Sort code (6 digits) followed by account number (8 digits) of one of the bank's own accounts in the UK.</summary>
    public static string OwnSortCodeAccountNumber(ulong seed)
    {
        var number = StableHash.Of(seed, (ulong)HashStream.UkAccountNumber);
        var branch = (number >> 40) % 10_000;
        var accountNumber = (number & 0xFF_FFFF_FFFF) % 100_000_000;
        return string.Create(CultureInfo.InvariantCulture, $"{OwnSortCodePrefix}{branch:D4}{accountNumber:D8}");
    }

    /// <summary>A fixed IBAN for a named company, the same wherever it appears.</summary>
    public static string Company(string name, string countryCode) => Other(StableHash.Of(name), countryCode);

    /// <summary>An account at another bank in the country.</summary>
    public static string Other(ulong number, string countryCode)
    {
        var bank = (int)(number >> 56);
        number = StableHash.Mix(number);
        return countryCode switch
        {
            "SE" => Swedish(SwedishBankCodes[bank % SwedishBankCodes.Length], number),
            "FI" => Finnish(FinnishBankPrefixes[bank % FinnishBankPrefixes.Length], number),
            "DE" => Iban.Create("DE", GermanBankCodes[bank % GermanBankCodes.Length] + Digits(number, 10)),
            "NL" => Iban.Create("NL", DutchBankCodes[bank % DutchBankCodes.Length] + Digits(number, 10)),
            "FR" => French(FrenchBankCodes[bank % FrenchBankCodes.Length], number),
            "ES" => Iban.Create("ES", SpanishBankCodes[bank % SpanishBankCodes.Length] + Digits(number, 12)),
            _ => throw new ArgumentOutOfRangeException(nameof(countryCode), countryCode, "No account numbers for this country."),
        };
    }

    /// <summary>Swedish BBAN: the bank code and a 17-digit account number, zero-padded as the banks print it.</summary>
    private static string Swedish(string bankCode, ulong number) => Iban.Create("SE", bankCode + Digits(number % 10_000_000_000UL, 17));

    /// <summary>Finnish BBAN: 13 digits led by the bank's prefix, then a Luhn check digit.</summary>
    private static string Finnish(string bankPrefix, ulong number)
    {
        var body = bankPrefix + Digits(number, 13 - bankPrefix.Length);
        return Iban.Create("FI", body + Luhn.CheckDigit(body).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>French BBAN: bank and branch, an 11-digit account (the number's last digits) and the two-digit RIB key.</summary>
    private static string French(string bankAndBranch, ulong number)
    {
        var account = Digits(number, 11);
        // The RIB key makes 89 * bank + 15 * branch + 3 * account + key a multiple of 97.
        var bank = long.Parse(bankAndBranch.AsSpan(0, 5), CultureInfo.InvariantCulture);
        var branch = long.Parse(bankAndBranch.AsSpan(5, 5), CultureInfo.InvariantCulture);
        var key = 97 - (((89 * bank) + (15 * branch) + (3 * long.Parse(account, CultureInfo.InvariantCulture))) % 97);
        return Iban.Create("FR", bankAndBranch + account + key.ToString("D2", CultureInfo.InvariantCulture));
    }

    private static string Digits(ulong number, int count)
    {
        Span<char> digits = stackalloc char[count];
        for (var i = count - 1; i >= 0; i--)
        {
            digits[i] = (char)('0' + (int)(number % 10));
            number /= 10;
        }

        return new string(digits);
    }
}
