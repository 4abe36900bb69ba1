using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Psd2.Core.Banking;
using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>Turns the platform's outgoing request into what the bank sees, and builds variants of it.</summary>
public static class SignedRequests
{
    public const string BankBase = "https://bank.example";

    public static HttpRequestMessage AccountListRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, BankBase + "/v1/accounts?withBalance=true");
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("Consent-ID", "consent-1234");
        return request;
    }

    public static HttpRequestMessage ConsentRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, BankBase + "/v1/consents")
        {
            Content = new StringContent(
                """{"access":{"allPsd2":"allAccounts"},"recurringIndicator":true,"validUntil":"2030-01-01","frequencyPerDay":4}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("PSU-ID", "PSU-4711");
        request.Headers.Add("PSU-IP-Address", "192.0.2.10");
        request.Headers.Add("TPP-Redirect-URI", "https://platform.example/callback?state=abc");
        return request;
    }

    public static async Task<SignedRequest> SignAsync(HttpRequestMessage request, X509Certificate2 qsealC)
    {
        await new HttpMessageSigner(qsealC).SignAsync(request, CancellationToken.None);
        return await ToSignedRequestAsync(request);
    }

    public static async Task<SignedRequest> ToSignedRequestAsync(HttpRequestMessage request)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var contentHeaders = request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>();
        foreach (var (name, values) in request.Headers.Concat(contentHeaders))
        {
            headers[name] = string.Join(", ", values);
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync();
        return new SignedRequest(request.Method.Method, request.RequestUri!.PathAndQuery, headers, body);
    }

    public static SignedRequest WithHeader(this SignedRequest request, string name, string value)
    {
        var headers = request.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase);
        headers[name] = value;
        return request with { Headers = headers };
    }

    public static SignedRequest WithoutHeader(this SignedRequest request, string name)
    {
        var headers = request.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase);
        Assert.True(headers.Remove(name), $"The request has no {name} header to remove.");
        return request with { Headers = headers };
    }

    public static string Header(this SignedRequest request, string name) =>
        request.Headers.Single(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>One parameter of the request's Signature header, e.g. <c>keyId</c>.</summary>
    public static string SignatureParameter(this SignedRequest request, string name)
    {
        var signature = request.Header("Signature");
        var start = signature.IndexOf(name + "=\"", StringComparison.Ordinal) + name.Length + 2;
        return signature[start..signature.IndexOf('"', start)];
    }

    public static SignedRequest WithSignatureParameter(this SignedRequest request, string name, string value) =>
        request.WithHeader("Signature", request.Header("Signature").Replace(
            $"{name}=\"{request.SignatureParameter(name)}\"", $"{name}=\"{value}\"", StringComparison.Ordinal));

    /// <summary>
    /// Signs the request again over <paramref name="signedHeaders"/>, written here independently of both production
    /// implementations, so tests can produce signatures the platform's signer never would.
    /// </summary>
    /// <param name="keyId">The keyId to name; by default the Berlin Group's serial number and issuer of <paramref name="key"/>.</param>
    public static SignedRequest Resign(this SignedRequest request, X509Certificate2 key, string signedHeaders, string algorithm = "rsa-sha256", string? keyId = null)
    {
        var lines = signedHeaders.Split(' ').Select(name => name == "(request-target)"
            ? $"(request-target): {request.Method.ToLowerInvariant()} {request.PathAndQuery}"
            : $"{name.ToLowerInvariant()}: {request.Header(name).Trim()}");
        var hash = algorithm == "rsa-sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        using var rsa = key.GetRSAPrivateKey()!;
        var signature = rsa.SignData(Encoding.UTF8.GetBytes(string.Join('\n', lines)), hash, RSASignaturePadding.Pkcs1);
        keyId ??= $"SN={key.SerialNumber},CA={key.IssuerName.Name}";
        return request.WithHeader(
            "Signature",
            $"keyId=\"{keyId}\",algorithm=\"{algorithm}\",headers=\"{signedHeaders}\",signature=\"{Convert.ToBase64String(signature)}\"");
    }
}
