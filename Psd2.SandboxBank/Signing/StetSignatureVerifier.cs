using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// Verifies a TPP's request signature as STET's PSD2 API asks for it (ADR 0015): draft-cavage-http-signatures with
/// <c>rsa-sha256</c> over <c>(request-target)</c>, <c>digest</c> and <c>x-request-id</c>, and <c>psu-ip-address</c>
/// and <c>content-type</c> when sent; a <c>Digest</c> (<c>SHA-256=</c>) of the body, the empty one too; and a keyId
/// that is the URL of the TPP's QSealC, which must have the fingerprint the URL ends with, chain to the trusted QTSP,
/// be a seal certificate and belong to the TPP of the TLS connection.
/// </summary>
/// <remarks>
/// Malformed input of any kind yields a <see cref="SignatureError"/>, never an exception: every header, and what the
/// keyId URL serves, is the sender's. The verifier keeps fetched certificates and chain verdicts and is safe to share.
/// </remarks>
public sealed class StetSignatureVerifier : IDisposable
{
    private const string DigestHeader = "Digest";
    private const string SignatureHeader = "Signature";
    private const string CertificateName = "the certificate at keyId";
    private const int MaxBodyBytes = 64 * 1024;

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    // Always (request-target), digest and x-request-id; the PSU's address and the content type when the request has them.
    private static readonly string[] HeadersToSign = ["(request-target)", "digest", "x-request-id", "psu-ip-address", "content-type"];

    private readonly SealCertificates _seals;
    private readonly HttpClient _http;
    private readonly KeyIdCertificates _certificates;

    /// <param name="trustedCa">The QTSP root every QSealC must chain to; owned by the caller.</param>
    /// <param name="time">The clock certificate validity is judged by: real time, not a simulated business clock.</param>
    public StetSignatureVerifier(X509Certificate2 trustedCa, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(trustedCa);
        ArgumentNullException.ThrowIfNull(time);
        _seals = new SealCertificates(trustedCa, time);

        // Redirects are not followed at all: the certificate is where the keyId says, or it is not fetched.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = FetchTimeout,
            MaxResponseContentBufferSize = KeyIdCertificates.MaxResponseBytes,
        };
        _certificates = new KeyIdCertificates(_http);
    }

    /// <summary>
    /// Checks the signature of the request being served; null when it is valid. The body is buffered, so the endpoint
    /// reads it afterwards from the start.
    /// </summary>
    /// <param name="tppOrganizationId">
    /// The organizationIdentifier of the TLS client certificate (QWAC); the QSealC must carry the same one, so one TPP
    /// cannot sign with another's seal.
    /// </param>
    public async Task<SignatureError?> VerifyAsync(HttpContext context, string tppOrganizationId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = await SignedRequest.ReadAsync(context, MaxBodyBytes);
        return request is null
            ? SignatureError.Invalid("The request body is too large to verify.")
            : await VerifyAsync(request, tppOrganizationId, context.RequestAborted);
    }

    /// <summary>Checks the signature of <paramref name="request"/>, as received; null when it is valid.</summary>
    public async Task<SignatureError?> VerifyAsync(SignedRequest request, string tppOrganizationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        if (!DraftCavage.TryIndexHeaders(request.Headers, out var headers))
        {
            return SignatureError.Invalid("A header is present more than once under names differing only in case.");
        }

        var missing = new[] { DigestHeader, SignatureHeader }
            .Where(name => !headers.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
            .ToList();
        if (missing.Count > 0)
        {
            return SignatureError.Missing($"The request must carry {string.Join(", ", missing)}: this bank requires signed requests.");
        }

        if (!DraftCavage.TryCheckMessage(request, headers, HeadersToSign, DraftCavage.Sha256Only, allowSha512: false, out var signature, out var signingString, out _, out var error))
        {
            return error;
        }

        if (!KeyIdCertificates.TryParse(signature.KeyId, out var url, out var fingerprint))
        {
            return SignatureError.Invalid("The keyId is not the http or https URL of a certificate ending in _<SHA-256 fingerprint in hex>.");
        }

        var fetched = await _certificates.GetAsync(url, fingerprint, cancellationToken);
        if (fetched.Certificate is not { } certificate)
        {
            return SignatureError.Invalid(fetched.Problem!);
        }

        try
        {
            var known = _seals.Known(url.AbsoluteUri, () => certificate)!;
            return _seals.Check(known, tppOrganizationId, CertificateName)
                ?? DraftCavage.CheckSignature(known.Certificate, signingString, signature.Signature, HashAlgorithmName.SHA256, CertificateName);
        }
        catch (CryptographicException)
        {
            // The loader parses only the outer structure; fields are decoded when first read.
            return SignatureError.Invalid("The certificate at keyId has a field that cannot be decoded.");
        }
    }

    public void Dispose() => _http.Dispose();
}
