using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Harness;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// Payments through the platform against the Berlin Group sandbox bank: authorised by redirect (in a browser) and decoupled, executed
/// and then seen as a debit in the next sync, refused for want of funds, cancelled by the PSU; and one payment only,
/// however often and however concurrently it is asked for under one Idempotency-Key, also when the bank's answer to
/// the initiation is lost.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PaymentsTests(AppFixture fixture) : IDisposable
{
    internal const string Creditor = "SE3550000000054910000003";
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task ARedirectPaymentIsExecutedAndItsDebitArrivesWithTheNextSync()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var connectionId = (await client.ActiveDecoupledConnectionAsync(psu)).GetProperty("id").GetGuid();
        Assert.Equal("succeeded", (await client.SyncAsync(connectionId)).GetProperty("status").GetString());
        var account = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts"))[0];
        var remittance = "Invoice " + Guid.NewGuid().ToString("N")[..10];

        var (status, created) = await PayAsync(client, Guid.NewGuid().ToString(), new
        {
            debtorAccountId = account.GetProperty("id").GetGuid(), creditorName = "Elektrobolaget AB", creditorIban = Creditor, amount = "12.34",
            currency = account.GetProperty("currency").GetString(), remittance, flow = "redirect", redirectUri = ApiTestClient.ClientReturn,
            psuIpAddress = BankData.PsuIp,
        });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("pending_authorisation", created.GetProperty("status").GetString());
        var id = created.GetProperty("id").GetGuid();
        await using (var browser = await Browser.StartAsync())
        {
            var page = browser.Page;
            // The client app's own page, where the api sends the browser in the end.
            await page.RouteAsync(ApiTestClient.ClientReturn + "**", route => route.FulfillAsync(new() { Body = "<h1>Back at the client</h1>", ContentType = "text/html" }));
            await page.GotoAsync(created.GetProperty("authorisationUrl").GetString()!);
            await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue with BankID" }).ClickAsync();
            // The PSU sees what they approve: the amount and the payee.
            await Expect(page.Locator("body")).ToContainTextAsync("Elektrobolaget AB");
            await Expect(page.Locator("body")).ToContainTextAsync("12.34");
            await browser.ScreenshotAsync("payment-redirect-1-bankid");
            await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Back at the client" })).ToBeVisibleAsync();
            Assert.Equal($"{ApiTestClient.ClientReturn}?paymentId={id}&outcome=executed", page.Url);
        }

        Assert.Equal("executed", (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/payments/{id}")).GetProperty("status").GetString());
        Assert.Equal("succeeded", (await client.SyncAsync(connectionId)).GetProperty("status").GetString());
        var debits = (await ApiTestClient.AllTransactionsAsync(client.Api, account.GetProperty("id").GetGuid(), 500))
            .Where(t => t.GetProperty("remittance").GetString() == remittance).ToList();
        var debit = Assert.Single(debits);
        Assert.Equal(("-12.34", "booked", "Elektrobolaget AB"),
            (debit.GetProperty("amount").ToString(), debit.GetProperty("status").GetString(), debit.GetProperty("counterpartyName").GetString()));
    }

    [Theory]
    [InlineData("ApproveAfterDelay", "5.00", "executed", null)]
    [InlineData("Cancel", "5.00", "cancelled", null)]
    [InlineData("ApproveAfterDelay", "900000000.00", "rejected", "insufficient_funds")]
    public async Task ADecoupledPaymentEndsAsThePsuAndTheirBalanceDecide(string behaviour, string amount, string outcome, string? reason)
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(decoupled: behaviour, accounts: 1);

        var (status, created) = await PayAsync(client, Guid.NewGuid().ToString(), Decoupled(psu, amount));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("awaiting_decoupled_authorisation", created.GetProperty("status").GetString());
        var ended = await FinalAsync(client, created.GetProperty("id").GetGuid());
        Assert.Equal((outcome, reason), (ended.GetProperty("status").GetString(), ended.GetProperty("statusReason").GetString()));
    }

    [Fact]
    public async Task OneKeyIsOnePaymentAtTheBankWhenAnswersAreLostAndRequestsRace()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var key = Guid.NewGuid().ToString();
        var body = Decoupled(psu, "7.00");
        try
        {
            // The bank makes each payment and then drops the connection before answering.
            await SetPaymentFaultAsync(new { acceptThenDropRate = 1.0 });
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PayAsync(client, key, body)));

            Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
            Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
            var id = Assert.Single(answers.Select(a => a.Body.GetProperty("id").GetGuid()).Distinct());
            Assert.All(answers, a => Assert.Equal("initiating", a.Body.GetProperty("status").GetString()));
        }
        finally
        {
            using var cleared = await _bank.Admin.DeleteAsync("/sandbox/faults");
        }

        // Asked again once the bank answers: the payment it already made, which the PSU then approves.
        var paymentId = (await PayAsync(client, key, body)).Body.GetProperty("id").GetGuid();
        Assert.Equal("executed", (await FinalAsync(client, paymentId)).GetProperty("status").GetString());
        var atBank = (await _bank.AdminGetAsync($"/sandbox/payments?debtorIban={psu.Ibans[0]}")).AsArray();
        Assert.Single(atBank);

        var (status, problem) = await PayAsync(client, key, Decoupled(psu, "7.01"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "idempotency_key_reused"), (status, problem.GetProperty("code").GetString()));
        Assert.Single((await _bank.AdminGetAsync($"/sandbox/payments?debtorIban={psu.Ibans[0]}")).AsArray());
    }

    [Fact]
    public async Task AnotherAppsKeyAndPaymentsAreItsOwn()
    {
        using var owner = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var key = Guid.NewGuid().ToString();

        var (ownerStatus, owners) = await PayAsync(owner, key, Decoupled(psu, "3.00"));
        var (otherStatus, others) = await PayAsync(other, key, Decoupled(psu, "3.00"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (ownerStatus, otherStatus));
        Assert.NotEqual(owners.GetProperty("id").GetGuid(), others.GetProperty("id").GetGuid());
        using var foreign = await other.Api.GetAsync($"/v1/payments/{owners.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var listed = await owner.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{owner.UserId}/payments");
        Assert.Equal([owners.GetProperty("id").GetGuid()], listed.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
    }

    [Theory]
    [InlineData(null, "idempotency_key_required")]
    [InlineData("", "idempotency_key_required")]
    public async Task APaymentWithoutAKeyIsRefusedBeforeAnythingIsStored(string? key, string code)
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);

        var (status, problem) = await PayAsync(client, key, Decoupled(psu, "1.00"));

        Assert.Equal((HttpStatusCode.BadRequest, code), (status, problem.GetProperty("code").GetString()));
        Assert.Empty((await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/payments")).GetProperty("items").EnumerateArray());
    }

    internal static object Decoupled(TestPsu psu, string amount) => new
    {
        institutionId = "sandboxbank", debtorIban = psu.Ibans[0], creditorName = "Hyresvärden AB", creditorIban = Creditor, amount, currency = CurrencyOf(psu),
        remittance = "Rent", flow = "decoupled", psuId = psu.PersonalNumber, psuIpAddress = BankData.PsuIp,
    };

    /// <summary>The currency of the PSU's first account: the sandbox bank's Finnish households bank in euros, the others in kronor.</summary>
    internal static string CurrencyOf(TestPsu psu) => psu.Ibans[0].StartsWith("FI", StringComparison.Ordinal) ? "EUR" : "SEK";

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> PayAsync(ApiTestClient client, string? key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/users/{client.UserId}/payments") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        using var response = await client.Api.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    internal static Task<JsonElement> FinalAsync(ApiTestClient client, Guid paymentId) =>
        Eventually.Holds(ct => client.Api.GetFromJsonAsync<JsonElement>($"/v1/payments/{paymentId}", ct),
            p => p.GetProperty("status").GetString() is "executed" or "rejected" or "cancelled" or "failed", Eventually.Seconds(90), $"payment {paymentId} to end");

    private async Task SetPaymentFaultAsync(object rule)
    {
        using var response = await _bank.Admin.PutAsJsonAsync("/sandbox/faults/payments", rule);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public void Dispose() => _bank.Dispose();
}
