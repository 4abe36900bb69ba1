using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// How a UK bank names an account: its IBAN and, for a GB IBAN, the sort code and account number inside it. A bank
/// presenting itself in the UK (<c>SandboxBank:Country=GB</c>) gives every account a GB IBAN, so both always agree.
/// </summary>
public static class UkAccountIdentifiers
{
    public const string SortCodeAccountNumberScheme = "UK.OBIE.SortCodeAccountNumber";
    public const string IbanScheme = "UK.OBIE.IBAN";

    /// <summary>The account's identifications, the sort code and account number first when it has them.</summary>
    public static IReadOnlyList<OBAccountIdentification> Of(AccountSeed account)
    {
        var iban = new OBAccountIdentification(IbanScheme, account.Iban, account.OwnerName);
        return SortCodeAccountNumber(account.Iban) is { } number
            ? [new OBAccountIdentification(SortCodeAccountNumberScheme, number, account.OwnerName), iban]
            : [iban];
    }

    /// <summary>
    /// Sort code (6 digits) followed by account number (8 digits), as UK.OBIE.SortCodeAccountNumber writes it: what a
    /// GB IBAN holds after its four-letter bank code. Null for an IBAN of another country.
    /// </summary>
    public static string? SortCodeAccountNumber(string iban) =>
        iban.StartsWith("GB", StringComparison.Ordinal) && iban.Length == 22 ? iban[8..] : null;
}
