using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using static Psd2.Core.Tests.Connectors.AnsweringBank;

namespace Psd2.Core.Tests.Connectors;

/// <summary>
/// The Berlin Group connector's consents, authorisations and tokens against answers written here: what it sends, how
/// the standard's vocabularies become the platform's states, and the QSealC signature on every Berlin Group call.
/// </summary>
public sealed partial class BerlinGroupConsentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly ConsentRequest Redirect = new(ConnectionAccess.All, new DateOnly(2027, 3, 7), 4, "https://platform.example/connect/callback", null);

    [Fact]
    public async Task ARedirectConsentAsksForEverythingOnAllAccountsAndKeepsItsLinks()
    {
        HttpRequestMessage? sent = null;
        var connector = Connector(request =>
        {
            sent = request;
            return Answer(HttpStatusCode.Created, """{"consentStatus":"received","consentId":"c-1","_links":{"scaOAuth":{"href":"https://bank.example/.well-known/oauth-authorization-server"}}}""");
        }, Now);

        var consent = await connector.CreateConsentAsync(Redirect, CancellationToken.None);

        Assert.Equal(new CreatedConsent("c-1", "https://bank.example/.well-known/oauth-authorization-server", null), consent);
        Assert.Equal((HttpMethod.Post, "/v1/consents"), (sent!.Method, sent.RequestUri!.AbsolutePath));
        Assert.Equal("https://platform.example/connect/callback", sent.Headers.GetValues("TPP-Redirect-URI").Single());
        using var body = JsonDocument.Parse(BodyOf(sent));
        Assert.Equal("allAccounts", body.RootElement.GetProperty("access").GetProperty("allPsd2").GetString());
        Assert.Equal("2027-03-07", body.RootElement.GetProperty("validUntil").GetString());
        Assert.Equal(4, body.RootElement.GetProperty("frequencyPerDay").GetInt32());
    }

    [Fact]
    public async Task ADecoupledConsentNamesThePsuAndAsksOnlyForWhatWasRequested()
    {
        HttpRequestMessage? sent = null;
        var connector = Connector(request =>
        {
            sent = request;
            return Answer(HttpStatusCode.Created, """{"consentId":"c-2","_links":{"scaStatus":{"href":"/v1/consents/c-2/authorisations/a-9"}}}""");
        }, Now);

        var consent = await connector.CreateConsentAsync(
            Redirect with { Access = [ConnectionAccess.Accounts, ConnectionAccess.Balances], RedirectUri = null, DecoupledPsuId = "199001011234" }, CancellationToken.None);

        Assert.Equal(new CreatedConsent("c-2", null, "/v1/consents/c-2/authorisations/a-9"), consent);
        Assert.Equal("199001011234", sent!.Headers.GetValues("PSU-ID").Single());
        Assert.Equal("true", sent.Headers.GetValues("TPP-Decoupled-Preferred").Single());
        Assert.False(sent.Headers.Contains("TPP-Redirect-URI"));
        using var body = JsonDocument.Parse(BodyOf(sent));
        Assert.Equal("allAccounts", body.RootElement.GetProperty("access").GetProperty("availableAccountsWithBalance").GetString());
    }

    [Fact]
    public async Task AConsentAnswerWithoutItsIdIsMalformedNotAPlatformError()
    {
        var connector = Connector(_ => Answer(HttpStatusCode.Created, """{"consentStatus":"received"}"""), Now);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.CreateConsentAsync(Redirect, CancellationToken.None));

        Assert.Equal((ConnectorFailure.Transient, "malformed_response"), (failure.Failure, failure.BankCode));
    }

    [Theory]
    [InlineData("received", ConsentState.Pending)]
    [InlineData("partiallyAuthorised", ConsentState.Pending)]
    [InlineData("valid", ConsentState.Valid)]
    [InlineData("expired", ConsentState.Expired)]
    [InlineData("revokedByPsu", ConsentState.RevokedByPsu)]
    [InlineData("terminatedByTpp", ConsentState.TerminatedByTpp)]
    [InlineData("rejected", ConsentState.Rejected)]
    [InlineData("somethingNew", ConsentState.Other)]
    public async Task EachConsentStatusOfTheStandardIsTheStateItMeans(string consentStatus, ConsentState expected)
    {
        var connector = Connector(_ => Answer(HttpStatusCode.OK, $$"""{"consentStatus":"{{consentStatus}}"}"""), Now);

        Assert.Equal(expected, await connector.GetConsentStateAsync(new ConsentHandle("c-1", null, null), CancellationToken.None));
    }

    [Fact]
    public async Task TheRedirectGoesToTheBanksAuthorizationEndpointWithPkceAndTheConsentsScope()
    {
        var connector = Connector(request => request.RequestUri!.AbsolutePath == "/.well-known/oauth-authorization-server"
            ? Answer(HttpStatusCode.OK, """{"issuer":"https://bank.example","authorization_endpoint":"https://psu.bank.example/oauth2/authorize","token_endpoint":"https://bank.example/oauth2/token"}""")
            : Answer(HttpStatusCode.NotFound, "{}"), Now);

        var redirect = await connector.AuthorisationRedirectAsync(
            new CreatedConsent("c-1", "https://bank.example/.well-known/oauth-authorization-server", null),
            new RedirectRequest("PSDSE-FINA-44059", "https://platform.example/connect/callback", "st/ate", "chal-lenge"), CancellationToken.None);

        Assert.Equal("https://bank.example/oauth2/token", redirect.TokenEndpoint);
        Assert.Equal(
            "https://psu.bank.example/oauth2/authorize?response_type=code&client_id=PSDSE-FINA-44059&redirect_uri=https%3A%2F%2Fplatform.example%2Fconnect%2Fcallback"
            + "&scope=AIS%3Ac-1&state=st%2Fate&code_challenge=chal-lenge&code_challenge_method=S256", redirect.Url);
    }

    [Fact]
    public async Task ABankThatOffersNoRedirectIsARefusal()
    {
        var connector = Connector(_ => throw new InvalidOperationException("no call expected"), Now);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.AuthorisationRedirectAsync(
            new CreatedConsent("c-1", null, "/v1/consents/c-1/authorisations/a-1"), new RedirectRequest("id", "https://x.example", "s", "c"), CancellationToken.None));

        Assert.Equal((ConnectorFailure.Refused, "sca_unsupported"), (failure.Failure, failure.BankCode));
    }

    [Theory]
    [InlineData("finalised", DecoupledState.Finalised)]
    [InlineData("failed", DecoupledState.Failed)]
    [InlineData("started", DecoupledState.Pending)]
    [InlineData("psuAuthenticated", DecoupledState.Pending)]
    [InlineData("exempted", DecoupledState.Unexpected)]
    public async Task EachScaStatusOfTheStandardIsTheDecoupledStateItMeans(string scaStatus, DecoupledState expected)
    {
        var connector = Connector(_ => Answer(HttpStatusCode.OK, $$"""{"scaStatus":"{{scaStatus}}"}"""), Now);

        Assert.Equal(new DecoupledPoll(expected, scaStatus, null), await connector.PollDecoupledAsync("/v1/consents/c-1/authorisations/a-1", CancellationToken.None));
    }

    [Fact]
    public async Task APollTheBankSaysCameTooSoonWaitsAsLongAsItAsks()
    {
        var connector = Connector(_ =>
        {
            var response = Answer(HttpStatusCode.TooManyRequests, "{}");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return response;
        }, Now);

        var poll = await connector.PollDecoupledAsync("/v1/consents/c-1/authorisations/a-1", CancellationToken.None);

        Assert.Equal(new DecoupledPoll(DecoupledState.Pending, null, TimeSpan.FromSeconds(3)), poll);
    }

    [Fact]
    public async Task DecoupledTokensUseTheCibaGrantWithTheAuthorisationId()
    {
        HttpRequestMessage? sent = null;
        var connector = Connector(request =>
        {
            sent = request;
            return Answer(HttpStatusCode.OK, """{"access_token":"at","refresh_token":"rt","expires_in":900,"scope":"AIS:c-1"}""");
        }, Now);

        var tokens = await connector.RequestDecoupledTokensAsync("c-1", "/v1/consents/c-1/authorisations/a-9", CancellationToken.None);

        Assert.Equal(new BankTokens("at", "rt", 900), tokens);
        Assert.Equal(TokenPath, sent!.RequestUri!.AbsolutePath);
        Assert.Equal("grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=a-9", Encoding.UTF8.GetString(BodyOf(sent)));
    }

    [Fact]
    public async Task TokensTheBankIssuedForAnotherConsentAreRefused()
    {
        var connector = Connector(_ => Answer(HttpStatusCode.OK, """{"access_token":"at","refresh_token":"rt","expires_in":900,"scope":"AIS:someone-else"}"""), Now);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() =>
            connector.ExchangeCodeAsync("c-1", "https://bank.example/oauth2/token", "code", "verifier", "https://platform.example/cb", CancellationToken.None));

        Assert.Equal((ConnectorFailure.Refused, "scope_mismatch"), (failure.Failure, failure.BankCode));
    }

    [Theory]
    [InlineData(400, """{"error":"invalid_grant"}""", ConnectorFailure.Refused, "invalid_grant")]
    [InlineData(401, """{"error":"invalid_client"}""", ConnectorFailure.Refused, "invalid_client")]
    [InlineData(503, "<html>down</html>", ConnectorFailure.Transient, "token_error")]
    public async Task ARefusedTokenRequestCarriesTheOAuthError(int status, string body, ConnectorFailure expected, string code)
    {
        var connector = Connector(_ => Answer((HttpStatusCode)status, body), Now);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.RefreshTokensAsync("c-1", "rt", CancellationToken.None));

        Assert.Equal((expected, code), (failure.Failure, failure.BankCode));
    }

    [Fact]
    public async Task WithASignerEveryBerlinGroupCallIsSignedWithTheQsealCAndTokenRequestsAreNot()
    {
        using var qsealC = SelfSignedSeal(Now);
        var sent = new List<HttpRequestMessage>();
        var connector = Connector(request =>
        {
            sent.Add(request);
            return request.RequestUri!.AbsolutePath switch
            {
                "/v1/consents" => Answer(HttpStatusCode.Created, """{"consentId":"c-1","_links":{"scaStatus":{"href":"/v1/consents/c-1/authorisations/a-1"}}}"""),
                "/v1/accounts" => Answer(HttpStatusCode.OK, """{"accounts":[]}"""),
                _ => Answer(HttpStatusCode.OK, """{"access_token":"at","refresh_token":"rt","expires_in":900}"""),
            };
        }, Now, new HttpMessageSigner(qsealC, new FixedTime(Now)));

        await connector.CreateConsentAsync(Redirect with { RedirectUri = null, DecoupledPsuId = "199001011234" }, CancellationToken.None);
        await connector.GetAccountsAsync(new ConnectorSession("c-1", "at", null, "r-1"), CancellationToken.None);
        await connector.RefreshTokensAsync("c-1", "rt", CancellationToken.None);

        var (consent, accounts, token) = (sent[0], sent[1], sent[2]);
        Assert.Equal("date digest x-request-id psu-id", SignedHeaders(consent));
        Assert.Equal("date digest x-request-id", SignedHeaders(accounts));
        Assert.True(Verifies(consent, qsealC));
        Assert.True(Verifies(accounts, qsealC));
        Assert.False(token.Headers.Contains("Signature"));
    }

    [Fact]
    public async Task EveryPageOfASignedTransactionListCarriesASignatureOfItsOwn()
    {
        using var qsealC = SelfSignedSeal(Now);
        var sent = new List<HttpRequestMessage>();
        var connector = Connector(request =>
        {
            sent.Add(request);
            var page = int.Parse(Regex.Match(request.RequestUri!.Query, "page=([0-9]+)") is { Success: true } m ? m.Groups[1].Value : "1", System.Globalization.CultureInfo.InvariantCulture);
            var next = page < 3 ? $$$""","_links":{"next":{"href":"/v1/accounts/a-1/transactions?page={{{page + 1}}}"}}""" : "";
            return Answer(HttpStatusCode.OK, $$$"""{"transactions":{"booked":[{"transactionId":"t{{{page}}}","transactionAmount":{"amount":"-1.00","currency":"SEK"},"bookingDate":"2026-12-01"}]{{{next}}}}}""");
        }, Now, new HttpMessageSigner(qsealC, new FixedTime(Now)));

        var ids = new List<string>();
        await foreach (var page in connector.GetTransactionsAsync(new ConnectorSession("c-1", "at", null, "r-1"), "a-1", new DateOnly(2026, 9, 1), CancellationToken.None))
        {
            ids.AddRange(page.Select(t => t.TransactionId));
        }

        Assert.Equal(["t1", "t2", "t3"], ids);
        Assert.All(sent, request => Assert.True(Verifies(request, qsealC)));
        Assert.Equal(3, sent.Select(r => r.Headers.GetValues("X-Request-ID").Single()).Distinct().Count());
    }

    [Fact]
    public async Task WithoutASignerNothingIsSigned()
    {
        HttpRequestMessage? sent = null;
        var connector = Connector(request =>
        {
            sent = request;
            return Answer(HttpStatusCode.OK, """{"accounts":[]}""");
        }, Now);

        await connector.GetAccountsAsync(new ConnectorSession("c-1", "at", null, "r-1"), CancellationToken.None);

        Assert.False(sent!.Headers.Contains("Signature") || sent.Headers.Contains("Digest") || sent.Headers.Contains("TPP-Signature-Certificate"));
    }

    private static string SignedHeaders(HttpRequestMessage request) => SignatureParameter(request, "headers");

    /// <summary>Rebuilds the signing string from the headers the signature names and checks it against the certificate in the request.</summary>
    private static bool Verifies(HttpRequestMessage request, X509Certificate2 expected)
    {
        var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(request.Headers.GetValues("TPP-Signature-Certificate").Single()));
        var body = BodyOf(request);
        var signingString = string.Join('\n', SignedHeaders(request).Split(' ').Select(name => $"{name}: {request.Headers.GetValues(name).Single()}"));
        using var key = certificate.GetRSAPublicKey()!;
        return certificate.Thumbprint == expected.Thumbprint
            && request.Headers.GetValues("Digest").Single() == "SHA-256=" + Convert.ToBase64String(SHA256.HashData(body))
            && key.VerifyData(Encoding.UTF8.GetBytes(signingString), Convert.FromBase64String(SignatureParameter(request, "signature")), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static string SignatureParameter(HttpRequestMessage request, string name) =>
        SignatureParameterPattern().Matches(request.Headers.GetValues("Signature").Single()).Single(m => m.Groups[1].Value == name).Groups[2].Value;

    [GeneratedRegex("([a-zA-Z]+)=\"([^\"]*)\"")]
    private static partial Regex SignatureParameterPattern();
}
