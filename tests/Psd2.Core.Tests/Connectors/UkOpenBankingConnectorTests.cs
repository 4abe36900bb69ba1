using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using static Psd2.Core.Tests.Connectors.AnsweringBank;

namespace Psd2.Core.Tests.Connectors;

/// <summary>
/// The UK Open Banking connector against answers written here: consents under a client-credentials token, the signed
/// request object of the redirect, the standard's errors as the platform's failures, and transactions normalised from
/// unsigned amounts and credit/debit indicators.
/// </summary>
public sealed class UkOpenBankingConnectorTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly ConnectorSession Present = new("c-1", "access-token", "192.0.2.10", "request-1");
    private const string ClientToken = """{"access_token":"cc-token","token_type":"Bearer","expires_in":600,"scope":"accounts"}""";
    private readonly X509Certificate2 _seal = SelfSignedSeal(Now);

    [Fact]
    public async Task AConsentIsCreatedWithAClientCredentialsTokenForThePermissionsTheAccessNeeds()
    {
        var sent = new List<HttpRequestMessage>();
        var connector = UkConnector(request =>
        {
            sent.Add(request);
            return request.RequestUri!.AbsolutePath == TokenPath
                ? Answer(HttpStatusCode.OK, ClientToken)
                : Answer(HttpStatusCode.Created, """{"Data":{"ConsentId":"urn-c-1","Status":"AWAU","CreationDateTime":"2026-12-07T10:00:00+00:00","StatusUpdateDateTime":"2026-12-07T10:00:00+00:00","Permissions":["ReadAccountsDetail"]},"Risk":{}}""");
        }, Now, _seal);

        var consent = await connector.CreateConsentAsync(
            new ConsentRequest([ConnectionAccess.Accounts, ConnectionAccess.Balances], new DateOnly(2027, 3, 7), 4, "https://platform.example/cb", null), CancellationToken.None);

        Assert.Equal(new CreatedConsent("urn-c-1", "/.well-known/openid-configuration", null), consent);
        Assert.Equal($"grant_type=client_credentials&scope=accounts&client_id={ClientId}", Encoding.UTF8.GetString(BodyOf(sent[0])));
        Assert.Equal(("/open-banking/v4.0/aisp/account-access-consents", "Bearer cc-token"), (sent[1].RequestUri!.AbsolutePath, sent[1].Headers.Authorization!.ToString()));
        using var body = JsonDocument.Parse(BodyOf(sent[1]));
        Assert.Equal(["ReadAccountsDetail", "ReadBalances"], body.RootElement.GetProperty("Data").GetProperty("Permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("2027-03-07T23:59:59+00:00", body.RootElement.GetProperty("Data").GetProperty("ExpirationDateTime").GetString());
        Assert.True(Guid.TryParse(sent[1].Headers.GetValues("x-fapi-interaction-id").Single(), out _));
    }

    [Theory]
    [InlineData("AWAU", ConsentState.Pending)]
    [InlineData("AUTH", ConsentState.Valid)]
    [InlineData("RJCT", ConsentState.Rejected)]
    [InlineData("EXPD", ConsentState.Expired)]
    [InlineData("CANC", ConsentState.RevokedByPsu)]
    [InlineData("WHAT", ConsentState.Other)]
    public async Task EachConsentStatusCodeIsTheStateItMeans(string status, ConsentState expected)
    {
        var connector = UkConnector(request => request.RequestUri!.AbsolutePath == TokenPath
            ? Answer(HttpStatusCode.OK, ClientToken)
            : Answer(HttpStatusCode.OK, $$$"""{"Data":{"ConsentId":"c-1","Status":"{{{status}}}"},"Risk":{}}"""), Now, _seal);

        Assert.Equal(expected, await connector.GetConsentStateAsync(new ConsentHandle("c-1", null, null), CancellationToken.None));
    }

    [Fact]
    public async Task TheRedirectCarriesARequestObjectSignedWithTheSealNamingTheConsent()
    {
        var connector = UkConnector(_ => Answer(HttpStatusCode.OK,
            """{"issuer":"https://bank.example","authorization_endpoint":"https://psu.bank.example/oauth2/authorize","token_endpoint":"https://bank.example/oauth2/token"}"""), Now, _seal);

        var redirect = await connector.AuthorisationRedirectAsync(new CreatedConsent("urn-c-1", "/.well-known/openid-configuration", null),
            new RedirectRequest(ClientId, "https://platform.example/cb", "state-1", "challenge-1"), CancellationToken.None);

        Assert.Equal("https://bank.example/oauth2/token", redirect.TokenEndpoint);
        var url = new Uri(redirect.Url);
        Assert.Equal("https://psu.bank.example/oauth2/authorize", url.GetLeftPart(UriPartial.Path));
        var query = url.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal(("code", ClientId, "openid accounts", "state-1", "S256"), (query["response_type"], query["client_id"], query["scope"], query["state"], query["code_challenge_method"]));

        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(query["request"], new TokenValidationParameters
        {
            IssuerSigningKey = new X509SecurityKey(X509CertificateLoader.LoadCertificate(_seal.RawData)),
            ValidIssuer = ClientId,
            ValidAudience = "https://bank.example",
            ValidAlgorithms = [SecurityAlgorithms.RsaSsaPssSha256],
            ValidTypes = ["oauth-authz-req+jwt"],
            LifetimeValidator = (notBefore, expires, _, _) => notBefore == Now.UtcDateTime && expires <= Now.UtcDateTime.AddMinutes(60),
        });
        Assert.True(validated.IsValid, validated.Exception?.Message);
        var token = (JsonWebToken)validated.SecurityToken;
        Assert.Equal(Convert.ToBase64String(_seal.RawData), JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedHeader)).RootElement.GetProperty("x5c")[0].GetString());
        Assert.Equal(("https://platform.example/cb", "state-1", "challenge-1", query["nonce"]),
            (token.GetClaim("redirect_uri").Value, token.GetClaim("state").Value, token.GetClaim("code_challenge").Value, token.GetClaim("nonce").Value));
        using var claims = JsonDocument.Parse(token.GetClaim("claims").Value);
        Assert.Equal("urn-c-1", claims.RootElement.GetProperty("id_token").GetProperty("openbanking_intent_id").GetProperty("value").GetString());
    }

    [Fact]
    public async Task ADecoupledConsentIsRefusedBeforeAnythingIsSent()
    {
        var connector = UkConnector(_ => throw new InvalidOperationException("no call expected"), Now, _seal);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.CreateConsentAsync(
            new ConsentRequest(ConnectionAccess.All, new DateOnly(2027, 3, 7), 4, null, "199001011234"), CancellationToken.None));

        Assert.Equal((ConnectorFailure.Refused, "sca_unsupported"), (failure.Failure, failure.BankCode));
    }

    [Theory]
    [InlineData(401, "", true, ConnectorFailure.TokenExpired, "401")]
    [InlineData(403, """{"Code":"403 Forbidden","Id":"e-1","Message":"Consent revoked","Errors":[{"ErrorCode":"AG01","Message":"The consent is not authorised"}]}""", true, ConnectorFailure.ConsentInvalid, "AG01")]
    [InlineData(429, "", false, ConnectorFailure.AccessExceeded, "429")]
    [InlineData(429, "", true, ConnectorFailure.Transient, "429")]
    [InlineData(500, """{"Code":"500","Message":"x","Errors":[{"ErrorCode":"NARR","Message":"boom"}]}""", true, ConnectorFailure.Transient, "NARR")]
    [InlineData(400, """{"Code":"400","Message":"x","Errors":[{"ErrorCode":"FF01","Message":"bad date","Path":"fromBookingDateTime"}]}""", true, ConnectorFailure.Refused, "FF01")]
    public async Task EachErrorOfTheStandardIsTheFailureItMeans(int status, string body, bool present, ConnectorFailure expected, string code)
    {
        var connector = UkConnector(_ =>
        {
            var response = Answer((HttpStatusCode)status, body);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(3));
            return response;
        }, Now, _seal);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.GetAccountsAsync(present ? Present : Present with { PsuIpAddress = null }, CancellationToken.None));

        Assert.Equal((expected, code), (failure.Failure, failure.BankCode));
        Assert.Equal(expected == ConnectorFailure.AccessExceeded ? Now.AddHours(3) : null, failure.NextAllowedAt);
    }

    [Fact]
    public async Task TransactionsAreSignedByTheirIndicatorAndPagesFollowedThroughLinksNext()
    {
        var sent = new List<HttpRequestMessage>();
        var connector = UkConnector(request =>
        {
            sent.Add(request);
            return Answer(HttpStatusCode.OK, request.RequestUri!.Query.Contains("page=2", StringComparison.Ordinal)
                ? """{"Data":{"Transaction":[{"AccountId":"a-1","TransactionId":"p1","TransactionReference":"E9","Status":"PDNG","CreditDebitIndicator":"Debit","BookingDateTime":"2026-12-07T09:00:00+00:00","Amount":{"Amount":"5.00","Currency":"GBP"},"CreditorAccount":{"SchemeName":"UK.OBIE.SortCodeAccountNumber","Identification":"11223344556677","Name":"Kiosk"}}]},"Links":{"Self":"https://bank.example/x"},"Meta":{"TotalPages":2}}"""
                : """
                  {"Data":{"Transaction":[
                    {"AccountId":"a-1","TransactionId":"b1","TransactionReference":"E1","Status":"BOOK","CreditDebitIndicator":"Debit","BookingDateTime":"2026-12-01T00:00:00+00:00","ValueDateTime":"2026-12-02T00:00:00+00:00",
                     "Amount":{"Amount":"12.50","Currency":"GBP"},"TransactionInformation":"groceries","BankTransactionCode":{"Code":"PMNT","SubCode":"CCRD"},
                     "CreditorAccount":{"SchemeName":"UK.OBIE.IBAN","Identification":"GB33BUKB20201555555555","Name":"Shop Ltd"}},
                    {"AccountId":"a-1","TransactionId":"b2","Status":"BOOK","CreditDebitIndicator":"Credit","BookingDateTime":"2026-12-02T00:00:00+00:00",
                     "Amount":{"Amount":"1000.00","Currency":"GBP"},"DebtorAccount":{"SchemeName":"UK.OBIE.IBAN","Identification":"GB94BARC10201530093459","Name":"Employer Ltd"}}]},
                   "Links":{"Self":"https://bank.example/x","Next":"https://bank.example/open-banking/v4.0/aisp/accounts/a-1/transactions?page=2"},"Meta":{"TotalPages":2}}
                  """);
        }, Now, _seal);

        var pages = new List<IReadOnlyList<ConnectorTransaction>>();
        await foreach (var page in connector.GetTransactionsAsync(Present, "a-1", new DateOnly(2026, 9, 1), CancellationToken.None))
        {
            pages.Add(page);
        }

        var (paid, received, pending) = (pages[0][0], pages[0][1], pages[1][0]);
        Assert.Equal(("b1", "E1", true, -12.50m, "GBP", new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 2)),
            (paid.TransactionId, paid.EntryReference, paid.Booked, paid.Amount, paid.Currency, paid.BookingDate, paid.ValueDate));
        Assert.Equal(("Shop Ltd", "GB33BUKB20201555555555", "groceries", "PMNT-CCRD"), (paid.CounterpartyName, paid.CounterpartyIban, paid.Remittance, paid.BankTransactionCode));
        Assert.Equal((1000m, "Employer Ltd", "GB94BARC10201530093459"), (received.Amount, received.CounterpartyName, received.CounterpartyIban));
        Assert.Equal(("p1", false, -5.00m, "Kiosk", (string?)null), (pending.TransactionId, pending.Booked, pending.Amount, pending.CounterpartyName, pending.CounterpartyIban));

        Assert.Equal("/open-banking/v4.0/aisp/accounts/a-1/transactions?fromBookingDateTime=2026-09-01T00:00:00", sent[0].RequestUri!.PathAndQuery);
        Assert.All(sent, request =>
        {
            Assert.Equal("Bearer access-token", request.Headers.Authorization!.ToString());
            Assert.Equal("192.0.2.10", request.Headers.GetValues("x-fapi-customer-ip-address").Single());
        });
        Assert.NotEqual(sent[0].Headers.GetValues("x-fapi-interaction-id").Single(), sent[1].Headers.GetValues("x-fapi-interaction-id").Single());
    }

    [Fact]
    public async Task BalancesAreSignedAndNamedAsThePlatformNamesThem()
    {
        var connector = UkConnector(_ => Answer(HttpStatusCode.OK, """
            {"Data":{"Balance":[{"AccountId":"a-1","CreditDebitIndicator":"Debit","Type":"CLBD","DateTime":"2026-12-06T23:59:59+00:00","Amount":{"Amount":"20.00","Currency":"GBP"}},
                                {"AccountId":"a-1","CreditDebitIndicator":"Credit","Type":"ITAV","DateTime":"2026-12-07T10:00:00+00:00","Amount":{"Amount":"480.00","Currency":"GBP"}}]},"Links":{"Self":"x"}}
            """), Now, _seal);

        var balances = await connector.GetBalancesAsync(Present, "a-1", CancellationToken.None);

        Assert.Equal([new ConnectorBalance("closingBooked", -20m, "GBP", new DateOnly(2026, 12, 6)), new ConnectorBalance("interimAvailable", 480m, "GBP", new DateOnly(2026, 12, 7))], balances);
    }

    [Fact]
    public async Task DeletingAConsentTheBankNoLongerKnowsIsAnInvalidConsent()
    {
        var connector = UkConnector(request => request.RequestUri!.AbsolutePath == TokenPath
            ? Answer(HttpStatusCode.OK, ClientToken)
            : Answer(HttpStatusCode.NotFound, ""), Now, _seal);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.TerminateConsentAsync(new ConsentHandle("gone", null, null), CancellationToken.None));

        Assert.Equal(ConnectorFailure.ConsentInvalid, failure.Failure);
    }

    public void Dispose() => _seal.Dispose();
}
