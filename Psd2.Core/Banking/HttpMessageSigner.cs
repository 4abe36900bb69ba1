using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Psd2.Core.Banking;

/// <summary>
/// Signs requests to a Berlin Group NextGenPSD2 bank on application level: draft-cavage-http-signatures-10 with
/// rsa-sha256 over the QSealC key, a <c>Digest</c> of the body and the QSealC itself in
/// <c>TPP-Signature-Certificate</c>.
/// </summary>
/// <remarks>
/// Signed are <c>digest</c>, <c>x-request-id</c> and <c>date</c> always, and <c>psu-id</c>, <c>psu-corporate-id</c>
/// and <c>tpp-redirect-uri</c> when the request carries them, in that order: the headers the Berlin Group names,
/// as in its example <c>headers="Digest X-Request-ID PSU-ID TPP-Redirect-URI Date"</c>. <c>(request-target)</c> is
/// deliberately left out: the Berlin Group does not ask for it, and the path a bank sees after proxies and URL
/// decoding is not reliably the one signed here, so it could only reject otherwise valid requests.
/// The signer is stateless and safe to share between requests.
/// </remarks>
public sealed class HttpMessageSigner
{
    public const string DigestHeader = "Digest";
    public const string SignatureHeader = "Signature";
    public const string CertificateHeader = "TPP-Signature-Certificate";
    public const string RequestIdHeader = "X-Request-ID";

    // Signed in this order, each when the request carries it: date and digest are always there (set below),
    // x-request-id is required, the PSU and redirect headers are the Berlin Group's conditional entries.
    private static readonly string[] SignedHeaders = ["date", "digest", "x-request-id", "psu-id", "psu-corporate-id", "tpp-redirect-uri"];

    private readonly X509Certificate2 _certificate;
    private readonly TimeProvider _time;
    private readonly string _keyId;
    private readonly string _certificateValue;

    public HttpMessageSigner(X509Certificate2 qsealCertificateWithPrivateKey)
        : this(qsealCertificateWithPrivateKey, TimeProvider.System)
    {
    }

    /// <param name="qsealCertificateWithPrivateKey">The TPP's QSealC with its RSA private key; not disposed by the signer.</param>
    /// <param name="time">The clock the <c>Date</c> header is taken from when the request has none.</param>
    public HttpMessageSigner(X509Certificate2 qsealCertificateWithPrivateKey, TimeProvider time)
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
        _keyId = KeyId(qsealCertificateWithPrivateKey);
        _certificateValue = Convert.ToBase64String(qsealCertificateWithPrivateKey.RawData);
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
    /// Adds <c>Digest</c>, <c>Signature</c> and <c>TPP-Signature-Certificate</c> (and <c>Date</c> if missing) to the
    /// request. It must already carry <c>X-Request-ID</c>, and every header that is to be signed, such as
    /// <c>PSU-ID</c> or <c>TPP-Redirect-URI</c>. Signing again replaces the previous signature, so a retried request
    /// can be signed anew.
    /// </summary>
    public async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.Contains(RequestIdHeader))
        {
            throw new InvalidOperationException("The request has no X-Request-ID header; the Berlin Group requires it to be signed.");
        }

        // ReadAsByteArrayAsync buffers the content, so the bytes digested here are the bytes sent afterwards.
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);

        request.Headers.Remove(DigestHeader);
        request.Headers.Remove(SignatureHeader);
        request.Headers.Remove(CertificateHeader);
        request.Headers.Date ??= _time.GetUtcNow();
        request.Headers.TryAddWithoutValidation(DigestHeader, "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body)));

        var signed = new List<string>(SignedHeaders.Length);
        var signingString = new StringBuilder();
        foreach (var name in SignedHeaders)
        {
            if (!request.Headers.TryGetValues(name, out var values))
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
        request.Headers.TryAddWithoutValidation(CertificateHeader, _certificateValue);
    }
}
