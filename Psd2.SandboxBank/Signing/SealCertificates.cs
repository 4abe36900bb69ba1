using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// Judges the QSealC a request is signed with, wherever it came from (a header, a URL): it chains to the trusted QTSP,
/// is valid now, is a seal certificate, and belongs to the organisation of the TLS client certificate.
/// </summary>
/// <remarks>
/// A TPP signs every request with the same QSealC, and building its chain costs more than the rest of a check
/// together: each certificate is parsed and its chain judged once for a while, its validity on every request.
/// </remarks>
internal sealed class SealCertificates(X509Certificate2 trustedCa, TimeProvider time)
{
    private static readonly TimeSpan ChainVerdictLifetime = TimeSpan.FromMinutes(5);
    private const int MostCertificatesKept = 256;

    private readonly ConcurrentDictionary<string, KnownCertificate> _known = new(StringComparer.Ordinal);

    /// <summary>
    /// The certificate under <paramref name="key"/>, parsed, with its chain's verdict: from the last request that sent
    /// it, unless that is too long ago. Null when <paramref name="load"/> finds no certificate.
    /// </summary>
    public KnownCertificate? Known(string key, Func<X509Certificate2?> load)
    {
        var now = time.GetUtcNow();
        if (_known.TryGetValue(key, out var known) && now - known.JudgedAt < ChainVerdictLifetime)
        {
            return known;
        }

        var certificate = load();
        if (certificate is null)
        {
            return null;
        }

        known = new KnownCertificate(certificate, ChainsToTrustedCa(certificate, now), now);
        if (_known.Count >= MostCertificatesKept)
        {
            // Many different certificates is not what TPPs send: start again rather than grow without bound.
            _known.Clear();
        }

        _known[key] = known;
        return known;
    }

    /// <param name="certificateName">How the errors name the certificate, e.g. <c>TPP-Signature-Certificate</c>.</param>
    public SignatureError? Check(KnownCertificate known, string tppOrganizationId, string certificateName)
    {
        var certificate = known.Certificate;
        var subject = Sentence(certificateName);
        var now = time.GetUtcNow();
        if (now < new DateTimeOffset(certificate.NotBefore) || now > new DateTimeOffset(certificate.NotAfter))
        {
            return SignatureError.Invalid($"{subject} is expired or not yet valid.");
        }

        if (!known.ChainsToTrustedCa)
        {
            return SignatureError.Invalid($"{subject} is not issued by a QTSP this bank trusts.");
        }

        // ETSI TS 119 495: the TPP seals with a seal certificate; its website certificate (QWAC) is for TLS only.
        if (!TppCertificate.QcTypes(certificate).Contains(TppCertificate.QcTypeESeal))
        {
            return SignatureError.Invalid($"{subject} is not a seal certificate (QSealC).");
        }

        var organizationId = TppCertificate.OrganizationId(certificate);
        if (organizationId is null || string.IsNullOrEmpty(tppOrganizationId) || !string.Equals(organizationId, tppOrganizationId, StringComparison.Ordinal))
        {
            return SignatureError.Invalid($"{subject} belongs to another organisation than the TLS client certificate.");
        }

        return null;
    }

    /// <summary>The name as the start of a sentence: "the certificate at keyId" becomes "The certificate at keyId".</summary>
    internal static string Sentence(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    private bool ChainsToTrustedCa(X509Certificate2 certificate, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Never fetch issuers named in a certificate the caller sent: that would let any request make the bank call out.
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        try
        {
            return chain.Build(certificate);
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }
}

internal sealed record KnownCertificate(X509Certificate2 Certificate, bool ChainsToTrustedCa, DateTimeOffset JudgedAt);
