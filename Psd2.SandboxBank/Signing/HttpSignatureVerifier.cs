using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// Verifies a TPP's application-level request signature as the Berlin Group NextGenPSD2 framework defines it:
/// draft-cavage-http-signatures-10 with <c>rsa-sha256</c>, a <c>Digest</c> of the body, and the signing QSealC in
/// <c>TPP-Signature-Certificate</c>, which must chain to the trusted QTSP and belong to the TPP of the TLS connection.
/// </summary>
/// <remarks>
/// Malformed input of any kind yields a <see cref="SignatureError"/>, never an exception: every header is
/// attacker-controlled. The verifier holds no per-request state and is safe to share.
/// </remarks>
public sealed class HttpSignatureVerifier
{
    private const string DigestHeader = "Digest";
    private const string SignatureHeader = "Signature";
    private const string CertificateHeader = "TPP-Signature-Certificate";

    // A QSealC is a few kilobytes; the cap keeps decoding and parsing of garbage cheap.
    private const int MaxCertificateLength = 32 * 1024;
    private const int MaxDigestLength = 1024;

    // Signed whenever the request carries them, per the Berlin Group: digest and x-request-id always (the Digest is
    // always sent with a signature), the PSU and redirect headers and the date when present.
    private static readonly string[] HeadersToSignWhenPresent = ["digest", "x-request-id", "psu-id", "psu-corporate-id", "tpp-redirect-uri", "date"];

    // A TPP sends the same QSealC with every request, and building its chain costs more than the rest of a check
    // together: each certificate is parsed and its chain judged once for a while, its validity on every request.
    private static readonly TimeSpan ChainVerdictLifetime = TimeSpan.FromMinutes(5);
    private const int MostCertificatesKept = 256;

    private readonly X509Certificate2 _trustedCa;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, KnownCertificate> _known = new(StringComparer.Ordinal);

    /// <param name="trustedCa">The QTSP root every QSealC must chain to; owned by the caller.</param>
    /// <param name="time">The clock certificate validity is judged by: real time, not a simulated business clock.</param>
    public HttpSignatureVerifier(X509Certificate2 trustedCa, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(trustedCa);
        ArgumentNullException.ThrowIfNull(time);
        _trustedCa = trustedCa;
        _time = time;
    }

    /// <summary>Checks the request's signature; null when it is valid.</summary>
    /// <param name="request">The request as received.</param>
    /// <param name="tppOrganizationId">
    /// The organizationIdentifier of the TLS client certificate (QWAC); the QSealC must carry the same one, so one TPP
    /// cannot sign with another's seal.
    /// </param>
    public SignatureError? Verify(SignedRequest request, string tppOrganizationId)
    {
        ArgumentNullException.ThrowIfNull(request);

        if (!TryIndexHeaders(request.Headers, out var headers))
        {
            return SignatureError.Invalid("A header is present more than once under names differing only in case.");
        }

        // A blank value counts as absent: it cannot carry a digest, signature or certificate.
        var missing = new[] { DigestHeader, SignatureHeader, CertificateHeader }
            .Where(name => !headers.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
            .ToList();
        if (missing.Count > 0)
        {
            return SignatureError.Missing($"The request must carry {string.Join(", ", missing)}: this bank requires signed requests.");
        }

        if (!SignatureParameters.TryParse(headers[SignatureHeader], out var signature, out var problem))
        {
            return SignatureError.Invalid(problem);
        }

        var hash = signature.Algorithm.ToLowerInvariant() switch
        {
            "rsa-sha256" => HashAlgorithmName.SHA256,
            "rsa-sha512" => HashAlgorithmName.SHA512,
            _ => default(HashAlgorithmName?),
        };
        if (hash is null)
        {
            return SignatureError.Invalid("The signature algorithm is not supported; use rsa-sha256.");
        }

        var unsigned = HeadersToSignWhenPresent.Where(name => headers.ContainsKey(name) && !signature.Headers.Contains(name)).ToList();
        if (unsigned.Count > 0)
        {
            return SignatureError.Invalid($"The signature must cover {string.Join(", ", unsigned)}.");
        }

        if (!TryBuildSigningString(request, headers, signature.Headers, out var signingString, out problem))
        {
            return SignatureError.Invalid(problem);
        }

        var digestError = CheckDigest(headers[DigestHeader], request.Body.Span);
        if (digestError is not null)
        {
            return digestError;
        }

        var known = Known(headers[CertificateHeader]);
        if (known is null)
        {
            return SignatureError.Invalid("TPP-Signature-Certificate is not a base64-encoded DER certificate.");
        }

        try
        {
            return CheckCertificate(known, signature.KeyId, tppOrganizationId)
                ?? CheckSignature(known.Certificate, signingString, signature.Signature, hash.Value);
        }
        catch (CryptographicException)
        {
            // The loader parses only the outer structure; fields are decoded when first read, so a corrupt field of
            // the sender's certificate surfaces here.
            return SignatureError.Invalid("TPP-Signature-Certificate has a field that cannot be decoded.");
        }
    }

    private static bool TryIndexHeaders(IReadOnlyDictionary<string, string> source, out Dictionary<string, string> headers)
    {
        headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in source)
        {
            // Two entries under one name would leave open which of them was signed.
            if (!headers.TryAdd(name, value ?? ""))
            {
                return false;
            }
        }

        return true;
    }

