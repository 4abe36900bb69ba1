using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Psd2.SandboxPki;
using Psd2.Core.Banking;
using Psd2.SandboxBank.Signing;

namespace Psd2.SandboxBank.Tests.Signing;

/// <summary>Requests signed by the platform's <see cref="HttpMessageSigner"/>, verified by the bank's <see cref="HttpSignatureVerifier"/>.</summary>
public sealed class HttpSignatureVerifierTests(SigningCertificates certificates) : IClassFixture<SigningCertificates>
{
    private readonly HttpSignatureVerifier _verifier = new(certificates.Ca, TimeProvider.System);

    [Fact]
    public async Task A_signed_GET_without_body_verifies()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);

        Assert.Null(_verifier.Verify(request, SigningCertificates.TppOrganizationId));
        Assert.Equal("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", request.Header("Digest"));
        Assert.Equal("date digest x-request-id", request.SignatureParameter("headers"));
    }

    [Fact]
    public async Task A_signed_POST_with_body_verifies_and_covers_the_PSU_and_redirect_headers()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

        Assert.Null(_verifier.Verify(request, SigningCertificates.TppOrganizationId));
        Assert.Equal("date digest x-request-id psu-id tpp-redirect-uri", request.SignatureParameter("headers"));
        Assert.Equal("rsa-sha256", request.SignatureParameter("algorithm"));
    }

    [Fact]
    public async Task The_signer_sends_the_certificate_as_base64_DER_and_names_it_by_serial_and_issuer()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);

        Assert.Equal(certificates.QsealC.RawData, Convert.FromBase64String(request.Header("TPP-Signature-Certificate")));
        Assert.Equal(
            $"SN={certificates.QsealC.SerialNumber},CA={certificates.Ca.SubjectName.Name}",
            request.SignatureParameter("keyId"));
    }

    [Fact]
    public async Task Header_names_are_matched_case_insensitively()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var lowerCased = request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value, StringComparer.Ordinal);

        Assert.Null(_verifier.Verify(request with { Headers = lowerCased }, SigningCertificates.TppOrganizationId));
    }

    [Fact]
    public async Task An_empty_signed_header_verifies()
    {
        var message = SignedRequests.AccountListRequest();
        message.Headers.Add("PSU-ID", "");
        var request = await SignedRequests.SignAsync(message, certificates.QsealC);

        Assert.Contains("psu-id", request.SignatureParameter("headers"), StringComparison.Ordinal);
        Assert.Null(_verifier.Verify(request, SigningCertificates.TppOrganizationId));
    }

    [Fact]
    public async Task Signing_twice_replaces_the_first_signature()
    {
        var message = SignedRequests.ConsentRequest();
        var signer = new HttpMessageSigner(certificates.QsealC);
        await signer.SignAsync(message, CancellationToken.None);
        await signer.SignAsync(message, CancellationToken.None);

        Assert.Single(message.Headers.GetValues("Signature"));
        Assert.Single(message.Headers.GetValues("Digest"));
        Assert.Null(_verifier.Verify(await SignedRequests.ToSignedRequestAsync(message), SigningCertificates.TppOrganizationId));
    }

    [Fact]
    public async Task The_signer_refuses_a_request_without_X_Request_ID()
    {
        var message = new HttpRequestMessage(HttpMethod.Get, SignedRequests.BankBase + "/v1/accounts");

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => new HttpMessageSigner(certificates.QsealC).SignAsync(message, CancellationToken.None));
    }

    [Fact]
    public void The_signer_refuses_a_certificate_without_private_key()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificates.QsealC.RawData);

        Assert.Throws<ArgumentException>(() => new HttpMessageSigner(publicOnly));
    }

    [Theory]
    [InlineData("Digest")]
    [InlineData("Signature")]
    [InlineData("TPP-Signature-Certificate")]
    public async Task A_request_lacking_a_signature_header_is_refused_as_missing(string header)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

        var error = _verifier.Verify(request.WithoutHeader(header), SigningCertificates.TppOrganizationId);

        Assert.Equal(SignatureError.SignatureMissing, error?.Code);
        Assert.Contains(header, error!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsigned_request_is_refused_as_missing()
    {
        var request = await SignedRequests.ToSignedRequestAsync(SignedRequests.AccountListRequest());

        Assert.Equal(SignatureError.SignatureMissing, _verifier.Verify(request, SigningCertificates.TppOrganizationId)?.Code);
    }

    [Fact]
    public async Task A_tampered_body_no_longer_matches_the_digest()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var tampered = request with { Body = request.Body.ToArray().Select(b => b == (byte)'4' ? (byte)'9' : b).ToArray() };

        AssertInvalid(_verifier.Verify(tampered, SigningCertificates.TppOrganizationId), "Digest does not match");
    }

    [Fact]
    public async Task A_tampered_body_with_a_recomputed_digest_fails_the_signature()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        byte[] body = [.. request.Body.ToArray(), (byte)' '];
        var tampered = (request with { Body = body }).WithHeader("Digest", "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body)));

        AssertInvalid(_verifier.Verify(tampered, SigningCertificates.TppOrganizationId), "does not verify");
    }

    [Theory]
    [InlineData("X-Request-ID")]
    [InlineData("PSU-ID")]
    [InlineData("TPP-Redirect-URI")]
    [InlineData("Date")]
    public async Task A_tampered_signed_header_fails_the_signature(string header)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var tampered = request.WithHeader(header, header == "Date" ? "Mon, 01 Jan 2035 00:00:00 GMT" : request.Header(header) + "0");

        AssertInvalid(_verifier.Verify(tampered, SigningCertificates.TppOrganizationId), "does not verify");
    }

    [Fact]
    public async Task An_unsigned_header_may_change_without_breaking_the_signature()
    {
        // The control for the tampering tests: only what the signature covers is protected.
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

        Assert.Null(_verifier.Verify(request.WithHeader("PSU-IP-Address", "198.51.100.7"), SigningCertificates.TppOrganizationId));
    }

    [Theory]
    [InlineData("PSU-ID", "psu-id")]
    [InlineData("PSU-Corporate-ID", "psu-corporate-id")]
    [InlineData("TPP-Redirect-URI", "tpp-redirect-uri")]
    [InlineData("Date", "date")]
    public async Task A_header_added_after_signing_that_must_be_signed_is_refused(string header, string signatureName)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);
        var smuggled = request.WithHeader(header, header == "Date" ? "Mon, 01 Jan 2035 00:00:00 GMT" : "smuggled");
        if (header == "Date")
        {
            // The signer always adds and signs Date; drop it from the signature to model a TPP that did not.
            smuggled = smuggled.Resign(certificates.QsealC, "digest x-request-id");
        }

        AssertInvalid(_verifier.Verify(smuggled, SigningCertificates.TppOrganizationId), signatureName);
    }

    [Theory]
    [InlineData("x-request-id", "digest")]
    [InlineData("digest", "x-request-id")]
    [InlineData("date", "digest, x-request-id")]
    public async Task A_signature_omitting_a_mandatory_header_is_refused(string signedHeaders, string reportedMissing)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);

        var error = _verifier.Verify(request.Resign(certificates.QsealC, signedHeaders), SigningCertificates.TppOrganizationId);

        AssertInvalid(error, "must cover " + reportedMissing);
    }

    [Fact]
    public async Task A_signature_listing_a_header_the_request_lacks_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);
        var resigned = request.WithHeader("Consent-ID", "x").Resign(certificates.QsealC, "date digest x-request-id consent-id");

        AssertInvalid(_verifier.Verify(resigned.WithoutHeader("Consent-ID"), SigningCertificates.TppOrganizationId), "does not carry");
    }

    [Fact]
    public async Task A_signature_over_the_request_target_binds_method_and_path()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);
        var resigned = request.Resign(certificates.QsealC, "(request-target) date digest x-request-id");

        Assert.Null(_verifier.Verify(resigned, SigningCertificates.TppOrganizationId));
        AssertInvalid(
            _verifier.Verify(resigned with { PathAndQuery = "/v1/accounts?withBalance=false" }, SigningCertificates.TppOrganizationId),
            "does not verify");
        AssertInvalid(_verifier.Verify(resigned with { Method = "DELETE" }, SigningCertificates.TppOrganizationId), "does not verify");
    }

    [Fact]
    public async Task An_rsa_sha512_signature_verifies()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var resigned = request.Resign(certificates.QsealC, "digest x-request-id psu-id tpp-redirect-uri date", "rsa-sha512");

        Assert.Null(_verifier.Verify(resigned, SigningCertificates.TppOrganizationId));
    }

    [Theory]
    [InlineData("hmac-sha256")]
    [InlineData("hs2019")]
    [InlineData("rsa-sha1")]
    [InlineData("ecdsa-sha256")]
    public async Task An_unsupported_algorithm_is_refused(string algorithm)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.AccountListRequest(), certificates.QsealC);

        AssertInvalid(
            _verifier.Verify(request.WithSignatureParameter("algorithm", algorithm), SigningCertificates.TppOrganizationId),
            "algorithm");
    }

    [Fact]
    public async Task A_signature_with_flipped_bytes_fails()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var signature = Convert.FromBase64String(request.SignatureParameter("signature"));
        signature[signature.Length / 2] ^= 0x01;

        var error = _verifier.Verify(
            request.WithSignatureParameter("signature", Convert.ToBase64String(signature)),
            SigningCertificates.TppOrganizationId);

        AssertInvalid(error, "does not verify");
    }

    [Fact]
    public async Task A_truncated_signature_fails()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var signature = Convert.FromBase64String(request.SignatureParameter("signature"));

        var error = _verifier.Verify(
            request.WithSignatureParameter("signature", Convert.ToBase64String(signature[..^1])),
            SigningCertificates.TppOrganizationId);

        AssertInvalid(error, "does not verify");
    }

    [Fact]
    public async Task A_QSealC_from_an_untrusted_CA_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.ForeignQsealC);

        AssertInvalid(_verifier.Verify(request, SigningCertificates.TppOrganizationId), "not issued by a QTSP this bank trusts");
    }

    [Fact]
    public async Task A_QSealC_from_an_untrusted_CA_passes_a_verifier_trusting_that_CA()
    {
        // The control for the test above: the refusal is about trust, not about the certificate itself.
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.ForeignQsealC);

        Assert.Null(new HttpSignatureVerifier(certificates.ForeignCa, TimeProvider.System).Verify(request, SigningCertificates.TppOrganizationId));
    }

    [Fact]
    public async Task An_expired_QSealC_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.ExpiredQsealC);

        AssertInvalid(_verifier.Verify(request, SigningCertificates.TppOrganizationId), "expired");
    }

    [Fact]
    public async Task Certificate_validity_is_judged_by_the_verifier_clock()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var afterExpiry = new HttpSignatureVerifier(certificates.Ca, new FixedTime(new DateTimeOffset(certificates.QsealC.NotAfter).AddDays(1)));
        var beforeIssue = new HttpSignatureVerifier(certificates.Ca, new FixedTime(new DateTimeOffset(certificates.QsealC.NotBefore).AddDays(-1)));
        var duringValidity = new HttpSignatureVerifier(certificates.Ca, new FixedTime(new DateTimeOffset(certificates.QsealC.NotBefore).AddHours(1)));

        AssertInvalid(afterExpiry.Verify(request, SigningCertificates.TppOrganizationId), "expired");
        AssertInvalid(beforeIssue.Verify(request, SigningCertificates.TppOrganizationId), "not yet valid");
        Assert.Null(duringValidity.Verify(request, SigningCertificates.TppOrganizationId));
    }

    [Fact]
    public async Task A_certificate_whose_chain_was_judged_before_is_still_refused_once_it_expires()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        // Two minutes apart: well within the time a chain's verdict is kept.
        var clock = new MovableTime(new DateTimeOffset(certificates.QsealC.NotAfter).AddMinutes(-1));
        var verifier = new HttpSignatureVerifier(certificates.Ca, clock);

        Assert.Null(verifier.Verify(request, SigningCertificates.TppOrganizationId));
        clock.Now = new DateTimeOffset(certificates.QsealC.NotAfter).AddMinutes(1);

        AssertInvalid(verifier.Verify(request, SigningCertificates.TppOrganizationId), "expired");
    }

    private sealed class MovableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_QSealC_of_another_organisation_than_the_TLS_client_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.OtherOrganisationQsealC);

        AssertInvalid(_verifier.Verify(request, SigningCertificates.TppOrganizationId), "another organisation");
        Assert.Null(_verifier.Verify(request, SigningCertificates.OtherTpp.OrganizationIdentifier));
    }

    [Fact]
    public async Task A_signature_made_with_the_TPPs_QWAC_is_refused_as_not_a_seal()
    {
        using var qwac = CertificateFactory.IssueQwac(certificates.Ca, SandboxCertificates.Tpp, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), qwac);

        AssertInvalid(_verifier.Verify(request, SigningCertificates.TppOrganizationId), "not a seal certificate");
    }

    [Theory]
    [InlineData("")]
    [InlineData("PSDSE-FINA-4405")]
    [InlineData("psdse-fina-44059")]
    public async Task A_TLS_organisation_differing_from_the_QSealC_is_refused(string tlsOrganizationId)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

        AssertInvalid(_verifier.Verify(request, tlsOrganizationId), "another organisation");
    }

    [Fact]
    public async Task A_keyId_naming_another_serial_number_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var keyId = $"SN={certificates.ExpiredQsealC.SerialNumber},CA={certificates.Ca.SubjectName.Name}";

        AssertInvalid(_verifier.Verify(request.WithSignatureParameter("keyId", keyId), SigningCertificates.TppOrganizationId), "keyId");
    }

    [Fact]
    public async Task A_keyId_naming_another_issuer_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var keyId = $"SN={certificates.QsealC.SerialNumber},CA={certificates.ForeignCa.SubjectName.Name}";

        AssertInvalid(_verifier.Verify(request.WithSignatureParameter("keyId", keyId), SigningCertificates.TppOrganizationId), "keyId");
    }

    [Theory]
    [InlineData("SN={0}")]
    [InlineData("CA={1}")]
    [InlineData("{0},{1}")]
    [InlineData("SN=,CA={1}")]
    [InlineData("SN=0x{0},CA={1}")]
    [InlineData("SN={0},CA=")]
    [InlineData("SN={0},CA=CN=Psd2 Sandbox QTSP Root CA")]
    public async Task A_malformed_keyId_is_refused(string format)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var keyId = string.Format(
            System.Globalization.CultureInfo.InvariantCulture, format, certificates.QsealC.SerialNumber, certificates.Ca.SubjectName.Name);

        AssertInvalid(_verifier.Verify(request.WithSignatureParameter("keyId", keyId), SigningCertificates.TppOrganizationId), "keyId");
    }

    [Fact]
    public async Task A_keyId_written_like_the_specification_example_is_accepted()
    {
        // The specification writes keyId="SN=9FA1,CA=CN=D-TRUST%20CA%202-1%202015,O=D-Trust%20GmbH,C=DE": lower or
        // upper case hex, leading zeros, commas without spaces and percent-encoded spaces all name the same certificate.
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var issuer = certificates.Ca.SubjectName.Name.Replace(", ", ",", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal);
        var keyId = $"SN=00{certificates.QsealC.SerialNumber.ToLowerInvariant()},CA={issuer}";

        Assert.Null(_verifier.Verify(request.WithSignatureParameter("keyId", keyId), SigningCertificates.TppOrganizationId));
    }

    [Fact]
    public async Task A_keyId_naming_the_issuer_in_the_reverse_order_is_accepted()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var reversed = string.Join(",", certificates.Ca.SubjectName.Name.Split(", ").Reverse());
        var keyId = $"SN={certificates.QsealC.SerialNumber},CA={reversed}";

        Assert.Null(_verifier.Verify(request.WithSignatureParameter("keyId", keyId), SigningCertificates.TppOrganizationId));
    }

    [Theory]
    [InlineData("SHA-512")]
    [InlineData("sha-256")]
    [InlineData("SHA-256 and SHA-512")]
    [InlineData("an unknown algorithm beside SHA-256")]
    public async Task Other_accepted_digest_forms_verify(string form)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var sha256 = Convert.ToBase64String(SHA256.HashData(request.Body.Span));
        var sha512 = Convert.ToBase64String(SHA512.HashData(request.Body.Span));
        var digest = form switch
        {
            "SHA-512" => "SHA-512=" + sha512,
            "sha-256" => "sha-256=" + sha256,
            "SHA-256 and SHA-512" => $"SHA-256={sha256}, SHA-512={sha512}",
            _ => $"MD5=AAAA, SHA-256={sha256}",
        };

        var resigned = request.WithHeader("Digest", digest).Resign(certificates.QsealC, "date digest x-request-id psu-id tpp-redirect-uri");

        Assert.Null(_verifier.Verify(resigned, SigningCertificates.TppOrganizationId));
    }

    [Theory]
    [InlineData("MD5=rL0Y20zC+Fzt72VPzMSk2A==")]
    [InlineData("SHA-256")]
    [InlineData("=abc")]
    [InlineData("SHA-256=not base64!")]
    [InlineData("SHA-256=")]
    [InlineData("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    public async Task A_digest_that_does_not_prove_the_body_is_refused(string digest)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        var resigned = request.WithHeader("Digest", digest).Resign(certificates.QsealC, "date digest x-request-id psu-id tpp-redirect-uri");

        AssertInvalid(_verifier.Verify(resigned, SigningCertificates.TppOrganizationId), "Digest");
    }

    [Fact]
    public async Task A_PEM_armoured_certificate_is_refused()
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

        AssertInvalid(
            _verifier.Verify(request.WithHeader("TPP-Signature-Certificate", certificates.QsealC.ExportCertificatePem()), SigningCertificates.TppOrganizationId),
            "TPP-Signature-Certificate is not");
    }

    [Theory]
    [InlineData("!!!!")]
    [InlineData("AAAA")]
    [InlineData("MIIB")]
    [InlineData("bm90IGEgY2VydGlmaWNhdGU=")]
    public async Task A_certificate_header_that_is_not_a_certificate_is_refused(string value)
    {
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);

        AssertInvalid(_verifier.Verify(request.WithHeader("TPP-Signature-Certificate", value), SigningCertificates.TppOrganizationId), "TPP-Signature-Certificate is not");
    }

    [Fact]
    public async Task A_certificate_other_than_the_signing_one_is_refused()
    {
        // Swapping in another valid certificate of the same TPP: the keyId still names the signing one.
        var request = await SignedRequests.SignAsync(SignedRequests.ConsentRequest(), certificates.QsealC);
        using var otherQsealC = CertificateFactory.IssueQsealC(certificates.Ca, SandboxCertificates.Tpp, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var swapped = request.WithHeader("TPP-Signature-Certificate", Convert.ToBase64String(otherQsealC.RawData));

        AssertInvalid(_verifier.Verify(swapped, SigningCertificates.TppOrganizationId), "keyId");
        var renamed = swapped.WithSignatureParameter("keyId", HttpMessageSigner.KeyId(otherQsealC));
        AssertInvalid(_verifier.Verify(renamed, SigningCertificates.TppOrganizationId), "does not verify");
    }

    private static void AssertInvalid(SignatureError? error, string reason)
    {
        Assert.NotNull(error);
        Assert.Equal(SignatureError.SignatureInvalid, error.Code);
        Assert.Contains(reason, error.Text, StringComparison.Ordinal);
    }
}
