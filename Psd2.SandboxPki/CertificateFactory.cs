using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Psd2.SandboxPki;

/// <summary>
/// The identity a TPP's eIDAS certificates (QWAC and QSealC) are issued for.
/// </summary>
/// <param name="OrganizationIdentifier">
/// The subject's organizationIdentifier (OID 2.5.4.97) in the PSD2 form of ETSI TS 119 495:
/// "PSD", two-letter country code, '-', NCA id, '-', authorisation number, e.g. "PSDSE-FINA-44059".
/// </param>
/// <param name="OrganizationName">The subject's O.</param>
/// <param name="CommonName">The subject's CN.</param>
/// <param name="CountryCode">The subject's C (ISO 3166 alpha-2).</param>
/// <param name="Roles">The PSP roles the NCA authorised.</param>
/// <param name="NcaName">The authorising NCA's name, e.g. "Finansinspektionen".</param>
/// <param name="NcaId">The authorising NCA's id, e.g. "SE-FINA".</param>
public sealed record TppIdentity(
    string OrganizationIdentifier,
    string OrganizationName,
    string CommonName,
    string CountryCode,
    IReadOnlyList<PspRole> Roles,
    string NcaName,
    string NcaId)
{
    /// <summary>
    /// The subject name, encoded C, O, organizationIdentifier, CN (most general first, as QTSPs encode it).
    /// </summary>
    public X500DistinguishedName ToDistinguishedName()
    {
        // The builder emits RDNs in reverse order of the calls, i.e. in the order the string form shows them.
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(CommonName);
        builder.Add(CertificateFactory.OrganizationIdentifierOid, OrganizationIdentifier);
        builder.AddOrganizationName(OrganizationName);
        builder.AddCountryOrRegion(CountryCode);
        return builder.Build();
    }
}

/// <summary>
/// Mints the certificates of the sandbox eIDAS-like PKI. Public so tests can mint variants (expired,
/// other roles, signed by a foreign CA) with exactly the same profile as the real sandbox set.
/// </summary>
/// <remarks>
/// Keys are RSA 2048: every TLS stack accepts it for client authentication, and draft-cavage HTTP signatures
/// (rsa-sha256) need an RSA QSealC. Every returned certificate has its private key attached; the caller owns it
/// and must dispose it.
/// </remarks>
public static class CertificateFactory
{
    public const int RsaKeySizeInBits = 2048;

    /// <summary>organizationIdentifier (X.520), where PSD2 puts the TPP's authorisation number.</summary>
    public const string OrganizationIdentifierOid = "2.5.4.97";

    public const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    // 128 bits: well above the 64 bits of entropy the CA/Browser Forum requires, and still a short DER integer.
    private const int SerialNumberLength = 16;

