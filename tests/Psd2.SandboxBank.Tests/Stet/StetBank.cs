using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Psd2.SandboxBank.Tests.Signing;

namespace Psd2.SandboxBank.Tests.Stet;

[CollectionDefinition(Name)]
public sealed class StetBankCollection : ICollectionFixture<StetBank>
{
    public const string Name = "STET bank";
}

/// <summary>
/// The sandbox bank with SandboxBank:Standard = stet and Country = FR (French IBANs, kronor shown as euros), and the
/// TPPs' QSealCs published over HTTP where the keyIds of their signatures point (<see cref="CertificatePublisher"/>).
/// Pages of 25 transactions, so a month of history takes several.
/// </summary>
public sealed class StetBank() : InProcessSandboxBank("stet")
{
    public const string RedirectUri = "https://tpp.example/stet/callback";
    public const int PageSize = 25;

    private readonly ConcurrentDictionary<string, string> _keyIds = new(StringComparer.Ordinal);

    /// <summary>Where the TPPs publish their QSealCs, as a TPP must for STET's keyId.</summary>
    public CertificatePublisher QsealCertificates { get; } = new();

    protected override IReadOnlyDictionary<string, string> StandardSettings { get; } = new Dictionary<string, string>
    {
        ["SandboxBank:Standard"] = "stet",
        ["SandboxBank:Country"] = "FR",
        ["SandboxBank:TimeZone"] = "Europe/Paris",
        ["SandboxBank:TransactionsPageSize"] = PageSize.ToString(CultureInfo.InvariantCulture),
        ["SandboxBank:RedirectUris:0"] = RedirectUri,
        ["SandboxBank:RequireSignature"] = StetSigning.Signs ? "true" : "false",
    };

    /// <summary>
    /// The keyId of signatures made with <paramref name="qsealC"/>: the URL it is published at, published on first
    /// use and the same URL after, so the bank may keep what it fetched.
    /// </summary>
    public string KeyId(X509Certificate2 qsealC) => _keyIds.GetOrAdd(qsealC.Thumbprint, _ => QsealCertificates.Publish(qsealC));

    public override async Task InitializeAsync()
    {
        await QsealCertificates.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await QsealCertificates.DisposeAsync();
    }
}
