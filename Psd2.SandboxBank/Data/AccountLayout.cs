namespace Psd2.SandboxBank.Data;

/// <summary>One account of a household as its seed determines it.</summary>
internal sealed class AccountLayout(ulong seed, int index, AccountRole role, Market market, string countryCode, string product, string name, int transactionsPerDay)
{
    public ulong Seed { get; } = seed;

    public int Index { get; } = index;

    public AccountRole Role { get; } = role;

    public Market Market { get; } = market;

    public string CountryCode { get; } = countryCode;

    public string Product { get; } = product;

    public string Name { get; } = name;

    public int TransactionsPerDay { get; } = transactionsPerDay;

    public string Currency => MarketCatalogue.For(Market).Currency;

    public string Iban { get; } = AccountNumbers.Own(seed, countryCode);
}
