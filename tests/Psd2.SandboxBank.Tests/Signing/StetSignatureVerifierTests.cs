using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Psd2.Core.Banking;
using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>
/// Requests signed by the platform's STET signer, verified by the bank's <see cref="StetSignatureVerifier"/>, which
/// fetches the QSealC from the keyId URL (a Kestrel on loopback, <see cref="CertificatePublisher"/>).
/// </summary>
public sealed class StetSignatureVerifierTests(SigningCertificates certificates, CertificatePublisher publisher)
    : IClassFixture<SigningCertificates>, IClassFixture<CertificatePublisher>, IDisposable
{
    private const string EmptyBodyDigest = "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    private readonly StetSignatureVerifier _verifier = new(certificates.Ca, TimeProvider.System);

    public static HttpRequestMessage AccountListRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, SignedRequests.BankBase + "/stet/psd2/v1/accounts");
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Authorization = new("Bearer", "access-token");
        return request;
    }

    public static HttpRequestMessage ConsentRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Put, SignedRequests.BankBase + "/stet/psd2/v1/consents")
        {
            Content = new StringContent(
                """{"balances":[{"iban":"SE4550000000058398257466"}],"transactions":[{"iban":"SE4550000000058398257466"}],"trustedBeneficiaries":false,"psuIdentity":false}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());
        request.Headers.Add("PSU-IP-Address", "192.0.2.10");
        return request;
    }

    [Fact]
    public async Task A_signed_GET_without_body_verifies()
    {
        var request = await SignAsync(AccountListRequest(), certificates.QsealC, publisher.Publish(certificates.QsealC));

        Assert.Null(await VerifyAsync(request));
        Assert.Equal(EmptyBodyDigest, request.Header("Digest"));
        Assert.Equal("(request-target) digest x-request-id", request.SignatureParameter("headers"));
        Assert.False(request.Headers.ContainsKey("Date"));
        Assert.False(request.Headers.ContainsKey(HttpMessageSigner.CertificateHeader));
    }

    [Fact]
    public async Task A_signed_PUT_covers_the_PSU_address_and_the_content_type()
    {
        var keyId = publisher.Publish(certificates.QsealC);
        var request = await SignAsync(ConsentRequest(), certificates.QsealC, keyId);

        Assert.Null(await VerifyAsync(request));
        Assert.Equal("(request-target) digest x-request-id psu-ip-address content-type", request.SignatureParameter("headers"));
        Assert.Equal(keyId, request.SignatureParameter("keyId"));
    }

    [Fact]
    public async Task The_certificate_is_fetched_once_per_URL()
    {
        var keyId = publisher.Publish(certificates.QsealC);

        Assert.Null(await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId)));
        Assert.Null(await VerifyAsync(await SignAsync(ConsentRequest(), certificates.QsealC, keyId)));

        Assert.Equal(1, publisher.Fetches(keyId));
    }

    [Fact]
    public async Task A_keyId_ending_in_the_bare_fingerprint_verifies()
    {
        var keyId = publisher.Publish(certificates.QsealC, CertificatePublisher.FileName(certificates.QsealC, "myQsealCertificate")[..^".pem".Length]);

        Assert.Null(await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId)));
    }

    [Fact]
    public async Task The_endpoint_reads_the_body_after_verification()
    {
        var message = ConsentRequest();
        var signed = await SignAsync(message, certificates.QsealC, publisher.Publish(certificates.QsealC));
        var context = new DefaultHttpContext();
        context.Request.Method = signed.Method;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = signed.PathAndQuery;
        foreach (var (name, value) in signed.Headers)
        {
            context.Request.Headers[name] = value;
        }

        // Kestrel's request body can be read once only; so can a pipe's.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(signed.Body);
        await pipe.Writer.CompleteAsync();
        context.Request.Body = pipe.Reader.AsStream();

        Assert.Null(await _verifier.VerifyAsync(context, SigningCertificates.TppOrganizationId));
        Assert.Equal(await message.Content!.ReadAsStringAsync(), await new StreamReader(context.Request.Body).ReadToEndAsync());
    }

    [Fact]
    public async Task A_certificate_whose_fingerprint_is_not_the_one_in_the_URL_is_refused()
    {
        var keyId = publisher.Publish(certificates.QsealC, CertificatePublisher.FileName(certificates.OtherOrganisationQsealC));

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId));

        AssertInvalid(error, "does not have the SHA-256 fingerprint its URL ends with");
    }

    [Fact]
    public async Task A_QWAC_served_at_keyId_is_refused()
    {
        var keyId = publisher.Publish(certificates.Qwac);

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId));

        AssertInvalid(error, "The certificate at keyId is not a seal certificate (QSealC)");
    }

    [Fact]
    public async Task Another_organisations_seal_is_refused()
    {
        var keyId = publisher.Publish(certificates.OtherOrganisationQsealC);

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.OtherOrganisationQsealC, keyId));

        AssertInvalid(error, "belongs to another organisation than the TLS client certificate");
    }

    [Fact]
    public async Task A_seal_from_an_untrusted_QTSP_is_refused()
    {
        var keyId = publisher.Publish(certificates.ForeignQsealC);

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.ForeignQsealC, keyId));

        AssertInvalid(error, "is not issued by a QTSP this bank trusts");
    }

    [Theory]
    [InlineData("/stet/psd2/v1/accounts/other/transactions")]
    [InlineData("/stet/psd2/v1/accounts?page=2")]
    public async Task A_tampered_request_target_is_refused(string target)
    {
        var request = await SignAsync(AccountListRequest(), certificates.QsealC, publisher.Publish(certificates.QsealC));

        AssertInvalid(await VerifyAsync(request with { PathAndQuery = target }), "does not verify");
        AssertInvalid(await VerifyAsync(request with { Method = "DELETE" }), "does not verify");
    }

    [Fact]
    public async Task A_tampered_body_is_refused()
    {
        var request = await SignAsync(ConsentRequest(), certificates.QsealC, publisher.Publish(certificates.QsealC));

        var error = await VerifyAsync(request with { Body = Encoding.UTF8.GetBytes("""{"balances":[],"transactions":[],"trustedBeneficiaries":true,"psuIdentity":true}""") });

        AssertInvalid(error, "The Digest does not match the request body.");
    }

    [Fact]
    public async Task A_request_without_Digest_is_refused_as_unsigned()
    {
        var request = await SignAsync(AccountListRequest(), certificates.QsealC, publisher.Publish(certificates.QsealC));

        var error = await VerifyAsync(request.WithoutHeader("Digest"));

        Assert.Equal(SignatureError.SignatureMissing, error?.Code);
        Assert.Contains("Digest", error!.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("digest x-request-id psu-ip-address content-type", "(request-target)")]
    [InlineData("(request-target) digest x-request-id content-type", "psu-ip-address")]
    [InlineData("(request-target) x-request-id psu-ip-address content-type", "digest")]
    public async Task A_signature_leaving_out_a_header_of_the_profile_is_refused(string signedHeaders, string leftOut)
    {
        var keyId = publisher.Publish(certificates.QsealC);
        var request = (await SignAsync(ConsentRequest(), certificates.QsealC, keyId)).Resign(certificates.QsealC, signedHeaders, keyId: keyId);

        AssertInvalid(await VerifyAsync(request), $"The signature must cover {leftOut}.");
    }

    [Fact]
    public async Task A_certificate_response_over_32_KB_is_not_fetched()
    {
        var pem = certificates.QsealC.ExportCertificatePem();
        var keyId = publisher.Serve(CertificatePublisher.FileName(certificates.QsealC), "application/x-pem-file", pem + new string('\n', 33 * 1024));

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId));

        AssertInvalid(error, "The certificate at keyId could not be fetched.");
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        var target = publisher.Publish(certificates.QsealC);
        var keyId = publisher.Redirect(CertificatePublisher.FileName(certificates.QsealC), target);

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId));

        AssertInvalid(error, "could not be fetched");
        Assert.Equal(0, publisher.Fetches(target));
    }

    [Fact]
    public async Task Something_other_than_a_PEM_certificate_at_keyId_is_not_fetched()
    {
        var keyId = publisher.Serve(CertificatePublisher.FileName(certificates.QsealC), "text/html", "<html>Not here</html>");

        AssertInvalid(await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId)), "could not be fetched");
    }

    [Fact]
    public async Task A_keyId_nobody_serves_is_not_fetched()
    {
        var keyId = new Uri(publisher.BaseAddress, "/nothing/" + CertificatePublisher.FileName(certificates.QsealC)).ToString();

        AssertInvalid(await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId)), "could not be fetched");
    }

    [Theory]
    [InlineData("berlin-group")]
    [InlineData("relative")]
    [InlineData("file")]
    [InlineData("no fingerprint")]
    public async Task A_keyId_that_is_not_a_certificate_URL_is_refused_without_a_fetch(string kind)
    {
        var published = publisher.Publish(certificates.QsealC);
        var keyId = kind switch
        {
            "berlin-group" => HttpMessageSigner.KeyId(certificates.QsealC),
            "relative" => new Uri(published).PathAndQuery,
            "file" => "file:///etc/" + CertificatePublisher.FileName(certificates.QsealC),
            _ => published.Replace("qsealc_", "qsealc-", StringComparison.Ordinal),
        };

        var error = await VerifyAsync(await SignAsync(AccountListRequest(), certificates.QsealC, keyId));

        AssertInvalid(error, "The keyId is not the http or https URL of a certificate");
        Assert.Equal(0, publisher.Fetches(published));
    }

    [Fact]
    public async Task The_platform_cannot_sign_without_the_certificate_URL()
    {
        var signer = HttpMessageSigner.ForStet(certificates.QsealC, "", TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => signer.SignAsync(AccountListRequest(), CancellationToken.None));

        Assert.Contains("Tpp:QsealCertificateUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_platform_signs_the_target_as_sent()
    {
        var signer = HttpMessageSigner.ForStet(certificates.QsealC, publisher.Publish(certificates.QsealC), TimeProvider.System);
        var relative = new HttpRequestMessage(HttpMethod.Get, "/stet/psd2/v1/accounts");
        relative.Headers.Add("X-Request-ID", Guid.NewGuid().ToString());

        await Assert.ThrowsAsync<InvalidOperationException>(() => signer.SignAsync(relative, CancellationToken.None));
    }

    private static async Task<SignedRequest> SignAsync(HttpRequestMessage request, X509Certificate2 qsealC, string keyId)
    {
        await HttpMessageSigner.ForStet(qsealC, keyId, TimeProvider.System).SignAsync(request, CancellationToken.None);
        return await SignedRequests.ToSignedRequestAsync(request);
    }

    private Task<SignatureError?> VerifyAsync(SignedRequest request) =>
        _verifier.VerifyAsync(request, SigningCertificates.TppOrganizationId, CancellationToken.None);

    private static void AssertInvalid(SignatureError? error, string text)
    {
        Assert.Equal(SignatureError.SignatureInvalid, error?.Code);
        Assert.Contains(text, error!.Text, StringComparison.Ordinal);
    }

    public void Dispose() => _verifier.Dispose();
}