    /// <summary>Creates a self-signed root CA (the "sandbox QTSP").</summary>
    public static X509Certificate2 CreateRootCa(X500DistinguishedName subject, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ValidateValidity(notBefore, notAfter);

        using var key = RSA.Create(RsaKeySizeInBits);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        var subjectKeyIdentifier = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(subjectKeyIdentifier);
        request.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyIdentifier));

        // Built through a signature generator rather than CreateSelfSigned so the root gets the same
        // 128-bit positive serial as every other certificate here.
        var generator = X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1);
        using var certificate = request.Create(subject, generator, notBefore, notAfter, NewSerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Issues a TLS server certificate (serverAuth) for the given host names and addresses.</summary>
    public static X509Certificate2 IssueTlsServerCertificate(
        X509Certificate2 issuer,
        X500DistinguishedName subject,
        IEnumerable<string> dnsNames,
        IEnumerable<IPAddress> ipAddresses,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(ipAddresses);

        var subjectAlternativeNames = new SubjectAlternativeNameBuilder();
        var hasName = false;
        foreach (var dnsName in dnsNames)
        {
            subjectAlternativeNames.AddDnsName(dnsName);
            hasName = true;
        }

        foreach (var ipAddress in ipAddresses)
        {
            subjectAlternativeNames.AddIpAddress(ipAddress);
            hasName = true;
        }

        if (!hasName)
        {
            // TLS clients match host names against the SAN only; without one the certificate is useless.
            throw new ArgumentException("At least one DNS name or IP address is required.", nameof(dnsNames));
        }

        return IssueLeaf(issuer, subject, notBefore, notAfter, request =>
        {
            // keyEncipherment keeps TLS 1.2 RSA key-exchange suites usable for older clients.
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid(ServerAuthenticationOid)], critical: false));
            request.CertificateExtensions.Add(subjectAlternativeNames.Build(critical: false));
        });
    }

    /// <summary>
    /// Issues a PSD2 QWAC for <paramref name="tpp"/>: clientAuth, with the QcStatements of a web certificate.
    /// </summary>
    public static X509Certificate2 IssueQwac(X509Certificate2 issuer, TppIdentity tpp, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(tpp);
        var qcStatements = Psd2QcStatements.CreateExtension(QcCertificateKind.Web, tpp.Roles, tpp.NcaName, tpp.NcaId);
        return IssueLeaf(issuer, tpp.ToDistinguishedName(), notBefore, notAfter, request =>
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid(ClientAuthenticationOid)], critical: false));
            request.CertificateExtensions.Add(qcStatements);
        });
    }

    /// <summary>
    /// Issues a PSD2 QSealC for <paramref name="tpp"/>: digitalSignature + nonRepudiation, with the QcStatements
    /// of an eseal certificate. It has no EKU because it signs HTTP messages, never a TLS handshake.
    /// </summary>
    public static X509Certificate2 IssueQsealC(X509Certificate2 issuer, TppIdentity tpp, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        ArgumentNullException.ThrowIfNull(tpp);
        var qcStatements = Psd2QcStatements.CreateExtension(QcCertificateKind.ESeal, tpp.Roles, tpp.NcaName, tpp.NcaId);
        return IssueLeaf(issuer, tpp.ToDistinguishedName(), notBefore, notAfter, request =>
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
            request.CertificateExtensions.Add(qcStatements);
        });
    }

    /// <summary>The subject's organizationIdentifier (2.5.4.97), or null when it has none.</summary>
    public static string? ReadOrganizationIdentifier(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == OrganizationIdentifierOid)
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }

    /// <summary>The certificate's private key as PKCS#8 PEM ("BEGIN PRIVATE KEY").</summary>
    public static string ExportPrivateKeyPem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using (var rsa = certificate.GetRSAPrivateKey())
        {
            if (rsa is not null)
            {
                return rsa.ExportPkcs8PrivateKeyPem();
            }
        }

        using (var ecdsa = certificate.GetECDsaPrivateKey())
        {
            if (ecdsa is not null)
            {
                return ecdsa.ExportPkcs8PrivateKeyPem();
            }
        }

        throw new ArgumentException("The certificate has no RSA or ECDSA private key.", nameof(certificate));
    }

    private static X509Certificate2 IssueLeaf(
        X509Certificate2 issuer,
        X500DistinguishedName subject,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        Action<CertificateRequest> addProfileExtensions)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ValidateValidity(notBefore, notAfter);

        using var key = RSA.Create(RsaKeySizeInBits);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(
            issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        addProfileExtensions(request);

        // A signature generator instead of request.Create(issuer, ...) because the latter refuses validity
        // windows outside the issuer's, and tests need exactly such certificates (e.g. already expired ones).
        using var issuerRsa = issuer.GetRSAPrivateKey();
        using var issuerEcdsa = issuerRsa is null ? issuer.GetECDsaPrivateKey() : null;
        var generator = issuerRsa is not null
            ? X509SignatureGenerator.CreateForRSA(issuerRsa, RSASignaturePadding.Pkcs1)
            : issuerEcdsa is not null
                ? X509SignatureGenerator.CreateForECDsa(issuerEcdsa)
                : throw new ArgumentException("The issuer has no RSA or ECDSA private key.", nameof(issuer));

        using var certificate = request.Create(issuer.SubjectName, generator, notBefore, notAfter, NewSerialNumber());
        return certificate.CopyWithPrivateKey(key);
    }

    private static void ValidateValidity(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (notAfter <= notBefore)
        {
            throw new ArgumentException("notAfter must be later than notBefore.", nameof(notAfter));
        }
    }

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(SerialNumberLength);

        // DER integers are signed and must be minimal: clear the sign bit so the serial is positive, and set the
        // next one so the leading byte is never zero (which would make the encoding non-minimal).
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
