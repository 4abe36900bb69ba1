using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Psd2.Core.Banking;

/// <summary>
/// Signs requests to a bank on application level: draft-cavage-http-signatures-10 with rsa-sha256 over the QSealC
/// key and a <c>Digest</c> of the body, in one of two profiles. The Berlin Group NextGenPSD2 profile sends the QSealC
/// itself in <c>TPP-Signature-Certificate</c> and names it in keyId by serial number and issuer; STET's (see
/// <see cref="ForStet"/>) signs <c>(request-target)</c> too and names the URL the bank fetches the QSealC from.
/// </summary>
/// <remarks>
/// Berlin Group: signed are <c>digest</c>, <c>x-request-id</c> and <c>date</c> always, and <c>psu-id</c>,
/// <c>psu-corporate-id</c> and <c>tpp-redirect-uri</c> when the request carries them, in that order: the headers the
/// Berlin Group names, as in its example <c>headers="Digest X-Request-ID PSU-ID TPP-Redirect-URI Date"</c>.
/// <c>(request-target)</c> is deliberately left out: the Berlin Group does not ask for it, and the path a bank sees
/// after proxies and URL decoding is not reliably the one signed here, so it could only reject otherwise valid requests.
/// STET (ADR 0015): <c>(request-target)</c>, <c>digest</c> and <c>x-request-id</c> always, <c>psu-ip-address</c> and
/// <c>content-type</c> when present; no <c>Date</c> is added.
/// The signer is stateless and safe to share between requests.
/// </remarks>
public sealed class HttpMessageSigner
{
    public const string DigestHeader = "Digest";
    public const string SignatureHeader = "Signature";
    public const string CertificateHeader = "TPP-Signature-Certificate";
    public const string RequestIdHeader = "X-Request-ID";

    /// <summary>The setting that holds the URL of the platform's QSealC, the keyId of STET signatures.</summary>
    public const string QsealCertificateUrlSetting = "Tpp:QsealCertificateUrl";

    private const string RequestTarget = "(request-target)";

    // Signed in this order, each when the request carries it: date and digest are always there (set below),
    // x-request-id is required, the PSU and redirect headers are the Berlin Group's conditional entries.
    private static readonly string[] BerlinGroupSignedHeaders = ["date", "digest", "x-request-id", "psu-id", "psu-corporate-id", "tpp-redirect-uri"];
    private static readonly string[] StetSignedHeaders = [RequestTarget, "digest", "x-request-id", "psu-ip-address", "content-type"];

    private readonly X509Certificate2 _certificate;
    private readonly TimeProvider _time;
    private readonly Profile _profile;
    private readonly string? _keyId;
    private readonly string? _certificateValue;

    public HttpMessageSigner(X509Certificate2 qsealCertificateWithPrivateKey)
        : this(qsealCertificateWithPrivateKey, TimeProvider.System)
    {
    }

    /// <param name="qsealCertificateWithPrivateKey">The TPP's QSealC with its RSA private key; not disposed by the signer.</param>
    /// <param name="time">The clock the <c>Date</c> header is taken from when the request has none.</param>
    public HttpMessageSigner(X509Certificate2 qsealCertificateWithPrivateKey, TimeProvider time)
        : this(qsealCertificateWithPrivateKey, time, Profile.BerlinGroup, null)
    {
    }

    private HttpMessageSigner(X509Certificate2 qsealCertificateWithPrivateKey, TimeProvider time, Profile profile, string? certificateUrl)
    {
        ArgumentNullException.ThrowIfNull(qsealCertificateWithPrivateKey);
        ArgumentNullException.ThrowIfNull(time);

        // Fail at construction rather than on the first request: a certificate without its key is a setup error.
        using (var key = qsealCertificateWithPrivateKey.GetRSAPrivateKey())
        {
            if (key is null)
            {
                throw new ArgumentException("The certificate has no RSA private key; rsa-sha256 needs one.", nameof(qsealCertificateWithPrivateKey));
            }
        }

        _certificate = qsealCertificateWithPrivateKey;
        _time = time;
        _profile = profile;
        if (profile == Profile.BerlinGroup)
        {
            _keyId = KeyId(qsealCertificateWithPrivateKey);
            _certificateValue = Convert.ToBase64String(qsealCertificateWithPrivateKey.RawData);
        }
        else
        {
            _keyId = string.IsNullOrWhiteSpace(certificateUrl) ? null : certificateUrl;
        }
    }