    // draft-cavage 2.3: one line per listed header, "name: value" with the name lowercased and the value trimmed,
    // joined by "\n". (request-target) is the lowercased method and the path with query.
    private static bool TryBuildSigningString(
        SignedRequest request,
        Dictionary<string, string> headers,
        IReadOnlyList<string> signedHeaders,
        out string signingString,
        out string problem)
    {
        var builder = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            string value;
            if (name == "(request-target)")
            {
                value = $"{(request.Method ?? "").ToLowerInvariant()} {request.PathAndQuery}";
            }
            else if (name.StartsWith('('))
            {
                signingString = "";
                problem = "The signature lists a pseudo-header other than (request-target), which draft-cavage-10 does not define.";
                return false;
            }
            else if (!headers.TryGetValue(name, out var headerValue))
            {
                signingString = "";
                problem = "The signature lists a header that the request does not carry.";
                return false;
            }
            else
            {
                value = headerValue.Trim();
            }

            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(name).Append(": ").Append(value);
        }

        signingString = builder.ToString();
        problem = "";
        return true;
    }

    // RFC 3230: a comma-separated list of algorithm=base64 pairs; SHA-256 and SHA-512 are the ones the Berlin Group
    // allows. Every supported entry must match, and at least one must be there.
    private static SignatureError? CheckDigest(string digest, ReadOnlySpan<byte> body)
    {
        if (digest.Length > MaxDigestLength)
        {
            return SignatureError.Invalid("The Digest header is too long.");
        }

        var checkedAny = false;
        foreach (var entry in digest.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = entry.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return SignatureError.Invalid("The Digest header is not of the form SHA-256=<base64>.");
            }

            byte[] expected;
            switch (entry[..separator].ToUpperInvariant())
            {
                case "SHA-256":
                    expected = SHA256.HashData(body);
                    break;
                case "SHA-512":
                    expected = SHA512.HashData(body);
                    break;
                default:
                    continue;
            }

            if (!SignatureParameters.TryDecodeBase64(entry[(separator + 1)..], out var actual))
            {
                return SignatureError.Invalid("The Digest header's value is not base64.");
            }

            if (!CryptographicOperations.FixedTimeEquals(expected, actual))
            {
                return SignatureError.Invalid("The Digest does not match the request body.");
            }

            checkedAny = true;
        }

        return checkedAny ? null : SignatureError.Invalid("The Digest header uses no supported algorithm; use SHA-256 or SHA-512.");
    }

    /// <summary>The certificate sent, parsed, with its chain's verdict: from the last request that sent it, unless that is too long ago.</summary>
    private KnownCertificate? Known(string encoded)
    {
        var now = _time.GetUtcNow();
        if (_known.TryGetValue(encoded, out var known) && now - known.JudgedAt < ChainVerdictLifetime)
        {
            return known;
        }

        var certificate = LoadCertificate(encoded);
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

        _known[encoded] = known;
        return known;
    }

    private sealed record KnownCertificate(X509Certificate2 Certificate, bool ChainsToTrustedCa, DateTimeOffset JudgedAt);

    private static X509Certificate2? LoadCertificate(string encoded)
    {
        if (encoded.Length > MaxCertificateLength || !SignatureParameters.TryDecodeBase64(encoded, out var der))
        {
            return null;
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private SignatureError? CheckCertificate(KnownCertificate known, string keyId, string tppOrganizationId)
    {
        var certificate = known.Certificate;
        if (!KeyIdMatches(keyId, certificate))
        {
            return SignatureError.Invalid("The keyId does not name the serial number and issuer of TPP-Signature-Certificate.");
        }

        var now = _time.GetUtcNow();
        if (now < new DateTimeOffset(certificate.NotBefore) || now > new DateTimeOffset(certificate.NotAfter))
        {
            return SignatureError.Invalid("TPP-Signature-Certificate is expired or not yet valid.");
        }

        if (!known.ChainsToTrustedCa)
        {
            return SignatureError.Invalid("TPP-Signature-Certificate is not issued by a QTSP this bank trusts.");
        }

        // ETSI TS 119 495: the TPP seals with a seal certificate; its website certificate (QWAC) is for TLS only.
        if (!TppCertificate.QcTypes(certificate).Contains(TppCertificate.QcTypeESeal))
        {
            return SignatureError.Invalid("TPP-Signature-Certificate is not a seal certificate (QSealC).");
        }

        var organizationId = TppCertificate.OrganizationId(certificate);
        if (organizationId is null || string.IsNullOrEmpty(tppOrganizationId) || !string.Equals(organizationId, tppOrganizationId, StringComparison.Ordinal))
        {
            return SignatureError.Invalid("TPP-Signature-Certificate belongs to another organisation than the TLS client certificate.");
        }

        return null;
    }

    private static SignatureError? CheckSignature(X509Certificate2 certificate, string signingString, byte[] signature, HashAlgorithmName hash)
    {
        using var key = certificate.GetRSAPublicKey();
        if (key is null)
        {
            return SignatureError.Invalid("TPP-Signature-Certificate does not hold an RSA key.");
        }

        bool valid;
        try
        {
            valid = key.VerifyData(Encoding.UTF8.GetBytes(signingString), signature, hash, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        return valid ? null : SignatureError.Invalid("The signature does not verify with the key of TPP-Signature-Certificate.");
    }

    private bool ChainsToTrustedCa(X509Certificate2 certificate, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_trustedCa);
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

    // keyId="SN=<serial in hex>,CA=<issuer DN>". The serial is compared as a number (case and leading zeros do not
    // matter); the CA as written, percent-decoded as in the specification's example, and in either RDN order.
    private static bool KeyIdMatches(string keyId, X509Certificate2 certificate)
    {
        const string SerialPrefix = "SN=";
        const string IssuerPrefix = ",CA=";
        if (!keyId.StartsWith(SerialPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var issuerStart = keyId.IndexOf(IssuerPrefix, StringComparison.OrdinalIgnoreCase);
        if (issuerStart < 0)
        {
            return false;
        }

        var serial = keyId[SerialPrefix.Length..issuerStart];
        var issuer = keyId[(issuerStart + IssuerPrefix.Length)..];
        return SerialMatches(serial, certificate.SerialNumber) && IssuerMatches(issuer, certificate.IssuerName);
    }

    private static bool SerialMatches(string serial, string certificateSerial)
    {
        if (serial.Length == 0 || serial.Length > 128 || !serial.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        return string.Equals(serial.TrimStart('0'), certificateSerial.TrimStart('0'), StringComparison.OrdinalIgnoreCase);
    }

    private static bool IssuerMatches(string issuer, X500DistinguishedName certificateIssuer)
    {
        foreach (var candidate in new[] { issuer, Uri.UnescapeDataString(issuer) })
        {
            if (string.Equals(candidate, certificateIssuer.Name, StringComparison.Ordinal))
            {
                return true;
            }

            // Both names come from the caller (the certificate is not yet known to chain to the trusted CA), so a
            // name that does not parse or decode is a mismatch, not an error.
            try
            {
                var expected = RelativeNames(certificateIssuer);
                var actual = RelativeNames(new X500DistinguishedName(candidate));
                if (actual.SequenceEqual(expected, StringComparer.OrdinalIgnoreCase)
                    || actual.AsEnumerable().Reverse().SequenceEqual(expected, StringComparer.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            catch (Exception exception) when (exception is CryptographicException or ArgumentException)
            {
            }
        }

        return false;
    }

    // Attribute type and value per RDN, so names compare equal whatever string type the issuer encoded them in.
    private static List<string> RelativeNames(X500DistinguishedName name) =>
        name.EnumerateRelativeDistinguishedNames()
            .Select(rdn => rdn.HasMultipleElements
                ? Convert.ToHexString(rdn.RawData.Span)
                : $"{rdn.GetSingleElementType().Value}={rdn.GetSingleElementValue()}")
            .ToList();
}
