using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Psd2.Core.Banking;
using Psd2.IntegrationTests.Harness;
using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// The platform's signer and the sandbox bank's verifier judged by a third-party implementation of
/// draft-cavage-http-signatures, the npm package http-signature (through tests/tools/http-signature.mjs): our two
/// sides agreeing with each other could also mean they share one misreading of the draft. Both profiles: the Berlin
/// Group's and STET's, whose keyId is the URL the bank fetches the QSealC from (<see cref="CertificatePublisher"/>).
/// </summary>
public sealed class ThirdPartySignatureTests(SigningCertificates certificates, CertificatePublisher publisher)
    : IClassFixture<SigningCertificates>, IClassFixture<CertificatePublisher>, IDisposable
{
    private readonly HttpSignatureVerifier _verifier = new(certificates.Ca, TimeProvider.System);
    private readonly StetSignatureVerifier _stetVerifier = new(certificates.Ca, TimeProvider.System);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("http-signature-");

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task Platform_signatures_verify_with_the_http_signature_package(string method)
    {
        var request = await SignedRequests.SignAsync(Request(method), certificates.QsealC);

        var result = await VerifyWithPackageAsync(request);

        Assert.True(result.ExitCode == 0, Describe(result));
        var verdict = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.True(verdict.GetProperty("valid").GetBoolean());
        Assert.Equal(HttpMessageSigner.KeyId(certificates.QsealC), verdict.GetProperty("keyId").GetString());
        Assert.Equal(request.SignatureParameter("headers"), string.Join(' ', verdict.GetProperty("signedHeaders").EnumerateArray().Select(name => name.GetString())));
    }

    [Theory]
    [InlineData("body", "Digest does not match the body")]
    [InlineData("X-Request-ID", "signature does not verify")]
    [InlineData("Signature", "signature does not verify")]
    public async Task Tampered_platform_signatures_are_rejected_by_the_http_signature_package(string tampered, string reason)
    {
        var request = Tamper(await SignedRequests.SignAsync(Request("POST"), certificates.QsealC), tampered);

        var result = await VerifyWithPackageAsync(request);

        Assert.True(result.ExitCode == 1, Describe(result));
        var verdict = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.False(verdict.GetProperty("valid").GetBoolean());
        Assert.Contains(reason, verdict.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "digest x-request-id date")]
    [InlineData("POST", "digest x-request-id psu-id tpp-redirect-uri date")]
    public async Task Requests_signed_by_the_http_signature_package_are_accepted_by_the_sandbox_bank(string method, string signedHeaders)
    {
        var request = await SignWithPackageAsync(Request(method));

        // The package signs in the Berlin Group's example order, not the platform's: the bank must follow the list.
        Assert.Equal(signedHeaders, request.SignatureParameter("headers"));
        Assert.Null(_verifier.Verify(request, SigningCertificates.TppOrganizationId));
    }

    [Theory]
    [InlineData("body", "Digest does not match")]
    [InlineData("X-Request-ID", "does not verify")]
    [InlineData("Signature", "does not verify")]
    public async Task Tampered_requests_signed_by_the_http_signature_package_are_refused_by_the_sandbox_bank(string tampered, string reason)
    {
        var request = Tamper(await SignWithPackageAsync(Request("POST")), tampered);

        var error = _verifier.Verify(request, SigningCertificates.TppOrganizationId);

        Assert.Equal(SignatureError.SignatureInvalid, error?.Code);
        Assert.Contains(reason, error!.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "(request-target) digest x-request-id")]
    [InlineData("PUT", "(request-target) digest x-request-id psu-ip-address content-type")]
    public async Task Platform_STET_signatures_verify_with_the_http_signature_package(string method, string signedHeaders)
    {
        var keyId = publisher.Publish(certificates.QsealC);
        var request = await SignStetAsync(StetRequest(method), keyId);

        var result = await VerifyWithPackageAsync(request, "stet");

        Assert.True(result.ExitCode == 0, Describe(result));
        var verdict = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(keyId, verdict.GetProperty("keyId").GetString());
        Assert.Equal(signedHeaders, string.Join(' ', verdict.GetProperty("signedHeaders").EnumerateArray().Select(name => name.GetString())));
    }

    [Theory]
    [InlineData("target", "signature does not verify")]
    [InlineData("body", "Digest does not match the body")]
    [InlineData("PSU-IP-Address", "signature does not verify")]
    [InlineData("Signature", "signature does not verify")]
    public async Task Tampered_platform_STET_signatures_are_rejected_by_the_http_signature_package(string tampered, string reason)
    {
        var request = Tamper(await SignStetAsync(StetRequest("PUT"), publisher.Publish(certificates.QsealC)), tampered);

        var result = await VerifyWithPackageAsync(request, "stet");

        Assert.True(result.ExitCode == 1, Describe(result));
        Assert.Contains(reason, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "(request-target) digest x-request-id")]
    [InlineData("PUT", "(request-target) digest x-request-id psu-ip-address content-type")]
    public async Task STET_requests_signed_by_the_http_signature_package_are_accepted_by_the_sandbox_bank(string method, string signedHeaders)
    {
        var request = await SignWithPackageAsync(StetRequest(method), "stet", publisher.Publish(certificates.QsealC));

        Assert.Equal(signedHeaders, request.SignatureParameter("headers"));
        Assert.Null(await _stetVerifier.VerifyAsync(request, SigningCertificates.TppOrganizationId, CancellationToken.None));
    }

    [Theory]
    [InlineData("target", "does not verify")]
    [InlineData("body", "Digest does not match")]
    [InlineData("X-Request-ID", "does not verify")]
    [InlineData("Signature", "does not verify")]
    public async Task Tampered_STET_requests_signed_by_the_http_signature_package_are_refused_by_the_sandbox_bank(string tampered, string reason)
    {
        var request = Tamper(await SignWithPackageAsync(StetRequest("PUT"), "stet", publisher.Publish(certificates.QsealC)), tampered);

        var error = await _stetVerifier.VerifyAsync(request, SigningCertificates.TppOrganizationId, CancellationToken.None);

        Assert.Equal(SignatureError.SignatureInvalid, error?.Code);
        Assert.Contains(reason, error!.Text, StringComparison.Ordinal);
    }

    private static HttpRequestMessage StetRequest(string method) =>
        method == "PUT" ? StetSignatureVerifierTests.ConsentRequest() : StetSignatureVerifierTests.AccountListRequest();

    private async Task<SignedRequest> SignStetAsync(HttpRequestMessage message, string keyId)
    {
        await HttpMessageSigner.ForStet(certificates.QsealC, keyId, TimeProvider.System).SignAsync(message, CancellationToken.None);
        return await SignedRequests.ToSignedRequestAsync(message);
    }

    // A read carries the OAuth token in Authorization, which the package would otherwise take for the signature.
    private static HttpRequestMessage Request(string method)
    {
        if (method == "POST")
        {
            return SignedRequests.ConsentRequest();
        }

        var request = SignedRequests.AccountListRequest();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "access-token");
        return request;
    }

    private static SignedRequest Tamper(SignedRequest request, string part) => part switch
    {
        "body" => request with { Body = request.Body.ToArray().Select(b => b == (byte)'4' ? (byte)'9' : b).ToArray() },
        "Signature" => request.WithSignatureParameter("signature", FlipFirstByte(request.SignatureParameter("signature"))),
        "target" => request with { PathAndQuery = request.PathAndQuery + "?page=2" },
        _ => request.WithHeader(part, request.Header(part) + "0"),
    };

    private static string FlipFirstByte(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[0] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }

    private async Task<NodeResult> VerifyWithPackageAsync(SignedRequest request, string profile = "berlin-group")
    {
        var certificate = Path.Combine(_folder.FullName, "qseal.pem");
        await File.WriteAllTextAsync(certificate, certificates.QsealC.ExportCertificatePem());
        return await RunAsync("verify", "--request", await WriteRequestAsync(request), "--cert", certificate, "--profile", profile);
    }

    // The package signs with the QSealC's key and the keyId of the profile: the Berlin Group's serial number and issuer,
    // whose certificate header is the caller's to add (the tool works with keys only), or STET's URL.
    private async Task<SignedRequest> SignWithPackageAsync(HttpRequestMessage message, string profile = "berlin-group", string? keyId = null)
    {
        var key = Path.Combine(_folder.FullName, "qseal-key.pem");
        using (var rsa = certificates.QsealC.GetRSAPrivateKey()!)
        {
            await File.WriteAllTextAsync(key, rsa.ExportPkcs8PrivateKeyPem());
        }

        var request = await SignedRequests.ToSignedRequestAsync(message);
        var result = await RunAsync("sign", "--request", await WriteRequestAsync(request), "--key", key,
            "--key-id", keyId ?? HttpMessageSigner.KeyId(certificates.QsealC), "--profile", profile);
        Assert.True(result.ExitCode == 0, Describe(result));

        var added = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("headers");
        Assert.False(request.Headers.ContainsKey("Date"), "The request was to get its Date from the package.");
        foreach (var header in added.EnumerateObject())
        {
            request = request.WithHeader(header.Name, header.Value.GetString()!);
        }

        return profile == "stet" ? request : request.WithHeader(HttpMessageSigner.CertificateHeader, Convert.ToBase64String(certificates.QsealC.RawData));
    }

    private async Task<string> WriteRequestAsync(SignedRequest request)
    {
        var path = Path.Combine(_folder.FullName, $"request-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            method = request.Method,
            path = request.PathAndQuery,
            headers = request.Headers,
            body = Convert.ToBase64String(request.Body.Span),
        }));
        return path;
    }

    private static async Task<NodeResult> RunAsync(params string[] args)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await NodeTool.RunAsync("http-signature.mjs", args, deadline.Token);
    }

    private static string Describe(NodeResult result) =>
        $"http-signature.mjs exited {result.ExitCode}.\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}";

    public void Dispose()
    {
        _stetVerifier.Dispose();
        _folder.Delete(recursive: true);
    }
}
