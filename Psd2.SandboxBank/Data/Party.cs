namespace Psd2.SandboxBank.Data;

/// <summary>A counterparty: the other side of a payment.</summary>
internal sealed record Party(string Name, string? Iban)
{
    public static Party Company(string name, string countryCode) => new(name, AccountNumbers.Company(name, countryCode));
}
