using System.Net;
using System.Text.Json;
using Psd2.Core.Connectors;
using static Psd2.Core.Tests.Connectors.AnsweringBank;

namespace Psd2.Core.Tests.Connectors;

/// <summary>Payment initiation through the Berlin Group connector, against answers written here.</summary>
public sealed class BerlinGroupPaymentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid RequestId = Guid.Parse("8a3e1b7c-5a47-4e0b-9a51-0e6a4c1b2f10");

    private static PaymentOrder Order(string? psuId = null) => new(
        "sepa-credit-transfers", RequestId, "SE4550000000058398257466", "Elektrobolaget AB", "SE3550000000054910000003", 1250.5m, "SEK",
        "Invoice 1234", null, "192.0.2.10", psuId is null ? "https://platform.example/connect/payment-callback" : null, psuId);

    [Fact]
    public async Task TheInitiationCarriesThePaymentsOwnRequestIdEveryTime()
    {
        var sent = new List<HttpRequestMessage>();
        var connector = Connector(request =>
        {
            sent.Add(request);
            return Answer(HttpStatusCode.Created, """
                {"transactionStatus":"RCVD","paymentId":"p-1","_links":{"scaOAuth":{"href":"https://psu.bank.example/.well-known/oauth-authorization-server"},"self":{"href":"/v1/payments/sepa-credit-transfers/p-1"}}}
                """);
        }, Now);

        var first = await connector.InitiatePaymentAsync(Order(), CancellationToken.None);
        var again = await connector.InitiatePaymentAsync(Order(), CancellationToken.None);

        Assert.Equal(first, again);
        Assert.Equal(new InitiatedPayment("p-1", "sepa-credit-transfers", new PaymentState(PaymentProgress.Received, "RCVD"),
            "https://psu.bank.example/.well-known/oauth-authorization-server", null), first);
        Assert.All(sent, r => Assert.Equal(RequestId.ToString(), r.Headers.GetValues("X-Request-ID").Single()));
        Assert.Equal("/v1/payments/sepa-credit-transfers", sent[0].RequestUri!.AbsolutePath);
        Assert.Equal(("192.0.2.10", "https://platform.example/connect/payment-callback"),
            (sent[0].Headers.GetValues("PSU-IP-Address").Single(), sent[0].Headers.GetValues("TPP-Redirect-URI").Single()));
        using var body = JsonDocument.Parse(BodyOf(sent[0]));
        Assert.Equal("""{"currency":"SEK","amount":"1250.50"}""", body.RootElement.GetProperty("instructedAmount").GetRawText());
        Assert.False(body.RootElement.TryGetProperty("requestedExecutionDate", out _));
    }

    [Fact]
    public async Task ADecoupledInitiationNamesThePsu()
    {
        HttpRequestMessage? sent = null;
        var connector = Connector(request =>
        {
            sent = request;
            return Answer(HttpStatusCode.Created, """{"transactionStatus":"RCVD","paymentId":"p-2","_links":{"scaStatus":{"href":"/v1/payments/sepa-credit-transfers/p-2/authorisations/a-1"}}}""");
        }, Now);

        var initiated = await connector.InitiatePaymentAsync(Order("197503152386"), CancellationToken.None);

        Assert.Equal("/v1/payments/sepa-credit-transfers/p-2/authorisations/a-1", initiated.DecoupledStatus);
        Assert.Equal(("197503152386", "true"), (sent!.Headers.GetValues("PSU-ID").Single(), sent.Headers.GetValues("TPP-Decoupled-Preferred").Single()));
        Assert.False(sent.Headers.Contains("TPP-Redirect-URI"));
    }

    [Theory]
    [InlineData("""{"transactionStatus":"ACSC"}""", PaymentProgress.Executed, null)]
    [InlineData("""{"transactionStatus":"ACCP"}""", PaymentProgress.Accepted, null)]
    [InlineData("""{"transactionStatus":"CANC"}""", PaymentProgress.Cancelled, null)]
    [InlineData("""{"transactionStatus":"RJCT","tppMessages":[{"category":"WARNING","code":"WARNING","text":"AM04 insufficient funds"}]}""", PaymentProgress.Rejected, "insufficient_funds")]
    [InlineData("""{"transactionStatus":"RJCT","psuMessage":"AM04"}""", PaymentProgress.Rejected, "insufficient_funds")]
    [InlineData("""{"transactionStatus":"RJCT","tppMessages":[{"category":"ERROR","code":"AM04"}],"fundsAvailable":false}""", PaymentProgress.Rejected, "insufficient_funds")]
    [InlineData("""{"transactionStatus":"RJCT","tppMessages":[{"category":"ERROR","code":"NOAS"}]}""", PaymentProgress.Rejected, "authorisation_timed_out")]
    [InlineData("""{"transactionStatus":"RJCT"}""", PaymentProgress.Rejected, "rejected_by_bank")]
    [InlineData("""{"transactionStatus":"XXXX"}""", PaymentProgress.Other, null)]
    public async Task EachIsoStatusIsWhereThePaymentStands(string answer, PaymentProgress progress, string? reason)
    {
        var connector = Connector(_ => Answer(HttpStatusCode.OK, answer), Now);

        var state = await connector.GetPaymentStateAsync("sepa-credit-transfers", "p-1", CancellationToken.None);

        Assert.Equal((progress, reason), (state.Progress, state.Reason));
    }
}
