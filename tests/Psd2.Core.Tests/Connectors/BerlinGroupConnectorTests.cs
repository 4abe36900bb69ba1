using System.Net;
using Psd2.Core.Connectors;
using Psd2.Core.Connectors.BerlinGroup;
using static Psd2.Core.Tests.Connectors.AnsweringBank;

namespace Psd2.Core.Tests.Connectors;

/// <summary>
/// The Berlin Group connector against answers written here: each error of the standard mapped to the platform's
/// failure, pages followed through <c>_links.next</c>, and a transaction's counterparty taken from the right side.
/// </summary>
public sealed class BerlinGroupConnectorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly ConnectorSession Session = new("consent-1", "access-token", "192.0.2.10", "request-1");

    [Theory]
    [InlineData(401, "CONSENT_EXPIRED", ConnectorFailure.ConsentExpired)]
    [InlineData(401, "CONSENT_INVALID", ConnectorFailure.ConsentInvalid)]
    [InlineData(403, "CONSENT_UNKNOWN", ConnectorFailure.ConsentInvalid)]
    [InlineData(401, "TOKEN_EXPIRED", ConnectorFailure.TokenExpired)]
    [InlineData(401, "TOKEN_INVALID", ConnectorFailure.TokenExpired)]
    [InlineData(400, "FORMAT_ERROR", ConnectorFailure.Refused)]
    [InlineData(404, "RESOURCE_UNKNOWN", ConnectorFailure.Refused)]
    [InlineData(500, "INTERNAL_SERVER_ERROR", ConnectorFailure.Transient)]
    [InlineData(503, "SERVICE_UNAVAILABLE", ConnectorFailure.Transient)]
    [InlineData(429, null, ConnectorFailure.Transient)]
    [InlineData(502, null, ConnectorFailure.Transient)]
    public async Task EachErrorOfTheStandardIsTheFailureItMeans(int status, string? code, ConnectorFailure expected)
    {
        var body = code is null ? "<html>bad gateway</html>" : $$"""{"tppMessages":[{"category":"ERROR","code":"{{code}}","text":"no"}]}""";
        var connector = Connector(_ => Answer((HttpStatusCode)status, body));

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.GetAccountsAsync(Session, CancellationToken.None));

        Assert.Equal(expected, failure.Failure);
        Assert.Equal(code ?? status.ToString(), failure.BankCode);
        Assert.Null(failure.NextAllowedAt);
    }

    [Fact]
    public async Task ASpentDailyBudgetSaysWhenTheNextReadIsAllowed()
    {
        var connector = Connector(_ =>
        {
            var response = Answer(HttpStatusCode.TooManyRequests, """{"tppMessages":[{"category":"ERROR","code":"ACCESS_EXCEEDED"}]}""");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMinutes(90));
            return response;
        });

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => connector.GetAccountsAsync(Session, CancellationToken.None));

        Assert.Equal(ConnectorFailure.AccessExceeded, failure.Failure);
        Assert.Equal(Now.AddMinutes(90), failure.NextAllowedAt);
    }

    [Fact]
    public async Task MalformedJsonAndAnUnreachableBankAreTransient()
    {
        var malformed = await Assert.ThrowsAsync<ConnectorException>(() =>
            Connector(_ => Answer(HttpStatusCode.OK, "{\"accounts\": [")).GetAccountsAsync(Session, CancellationToken.None));
        var unreachable = await Assert.ThrowsAsync<ConnectorException>(() =>
            Connector(_ => throw new HttpRequestException("connection refused")).GetAccountsAsync(Session, CancellationToken.None));

        Assert.Equal((ConnectorFailure.Transient, "malformed_response"), (malformed.Failure, malformed.BankCode));
        Assert.Equal((ConnectorFailure.Transient, "unreachable"), (unreachable.Failure, unreachable.BankCode));
    }

    [Fact]
    public async Task PagesAreFollowedThroughTheirNextLinkWithTheSessionsHeaders()
    {
        var requests = new List<HttpRequestMessage>();
        var connector = Connector(request =>
        {
            requests.Add(request);
            return Answer(HttpStatusCode.OK, request.RequestUri!.Query.Contains("page=2", StringComparison.Ordinal)
                ? """{"transactions":{"booked":[],"pending":[{"transactionId":"p1","transactionAmount":{"amount":"-5.00","currency":"SEK"},"valueDate":"2026-12-07","creditorName":"Kiosk"}]}}"""
                : """
                  {"transactions":{"booked":[
                    {"transactionId":"b1","entryReference":"E1","transactionAmount":{"amount":"-12.50","currency":"SEK"},"bookingDate":"2026-12-01","valueDate":"2026-12-01",
                     "creditorName":"Shop AB","creditorAccount":{"iban":"SE3550000000054910000003"},"debtorName":"Me","remittanceInformationUnstructured":"groceries"},
                    {"transactionId":"b2","transactionAmount":{"amount":"1000","currency":"SEK"},"bookingDate":"2026-12-02","debtorName":"Employer AB",
                     "debtorAccount":{"iban":"SE7280000810340009783242"},"creditorName":"Me"}],
                   "_links":{"next":{"href":"/v1/accounts/acc-1/transactions?bookingStatus=both&page=2"}}}}
                  """);
        });

        var pages = new List<IReadOnlyList<ConnectorTransaction>>();
        await foreach (var page in connector.GetTransactionsAsync(Session, "acc-1", new DateOnly(2026, 9, 1), CancellationToken.None))
        {
            pages.Add(page);
        }

        Assert.Equal(2, pages.Count);
        var (paid, received, pending) = (pages[0][0], pages[0][1], pages[1][0]);
        Assert.Equal(("b1", "E1", true, -12.50m, "Shop AB", "SE3550000000054910000003", "groceries"),
            (paid.TransactionId, paid.EntryReference, paid.Booked, paid.Amount, paid.CounterpartyName, paid.CounterpartyIban, paid.Remittance));
        Assert.Equal((1000m, "Employer AB", "SE7280000810340009783242", (DateOnly?)null), (received.Amount, received.CounterpartyName, received.CounterpartyIban, received.ValueDate));
        Assert.Equal(("p1", false, "Kiosk"), (pending.TransactionId, pending.Booked, pending.CounterpartyName));
        Assert.Equal("Shop AB", System.Text.Json.JsonDocument.Parse(paid.Raw).RootElement.GetProperty("creditorName").GetString());

        Assert.Equal("/v1/accounts/acc-1/transactions?bookingStatus=both&dateFrom=2026-09-01", requests[0].RequestUri!.PathAndQuery);
        Assert.All(requests, request =>
        {
            Assert.Equal("consent-1", request.Headers.GetValues("Consent-ID").Single());
            Assert.Equal("Bearer access-token", request.Headers.Authorization!.ToString());
            Assert.Equal("192.0.2.10", request.Headers.GetValues("PSU-IP-Address").Single());
            Assert.True(Guid.TryParse(request.Headers.GetValues("X-Request-ID").Single(), out _));
        });
        Assert.NotEqual(requests[0].Headers.GetValues("X-Request-ID").Single(), requests[1].Headers.GetValues("X-Request-ID").Single());
    }

    [Fact]
    public async Task AnUnattendedReadSendsNoPsuIpAddress()
    {
        HttpRequestMessage? sent = null;
        var connector = Connector(request =>
        {
            sent = request;
            return Answer(HttpStatusCode.OK, """{"accounts":[{"resourceId":"acc-1","iban":"SE4550000000058398257466","currency":"SEK","name":"Main"}]}""");
        });

        var accounts = await connector.GetAccountsAsync(Session with { PsuIpAddress = null }, CancellationToken.None);

        Assert.Equal(new ConnectorAccount("acc-1", "SE4550000000058398257466", "SEK", "Main", null, null), Assert.Single(accounts));
        Assert.False(sent!.Headers.Contains("PSU-IP-Address"));
    }

    private static BerlinGroupConnector Connector(Func<HttpRequestMessage, HttpResponseMessage> answer) => AnsweringBank.Connector(answer, Now);
}