    /// <summary>
    /// A signer of STET's profile, whose keyId is the URL the bank fetches the QSealC from. Without a URL the signer is
    /// still made, and says what is missing when asked to sign: only STET banks need it.
    /// </summary>
    /// <param name="qsealCertificateWithPrivateKey">The TPP's QSealC with its RSA private key; not disposed by the signer.</param>
    /// <param name="certificateUrl">Where the QSealC is published (<c>Tpp:QsealCertificateUrl</c>); empty when not set.</param>
    public static HttpMessageSigner ForStet(X509Certificate2 qsealCertificateWithPrivateKey, string? certificateUrl, TimeProvider time) =>
        new(qsealCertificateWithPrivateKey, time, Profile.Stet, certificateUrl);

    private enum Profile
    {
        BerlinGroup,
        Stet,
    }

    /// <summary>
    /// The keyId the Berlin Group prescribes: <c>SN=&lt;serial in hex&gt;,CA=&lt;issuer distinguished name&gt;</c>.
    /// </summary>
    public static string KeyId(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);

        // The keyId travels in a quoted string without an escape mechanism, so the two characters that would end or
        // garble it are percent-encoded, the way the specification's own example encodes spaces.
        var issuer = certificate.IssuerName.Name.Replace("%", "%25", StringComparison.Ordinal).Replace("\"", "%22", StringComparison.Ordinal);
        return $"SN={certificate.SerialNumber},CA={issuer}";
    }

    /// <summary>
    /// Adds <c>Digest</c> and <c>Signature</c> to the request, and in the Berlin Group profile
    /// <c>TPP-Signature-Certificate</c> (and <c>Date</c> if missing). It must already carry <c>X-Request-ID</c>, and
    /// every header that is to be signed, such as <c>PSU-ID</c> or <c>TPP-Redirect-URI</c>; for STET its
    /// <see cref="HttpRequestMessage.RequestUri"/> must be absolute, since <c>(request-target)</c> is signed. Signing
    /// again replaces the previous signature, so a retried request can be signed anew.
    /// </summary>
    public async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_keyId is null)
        {
            throw new InvalidOperationException(
                $"{QsealCertificateUrlSetting} is not set: STET banks fetch the QSealC from that URL, the keyId of every signature.");
        }

        if (!request.Headers.Contains(RequestIdHeader))
        {
            var standard = _profile == Profile.BerlinGroup ? "the Berlin Group" : "STET";
            throw new InvalidOperationException($"The request has no X-Request-ID header; {standard} requires it to be signed.");
        }

        var signedHeaders = _profile == Profile.BerlinGroup ? BerlinGroupSignedHeaders : StetSignedHeaders;
        if (signedHeaders.Contains(RequestTarget) && request.RequestUri is not { IsAbsoluteUri: true })
        {
            throw new InvalidOperationException("The request's URI must be absolute: (request-target) is signed as it goes on the wire.");
        }

        // ReadAsByteArrayAsync buffers the content, so the bytes digested here are the bytes sent afterwards.
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);

        request.Headers.Remove(DigestHeader);
        request.Headers.Remove(SignatureHeader);
        request.Headers.Remove(CertificateHeader);
        if (_profile == Profile.BerlinGroup)
        {
            request.Headers.Date ??= _time.GetUtcNow();
        }

        request.Headers.TryAddWithoutValidation(DigestHeader, "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body)));

        var signed = new List<string>(signedHeaders.Length);
        var signingString = new StringBuilder();
        foreach (var name in signedHeaders)
        {
            if (!TryGetValues(request, name, out var values))
            {
                continue;
            }

            if (signed.Count > 0)
            {
                signingString.Append('\n');
            }

            // draft-cavage 2.3: lowercased name, ": ", the trimmed values of repeated headers joined by ", ".
            signingString.Append(name).Append(": ").AppendJoin(", ", values.Select(value => value.Trim()));
            signed.Add(name);
        }

        byte[] signature;
        using (var key = _certificate.GetRSAPrivateKey()!)
        {
            signature = key.SignData(Encoding.UTF8.GetBytes(signingString.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        request.Headers.TryAddWithoutValidation(
            SignatureHeader,
            $"keyId=\"{_keyId}\",algorithm=\"rsa-sha256\",headers=\"{string.Join(' ', signed)}\",signature=\"{Convert.ToBase64String(signature)}\"");
        if (_certificateValue is not null)
        {
            request.Headers.TryAddWithoutValidation(CertificateHeader, _certificateValue);
        }
    }

    // (request-target) is the lowercased method and the path with query as sent; Content-Type is a content header.
    private static bool TryGetValues(HttpRequestMessage request, string name, out IEnumerable<string> values)
    {
        switch (name)
        {
            case RequestTarget:
                values = [$"{request.Method.Method.ToLowerInvariant()} {request.RequestUri!.PathAndQuery}"];
                return true;
            case "content-type" when request.Content is not null:
                return request.Content.Headers.TryGetValues(name, out values!);
            default:
                return request.Headers.TryGetValues(name, out values!);
        }
    }
}
