using System.Net;
using System.Text;
using System.Text.Json;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using static Psd2.Core.Tests.Connectors.AnsweringBank;

namespace Psd2.Core.Tests.Connectors;

/// <summary>
/// The STET connector against answers written here: no consent before the token, the consent put on the accounts
/// after it, the state read from the account list, termination by token revocation, STET's ErrorModel as the
/// platform's failures, and transactions normalised from unsigned amounts and credit/debit indicators.
/// </summary>
public sealed class StetConnectorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly ConnectorSession Unattended = new("aisp-bt-1", "access-token", null, "request-1");

    private const string Metadata = """
        {"issuer":"https://bank.example","authorization_endpoint":"https://psu.bank.example/oauth2/authorize","token_endpoint":"https://bank.example/oauth2/token",
         "revocation_endpoint":"https://bank.example/oauth2/revoke"}
        """;

    private const string Accounts = """
        {"accounts":[{"resourceId":"a-1","accountId":{"iban":"SE4550000000058398257466","currency":"SEK"},"name":"Salary account","cashAccountType":"CACC","currency":"SEK",
          "product":"Privatkonto","_links":{"balances":{"href":"/stet/psd2/v1/accounts/a-1/balances"}}}],"_links":{"self":{"href":"/stet/psd2/v1/accounts"}}}
        """;

    private static string ErrorModel(int status, string message) =>
        JsonSerializer.Serialize(new { timestamp = "2026-12-07T10:00:00Z", status, error = "Forbidden", message, path = "/stet/psd2/v1/accounts" });

    [Fact]
    public async Task ARedirectConsentMakesNoCallAndAsksForTheAispScopesWithPkce()
    {
        var sent = new List<HttpRequestMessage>();
        var connector = StetConnector(request =>
        {
            sent.Add(request);
            return Answer(HttpStatusCode.OK, Metadata);
        }, Now);

        var consent = await connector.CreateConsentAsync(
            new ConsentRequest([ConnectionAccess.Accounts, ConnectionAccess.Transactions], new DateOnly(2027, 3, 7), 4, "https://platform.example/cb", null), CancellationToken.None);
        Assert.Empty(sent);
        Assert.StartsWith("aisp-t-", consent.ConsentId, StringComparison.Ordinal);

        var redirect = await connector.AuthorisationRedirectAsync(consent, new RedirectRequest(ClientId, "https://platform.example/cb", "s-1", "challenge"), CancellationToken.None);
        Assert.Equal("/.well-known/oauth-authorization-server", sent.Single().RequestUri!.AbsolutePath);
        Assert.Equal("https://bank.example/oauth2/token", redirect.TokenEndpoint);
        Assert.Equal("https://psu.bank.example/oauth2/authorize?response_type=code&client_id=PSDGB-FCA-123456&redirect_uri=https%3A%2F%2Fplatform.example%2Fcb"
            + "&scope=aisp%20extended_transaction_history&state=s-1&code_challenge=challenge&code_challenge_method=S256", redirect.Url);
    }

    [Fact]
    public async Task ADecoupledConsentIsRefusedBeforeAnyCall()
    {
        var connector = StetConnector(_ => throw new InvalidOperationException("no call expected"), Now);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.CreateConsentAsync(
            new ConsentRequest([ConnectionAccess.Accounts], new DateOnly(2027, 3, 7), 4, null, "197503152386"), CancellationToken.None));

        Assert.Equal(("sca_unsupported", ConnectorFailure.Refused), (failure.BankCode, failure.Failure));
    }

    [Theory]
    [InlineData("aisp-bt-1", true, true)]
    [InlineData("aisp-t-1", false, true)]
    [InlineData("aisp--1", false, false)]
    public async Task AfterTheCodeTheConsentIsPutOnEveryListedAccountForWhatItOpens(string consentId, bool balances, bool transactions)
    {
        var sent = new List<HttpRequestMessage>();
        var connector = StetConnector(request =>
        {
            sent.Add(request);
            return request.RequestUri!.AbsolutePath switch
            {
                TokenPath => Answer(HttpStatusCode.OK, """{"access_token":"at","refresh_token":"rt","token_type":"Bearer","expires_in":3600,"scope":"aisp extended_transaction_history"}"""),
                "/stet/psd2/v1/accounts" => Answer(HttpStatusCode.OK, Accounts),
                _ => new HttpResponseMessage(HttpStatusCode.Created),
            };
        }, Now);

        var tokens = await connector.ExchangeCodeAsync(consentId, TokenPath, "code-1", new string('v', 43), "https://platform.example/cb", CancellationToken.None);

        Assert.Equal(new BankTokens("at", "rt", 3600), tokens);
        Assert.Equal(["POST /oauth2/token", "GET /stet/psd2/v1/accounts", "PUT /stet/psd2/v1/consents"], sent.Select(r => $"{r.Method} {r.RequestUri!.AbsolutePath}"));
        Assert.All(sent.Skip(1), r => Assert.Equal("Bearer at", r.Headers.Authorization!.ToString()));
        Assert.All(sent.Skip(1), r => Assert.True(Guid.TryParse(r.Headers.GetValues("X-Request-ID").Single(), out _)));
        using var body = JsonDocument.Parse(BodyOf(sent[2]));
        var iban = """[{"iban":"SE4550000000058398257466","currency":"SEK"}]""";
        Assert.Equal(balances ? iban : "[]", body.RootElement.GetProperty("balances").GetRawText());
        Assert.Equal(transactions ? iban : "[]", body.RootElement.GetProperty("transactions").GetRawText());
        Assert.False(body.RootElement.GetProperty("psuIdentity").GetBoolean());
    }

    [Theory]
    [InlineData(200, "", ConsentState.Valid)]
    [InlineData(403, "consent revoked by the PSU", ConsentState.RevokedByPsu)]
    [InlineData(403, "consent expired", ConsentState.Expired)]
    [InlineData(403, "consent terminated by the TPP", ConsentState.TerminatedByTpp)]
    public async Task TheConsentStateIsTheAccountListsAnswer(int status, string message, ConsentState expected)
    {
        var connector = StetConnector(_ => Answer((HttpStatusCode)status, status == 200 ? Accounts : ErrorModel(status, message)), Now);

        Assert.Equal(expected, await connector.GetConsentStateAsync(new ConsentHandle("aisp-bt-1", "at", "rt"), CancellationToken.None));
    }

    [Fact]
    public async Task AConsentNeverAuthorisedIsPendingWithoutAsking()
    {
        var connector = StetConnector(_ => throw new InvalidOperationException("no call expected"), Now);

        Assert.Equal(ConsentState.Pending, await connector.GetConsentStateAsync(new ConsentHandle("aisp-bt-1", null, null), CancellationToken.None));
        await connector.TerminateConsentAsync(new ConsentHandle("aisp-bt-1", null, null), CancellationToken.None);
    }

    [Fact]
    public async Task TerminatingRevokesTheRefreshTokenAtTheRevocationEndpoint()
    {
        var sent = new List<HttpRequestMessage>();
        var connector = StetConnector(request =>
        {
            sent.Add(request);
            return request.RequestUri!.AbsolutePath.StartsWith("/.well-known", StringComparison.Ordinal)
                ? Answer(HttpStatusCode.OK, Metadata)
                : new HttpResponseMessage(HttpStatusCode.OK);
        }, Now);

        await connector.TerminateConsentAsync(new ConsentHandle("aisp-bt-1", "at", "rt"), CancellationToken.None);

        Assert.Equal("https://bank.example/oauth2/revoke", sent[1].RequestUri!.ToString());
        Assert.Equal($"token=rt&token_type_hint=refresh_token&client_id={ClientId}", Encoding.UTF8.GetString(BodyOf(sent[1])));
    }

    [Theory]
    [InlineData(401, "access token expired", ConnectorFailure.TokenExpired)]
    [InlineData(403, "consent expired", ConnectorFailure.ConsentExpired)]
    [InlineData(403, "consent revoked by the PSU", ConnectorFailure.ConsentInvalid)]
    [InlineData(429, "unattended access limit reached", ConnectorFailure.AccessExceeded)]
    [InlineData(503, "service unavailable", ConnectorFailure.Transient)]
    [InlineData(400, "dateFrom is not a date", ConnectorFailure.Refused)]
    public async Task EachErrorModelIsThePlatformsFailure(int status, string message, ConnectorFailure expected)
    {
        var connector = StetConnector(_ => Answer((HttpStatusCode)status, ErrorModel(status, message)), Now);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.GetBalancesAsync(Unattended, "a-1", CancellationToken.None));

        Assert.Equal(expected, failure.Failure);
        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransactionsAreSignedByTheirIndicatorAndFollowedPageByPage()
    {
        var sent = new List<HttpRequestMessage>();
        var connector = StetConnector(request =>
        {
            sent.Add(request);
            return Answer(HttpStatusCode.OK, sent.Count == 1
                ? """
                  {"transactions":[
                    {"resourceId":"t-2","entryReference":"e-2","transactionAmount":{"currency":"SEK","amount":"120.50"},"creditDebitIndicator":"DBIT","status":"PDNG",
                     "bookingDate":"2026-12-08","valueDate":"2026-12-08","remittanceInformation":["Coffee"],"relatedParties":{"creditor":{"name":"Café Ankaret"}}},
                    {"resourceId":"t-1","entryReference":"e-1","transactionAmount":{"currency":"SEK","amount":"25000"},"creditDebitIndicator":"CRDT","status":"BOOK",
                     "bookingDate":"2026-11-25","valueDate":"2026-11-25","remittanceInformation":{"unstructured":["Salary"]},
                     "relatedParties":{"debtor":{"name":"Acme AB"},"debtorAccount":{"iban":"SE3550000000054910000003"}}}],
                   "_links":{"self":{"href":"/stet/psd2/v1/accounts/a-1/transactions"},"next":{"href":"https://bank.example/stet/psd2/v1/accounts/a-1/transactions?dateFrom=2026-11-01&page=k2"}}}
                  """
                : """{"transactions":[],"_links":{"self":{"href":"/stet/psd2/v1/accounts/a-1/transactions?page=k2"}}}""");
        }, Now);

        var pages = new List<IReadOnlyList<ConnectorTransaction>>();
        await foreach (var page in connector.GetTransactionsAsync(Unattended, "a-1", new DateOnly(2026, 11, 1), CancellationToken.None))
        {
            pages.Add(page);
        }

        Assert.Equal(["/stet/psd2/v1/accounts/a-1/transactions?dateFrom=2026-11-01", "/stet/psd2/v1/accounts/a-1/transactions?dateFrom=2026-11-01&page=k2"],
            sent.Select(r => r.RequestUri!.PathAndQuery));
        var (pending, booked) = (pages[0][0], pages[0][1]);
        Assert.Equal(("t-2", false, -120.50m, "SEK", (DateOnly?)null, "Café Ankaret", "Coffee"),
            (pending.TransactionId, pending.Booked, pending.Amount, pending.Currency, pending.BookingDate, pending.CounterpartyName, pending.Remittance));
        Assert.Equal(("t-1", true, 25000m, new DateOnly(2026, 11, 25), "Acme AB", "SE3550000000054910000003", "Salary"),
            (booked.TransactionId, booked.Booked, booked.Amount, booked.BookingDate, booked.CounterpartyName, booked.CounterpartyIban, booked.Remittance));
        Assert.Empty(pages[1]);
        Assert.All(sent, r => Assert.False(r.Headers.Contains("PSU-IP-Address")));
    }
}
