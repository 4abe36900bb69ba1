using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// The QSealCs STET keyIds point at: an http or https URL of the certificate in PEM whose last path segment ends with
/// <c>_&lt;SHA-256 fingerprint in hex&gt;</c>, optionally followed by <c>.pem</c> (STET's example:
/// <c>https://path.to/myQsealCertificate_714f…709f</c>). Each is fetched once and kept by URL.
/// </summary>
/// <remarks>
/// Only a TPP that passed mutual TLS gets this far, but the URL is still its to choose: the fetch is bounded in time
/// and size, follows no redirect, and a failure of any kind is "not fetched", never an exception.
/// </remarks>
internal sealed partial class KeyIdCertificates(HttpClient http)
{
    /// <summary>A QSealC in PEM is a few kilobytes.</summary>
    public const int MaxResponseBytes = 32 * 1024;

    private const int MostCertificatesKept = 256;

    private readonly ConcurrentDictionary<string, X509Certificate2> _fetched = new(StringComparer.Ordinal);

    /// <summary>The URL and the fingerprint a keyId names; false when it is not such a URL.</summary>
    public static bool TryParse(string keyId, [NotNullWhen(true)] out Uri? url, out byte[] fingerprint)
    {
        fingerprint = [];
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            url = null;
            return false;
        }

        var lastSegment = url.AbsolutePath[(url.AbsolutePath.LastIndexOf('/') + 1)..];
        var match = FingerprintSuffix().Match(lastSegment);
        if (!match.Success)
        {
            url = null;
            return false;
        }

        fingerprint = Convert.FromHexString(match.Groups["fingerprint"].Value);
        return true;
    }

    /// <summary>The certificate at <paramref name="url"/>, if it could be fetched and has <paramref name="fingerprint"/>.</summary>
    public async Task<Fetched> GetAsync(Uri url, byte[] fingerprint, CancellationToken cancellationToken)
    {
        var key = url.AbsoluteUri;
        if (!_fetched.TryGetValue(key, out var certificate))
        {
            certificate = await FetchAsync(url, cancellationToken);
            if (certificate is null)
            {
                return new Fetched(null, "The certificate at keyId could not be fetched.");
            }
        }

        if (!CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), fingerprint))
        {
            // Not kept: the URL promises another certificate, and may serve it later.
            return new Fetched(null, "The certificate at keyId does not have the SHA-256 fingerprint its URL ends with.");
        }

        if (_fetched.Count >= MostCertificatesKept && !_fetched.ContainsKey(key))
        {
            // Many different certificates is not what TPPs publish: start again rather than grow without bound.
            _fetched.Clear();
        }

        _fetched[key] = certificate;
        return new Fetched(certificate, null);
    }

    private async Task<X509Certificate2?> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/x-pem-file");
            request.Headers.Accept.ParseAdd("*/*;q=0.1");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return null;
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxResponseBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            return length > MaxResponseBytes ? null : ReadPem(Encoding.ASCII.GetString(buffer, 0, length));
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or CryptographicException or FormatException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Unreachable, refused, too slow (HttpClient's timeout cancels), or not a certificate.
            return null;
        }
    }

    /// <summary>The first CERTIFICATE block of a PEM text.</summary>
    private static X509Certificate2? ReadPem(string pem)
    {
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            }

            rest = rest[fields.Location.End..];
        }

        return null;
    }

    [GeneratedRegex("_(?<fingerprint>[0-9a-fA-F]{64})(\\.pem)?$")]
    private static partial Regex FingerprintSuffix();
}

/// <summary>A fetched certificate, or why there is none.</summary>
internal sealed record Fetched(X509Certificate2? Certificate, string? Problem);
