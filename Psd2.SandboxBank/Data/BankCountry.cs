namespace Psd2.SandboxBank.Data;

/// <summary>
/// The country a bank instance presents its customers' accounts in (<c>SandboxBank:Country</c>). The generator's money
/// is Swedish whatever the country, so the same seed gives the same amounts, dates, counterparties and texts in every
/// instance; presenting changes only how the PSU's own accounts are named: their IBANs become the country's, and an
/// account in the generator's home currency (SEK) is shown in the country's, amount for amount. Accounts in another
/// currency (the euro accounts some households have) keep it.
/// </summary>
/// <param name="Code">ISO 3166 alpha-2, the IBANs' country code.</param>
/// <param name="Currency">What the generator's kronor are shown as.</param>
/// <param name="Bic">The bank's BIC there: its four-letter bank code, the country and a location code.</param>
public sealed record BankCountry(string Code, string Currency, string Bic)
{
    /// <summary>The generator's home currency: the one a country's currency stands in for.</summary>
    public const string GeneratedCurrency = "SEK";

    /// <summary>The accounts as generated: Swedish IBANs (a Finland resident's accounts Finnish ones), SEK.</summary>
    public static readonly BankCountry Sweden = new("SE", "SEK", "SNDBSESS");

    /// <summary>French IBANs of the bank's own bank and branch code, EUR.</summary>
    public static readonly BankCountry France = new("FR", "EUR", "SNDBFRPP");

    /// <summary>GB IBANs of a sort code and account number, GBP.</summary>
    public static readonly BankCountry UnitedKingdom = new("GB", "GBP", "SNDBGB2L");

    public static IReadOnlyList<BankCountry> All { get; } = [Sweden, France, UnitedKingdom];

    /// <summary>The country of <paramref name="code"/>, or null when the bank cannot present itself there.</summary>
    public static BankCountry? Find(string? code) => All.FirstOrDefault(c => c.Code == code);

    /// <summary>The country of a code the options have validated.</summary>
    public static BankCountry Of(string code) =>
        Find(code) ?? throw new ArgumentOutOfRangeException(nameof(code), code, "The bank presents its accounts in SE, FR or GB only.");

    /// <summary>How an account stored as generated is presented: the same account, money and seed, named in this country.</summary>
    public AccountSeed Present(AccountSeed account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account with { Iban = AccountNumbers.OwnIn(Code, account), Currency = PresentCurrency(account.Currency) };
    }

    /// <summary>The generator's home currency becomes this country's; any other stays as it is.</summary>
    public string PresentCurrency(string generated) => generated == GeneratedCurrency ? Currency : generated;
}
