using System.Security.Cryptography.X509Certificates;
using Psd2.SandboxPki;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// The certificates the signing tests need, minted once per test class because RSA key generation dominates the run
/// time: the sandbox QTSP root, the TPP's QSealC and variants that must be refused.
/// </summary>
public sealed class SigningCertificates : IDisposable
{
    public SigningCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        var notBefore = now.AddDays(-1);
        var notAfter = now.AddYears(1);

        Ca = CertificateFactory.CreateRootCa(SandboxCertificates.CaSubject, notBefore, notAfter);
        QsealC = CertificateFactory.IssueQsealC(Ca, SandboxCertificates.Tpp, notBefore, notAfter);
        Qwac = CertificateFactory.IssueQwac(Ca, SandboxCertificates.Tpp, notBefore, notAfter);
        ExpiredQsealC = CertificateFactory.IssueQsealC(Ca, SandboxCertificates.Tpp, now.AddYears(-2), now.AddDays(-1));
        OtherOrganisationQsealC = CertificateFactory.IssueQsealC(Ca, OtherTpp, notBefore, notAfter);

        var foreignCaSubject = new X500DistinguishedName("CN=Foreign QTSP Root CA, O=Foreign QTSP, C=DE");
        ForeignCa = CertificateFactory.CreateRootCa(foreignCaSubject, notBefore, notAfter);
        ForeignQsealC = CertificateFactory.IssueQsealC(ForeignCa, SandboxCertificates.Tpp, notBefore, notAfter);
    }

    /// <summary>A second TPP, authorised by the same NCA, with its own organizationIdentifier.</summary>
    public static TppIdentity OtherTpp { get; } = SandboxCertificates.Tpp with
    {
        OrganizationIdentifier = "PSDSE-FINA-99999",
        OrganizationName = "Other TPP AB",
        CommonName = "Other TPP",
    };

    public static string TppOrganizationId => SandboxCertificates.Tpp.OrganizationIdentifier;

    /// <summary>The root the bank trusts.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The TPP's valid QSealC, issued by <see cref="Ca"/>.</summary>
    public X509Certificate2 QsealC { get; }

    /// <summary>The TPP's website certificate: right organisation and issuer, but for TLS, not for signing.</summary>
    public X509Certificate2 Qwac { get; }

    public X509Certificate2 ExpiredQsealC { get; }

    public X509Certificate2 OtherOrganisationQsealC { get; }

    /// <summary>A root the bank does not trust.</summary>
    public X509Certificate2 ForeignCa { get; }

    /// <summary>A QSealC for the right TPP, but from <see cref="ForeignCa"/>.</summary>
    public X509Certificate2 ForeignQsealC { get; }

    public void Dispose()
    {
        foreach (var certificate in new[] { Ca, QsealC, Qwac, ExpiredQsealC, OtherOrganisationQsealC, ForeignCa, ForeignQsealC })
        {
            certificate.Dispose();
        }
    }
}

/// <summary>A clock standing still at a chosen instant.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
