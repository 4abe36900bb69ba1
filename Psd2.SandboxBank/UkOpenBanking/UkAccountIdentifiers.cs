using System.Globalization;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// How a UK bank names an account: sort code and account number, and the GB IBAN built from them. Derived from the
/// account's seed, so the same account always has the same numbers; only the presentation is British, the account
/// (its currency, its transactions) is the one the Berlin Group dialect shows.
/// </summary>
public static class UkAccountIdentifiers
{
    public const string SortCodeAccountNumberScheme = "UK.OBIE.SortCodeAccountNumber";
    public const string IbanScheme = "UK.OBIE.IBAN";

    /// <summary>The sandbox bank's four-letter bank code in its GB IBANs (the first letters of a BIC).</summary>
    private const string BankCode = "SNDB";

    /// <summary>Its sort codes start 04, a range UK banks leave to newer institutions; the branch digits vary.</summary>
    private const string SortCodePrefix = "04";

    /// <summary>Sort code (6 digits) followed by account number (8 digits), as UK.OBIE.SortCodeAccountNumber writes it.</summary>
    public static string SortCodeAccountNumber(AccountSeed account)
    {
        var number = StableHash.Of(account.Seed, (ulong)HashStream.UkAccountNumber);
        var branch = (number >> 40) % 10_000;
        var accountNumber = (number & 0xFF_FFFF_FFFF) % 100_000_000;
        return string.Create(CultureInfo.InvariantCulture, $"{SortCodePrefix}{branch:D4}{accountNumber:D8}");
    }

    public static string GbIban(AccountSeed account) => Iban.Create("GB", BankCode + SortCodeAccountNumber(account));
}
