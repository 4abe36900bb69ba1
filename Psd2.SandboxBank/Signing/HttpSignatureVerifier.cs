using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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

    // Signed whenever the request carries them, per the Berlin Group: digest and x-request-id always (the Digest is
    // always sent with a signature), the PSU and redirect headers and the date when present.
    private static readonly string[] HeadersToSignWhenPresent = ["digest", "x-request-id", "psu-id", "psu-corporate-id", "tpp-redirect-uri", "date"];

    private readonly SealCertificates _seals;

    /// <param name="trustedCa">The QTSP root every QSealC must chain to; owned by the caller.</param>
    /// <param name="time">The clock certificate validity is judged by: real time, not a simulated business clock.</param>
    public HttpSignatureVerifier(X509Certificate2 trustedCa, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(trustedCa);
        ArgumentNullException.ThrowIfNull(time);
        _seals = new SealCertificates(trustedCa, time);
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

        if (!DraftCavage.TryIndexHeaders(request.Headers, out var headers))
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

        if (!DraftCavage.TryCheckMessage(request, headers, HeadersToSignWhenPresent, DraftCavage.Sha256OrSha512, allowSha512: true,
                out var signature, out var signingString, out var hash, out var error))
        {
            return error;
        }

        var encoded = headers[CertificateHeader];
        var known = _seals.Known(encoded, () => LoadCertificate(encoded));
        if (known is null)
        {
            return SignatureError.Invalid("TPP-Signature-Certificate is not a base64-encoded DER certificate.");
        }

        try
        {
            if (!KeyIdMatches(signature.KeyId, known.Certificate))
            {
                return SignatureError.Invalid("The keyId does not name the serial number and issuer of TPP-Signature-Certificate.");
            }

            return _seals.Check(known, tppOrganizationId, CertificateHeader)
                ?? DraftCavage.CheckSignature(known.Certificate, signingString, signature.Signature, hash, CertificateHeader);
        }
        catch (CryptographicException)
        {
            // The loader parses only the outer structure; fields are decoded when first read, so a corrupt field of
            // the sender's certificate surfaces here.
            return SignatureError.Invalid("TPP-Signature-Certificate has a field that cannot be decoded.");
        }
    }

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
