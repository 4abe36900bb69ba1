using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Psd2.SandboxBank.Signing;

/// <summary>
/// The parts of draft-cavage-http-signatures-10 both profiles share: the request's headers indexed once, the signing
/// string, the <c>Digest</c> of the body (RFC 3230) and the RSA check. What differs (which headers must be signed,
/// where the certificate comes from) stays with each profile's verifier.
/// </summary>
internal static class DraftCavage
{
    private const int MaxDigestLength = 1024;

    public static readonly string[] Sha256Only = ["SHA-256"];
    public static readonly string[] Sha256OrSha512 = ["SHA-256", "SHA-512"];

    /// <summary>The request's headers by case-insensitive name; false when two names differ only in case.</summary>
    public static bool TryIndexHeaders(IReadOnlyDictionary<string, string> source, out Dictionary<string, string> headers)
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

    /// <summary>
    /// What every profile checks before it knows the certificate: the Signature header's parameters, an algorithm it
    /// accepts, the headers it must cover, the signing string and the body's Digest. False, with the error, when one fails.
    /// </summary>
    public static bool TryCheckMessage(
        SignedRequest request, Dictionary<string, string> headers, IEnumerable<string> mustSign, IReadOnlyList<string> digestAlgorithms, bool allowSha512,
        [NotNullWhen(true)] out SignatureParameters? signature, out string signingString, out HashAlgorithmName hash, [NotNullWhen(false)] out SignatureError? error)
    {
        signingString = "";
        hash = default;
        if (!SignatureParameters.TryParse(headers["Signature"], out signature, out var problem))
        {
            error = SignatureError.Invalid(problem);
            return false;
        }

        switch (signature.Algorithm.ToLowerInvariant())
        {
            case "rsa-sha256":
                hash = HashAlgorithmName.SHA256;
                break;
            case "rsa-sha512" when allowSha512:
                hash = HashAlgorithmName.SHA512;
                break;
            default:
                error = SignatureError.Invalid("The signature algorithm is not supported; use rsa-sha256.");
                return false;
        }

        var unsigned = Unsigned(mustSign, headers, signature);
        error = unsigned.Count > 0 ? SignatureError.Invalid($"The signature must cover {string.Join(", ", unsigned)}.")
            : !TryBuildSigningString(request, headers, signature.Headers, out signingString, out problem) ? SignatureError.Invalid(problem)
            : CheckDigest(headers["Digest"], request.Body.Span, digestAlgorithms);
        return error is null;
    }

    /// <summary>The headers of <paramref name="required"/> the request carries but the signature leaves out.</summary>
    public static List<string> Unsigned(IEnumerable<string> required, Dictionary<string, string> headers, SignatureParameters signature) =>
        required.Where(name => (name.StartsWith('(') || headers.ContainsKey(name)) && !signature.Headers.Contains(name)).ToList();

    // draft-cavage 2.3: one line per listed header, "name: value" with the name lowercased and the value trimmed,
    // joined by "\n". (request-target) is the lowercased method and the path with query.
    public static bool TryBuildSigningString(
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

    // RFC 3230: a comma-separated list of algorithm=base64 pairs. Every entry of an accepted algorithm must match, and
    // at least one must be there; entries of other algorithms are ignored.
    public static SignatureError? CheckDigest(string digest, ReadOnlySpan<byte> body, IReadOnlyList<string> algorithms)
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

            var algorithm = entry[..separator].ToUpperInvariant();
            if (!algorithms.Contains(algorithm))
            {
                continue;
            }

            var expected = algorithm == "SHA-512" ? SHA512.HashData(body) : SHA256.HashData(body);
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

        return checkedAny ? null : SignatureError.Invalid($"The Digest header uses no supported algorithm; use {string.Join(" or ", algorithms)}.");
    }

    /// <param name="certificateName">How the errors name the certificate, e.g. <c>TPP-Signature-Certificate</c>.</param>
    public static SignatureError? CheckSignature(
        X509Certificate2 certificate, string signingString, byte[] signature, HashAlgorithmName hash, string certificateName)
    {
        using var key = certificate.GetRSAPublicKey();
        if (key is null)
        {
            return SignatureError.Invalid($"{SealCertificates.Sentence(certificateName)} does not hold an RSA key.");
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

        return valid ? null : SignatureError.Invalid($"The signature does not verify with the key of {certificateName}.");
    }
}
