using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

[CollectionDefinition(Name)]
public sealed class UkBankCollection : ICollectionFixture<UkBank>
{
    public const string Name = "UK Open Banking bank";
}

/// <summary>
/// The sandbox bank with SandboxBank:Standard = uk-open-banking and Country = GB (GB IBANs, kronor shown as pounds).
/// Pages of 25 transactions, so a month of history takes several.
/// </summary>
public sealed class UkBank : InProcessSandboxBank
{
    public const int PageSize = 25;

    public UkBank()
        : base("uk")
    {
        var now = DateTimeOffset.UtcNow;
        ExpiredQsealC = Usable(CertificateFactory.IssueQsealC(Ca, SandboxCertificates.Tpp, now.AddYears(-2), now.AddDays(-1)));
    }

    public X509Certificate2 ExpiredQsealC { get; }

    protected override IReadOnlyDictionary<string, string> StandardSettings { get; } = new Dictionary<string, string>
    {
        ["SandboxBank:Standard"] = "uk-open-banking",
        ["SandboxBank:Country"] = "GB",
        ["SandboxBank:TransactionsPageSize"] = PageSize.ToString(CultureInfo.InvariantCulture),
    };
}
