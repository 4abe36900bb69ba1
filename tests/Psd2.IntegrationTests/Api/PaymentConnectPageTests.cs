using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Harness;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// A payment's authorisation on the hosted Connect page: the client app asks for a link for one of its payments, the
/// user's browser sees what is being paid, approves it at the bank (redirect) or in BankID on their phone (decoupled),
/// and ends on a result page that leads back to the client app.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PaymentConnectPageTests(AppFixture fixture) : IDisposable
{
    private const string ClientReturn = ApiTestClient.ClientReturn;
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task UserApprovesARedirectPaymentThroughTheConnectPageInABrowser()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var paymentId = await PaymentAsync(client, Redirect(psu, "12.34"));
        var link = await CreateLinkAsync(client, paymentId);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        // The client app's own page, where the result page leads back to.
        await page.RouteAsync(ClientReturn + "**", route => route.FulfillAsync(new() { Body = "<h1>Back at the client</h1>", ContentType = "text/html" }));

        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Approve your payment" })).ToBeVisibleAsync();
        var amount = "12.34 " + PaymentsTests.CurrencyOf(psu);
        await Expect(page.Locator("#payment-amount")).ToHaveTextAsync(amount);
        await Expect(page.Locator("#payment-payee")).ToHaveTextAsync("Elektrobolaget AB");
        await Expect(page.Locator("main")).ToContainTextAsync("SE35 **** 0003");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(PaymentsTests.Creditor);
        await browser.ScreenshotAsync("payment-connect-redirect-1-summary");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to your bank" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with BankID" })).ToBeVisibleAsync();
        await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with BankID" }).ClickAsync();
        await Expect(page.Locator("body")).ToContainTextAsync("Elektrobolaget AB");
        await browser.ScreenshotAsync("payment-connect-redirect-2-bankid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Payment sent" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{amount} to Elektrobolaget AB");
        await browser.ScreenshotAsync("payment-connect-redirect-3-result");
        Assert.StartsWith(fixture.App.GetEndpoint("api").ToString(), page.Url, StringComparison.Ordinal);
        var back = page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Return to test app ") });
        Assert.Equal($"{ClientReturn}?paymentId={paymentId}&outcome=executed", await back.GetAttributeAsync("href"));
        await back.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Back at the client" })).ToBeVisibleAsync();
        Assert.Equal("executed", (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/payments/{paymentId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADecoupledPaymentWaitsOnAPageThatUpdatesItselfUntilBankIdApproves()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        // The PSU answers in the bank's BankID app when the test says so, not after a delay the page would race.
        var psu = await _bank.CreatePsuAsync(decoupled: "Manual", accounts: 1);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        var paymentId = await PaymentAsync(client, PaymentsTests.Decoupled(psu, "5.00"));
        var link = await CreateLinkAsync(client, paymentId, new { redirectUri = ClientReturn });

        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Open BankID on your phone" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"approve the payment of 5.00 {PaymentsTests.CurrencyOf(psu)} to Hyresvärden AB");
        await Expect(page.Locator("meta[http-equiv=refresh]")).ToHaveAttributeAsync("content", "2");
        await browser.ScreenshotAsync("payment-connect-decoupled-1-waiting");

        using (var bankIdApp = await _bank.Browser.GetAsync($"/bankid/app?personalNumber={psu.PersonalNumber}"))
        using (var approved = await _bank.SubmitFormAsync(await bankIdApp.Content.ReadAsStringAsync(), new() { ["decision"] = "approve" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, approved.StatusCode);
        }

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Payment sent" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await browser.ScreenshotAsync("payment-connect-decoupled-2-result");
        var back = page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Return to test app ") });
        Assert.Equal($"{ClientReturn}?paymentId={paymentId}&outcome=executed", await back.GetAttributeAsync("href"));
    }

    [Fact]
    public async Task APaymentLinkIsForTheAppsOwnPaymentWhileItWaitsForTheUser()
    {
        using var owner = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var waiting = await PaymentAsync(owner, Redirect(psu, "2.00"));
        // The bank refuses it at once: its debtor account is not one of the bank's.
        var refused = await PaymentAsync(owner, Redirect(psu, "2.00", debtorIban: PaymentsTests.Creditor));

        using var foreign = await other.Api.PostAsJsonAsync($"/v1/payments/{waiting}/connect-link", new { redirectUri = ClientReturn });
        using var final = await owner.Api.PostAsJsonAsync($"/v1/payments/{refused}/connect-link", new { });
        using var offList = await owner.Api.PostAsJsonAsync($"/v1/payments/{waiting}/connect-link", new { redirectUri = "https://evil.example/steal" });

        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (foreign.StatusCode, await ApiTestClient.CodeAsync(foreign)));
        Assert.Equal((HttpStatusCode.Conflict, "payment_not_awaiting_authorisation"), (final.StatusCode, await ApiTestClient.CodeAsync(final)));
        Assert.Equal((HttpStatusCode.BadRequest, "redirect_uri_not_allowed"), (offList.StatusCode, await ApiTestClient.CodeAsync(offList)));
        var link = await CreateLinkAsync(owner, waiting);
        Assert.Matches($"^{Regex.Escape(fixture.App.GetEndpoint("api").ToString())}connect/[A-Za-z0-9_-]{{43}}$", link);
    }

    [Fact]
    public async Task AUsedPaymentLinkIsNoLongerValid()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 1);
        var redirectLink = await CreateLinkAsync(client, await PaymentAsync(client, Redirect(psu, "3.00")));
        var decoupledLink = await CreateLinkAsync(client, await PaymentAsync(client, PaymentsTests.Decoupled(psu, "3.00")), new { redirectUri = ClientReturn });
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        using var summary = await browser.GetAsync(redirectLink);
        var html = await summary.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
        Assert.DoesNotContain(new Uri(redirectLink).Segments[^1], html, StringComparison.Ordinal);
        using var toBank = await ConnectPageTests.PostFormAsync(browser, redirectLink, html, new());
        Assert.Equal(HttpStatusCode.SeeOther, toBank.StatusCode);
        Assert.StartsWith(fixture.App.GetEndpoint("sandboxbank", "psu").ToString(), toBank.Headers.Location!.ToString(), StringComparison.Ordinal);
        // A decoupled payment's link has nothing to choose: opening it goes straight to the page that follows the payment.
        using var following = await browser.GetAsync(decoupledLink);
        Assert.Equal(HttpStatusCode.SeeOther, following.StatusCode);
        Assert.StartsWith("/connect/sessions/", following.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var redirectAgain = await browser.GetAsync(redirectLink);
        using var resubmitted = await ConnectPageTests.PostFormAsync(browser, redirectLink, html, new());
        using var decoupledAgain = await browser.GetAsync(decoupledLink);

        Assert.Equal((HttpStatusCode.Gone, HttpStatusCode.Gone, HttpStatusCode.Gone), (redirectAgain.StatusCode, resubmitted.StatusCode, decoupledAgain.StatusCode));
        Assert.Contains("This link is no longer valid", await decoupledAgain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A redirect payment from the PSU's first account (or <paramref name="debtorIban"/>), back to the client app.</summary>
    private static object Redirect(TestPsu psu, string amount, string? debtorIban = null) => new
    {
        institutionId = "sandboxbank", debtorIban = debtorIban ?? psu.Ibans[0], creditorName = "Elektrobolaget AB", creditorIban = PaymentsTests.Creditor,
        amount, currency = PaymentsTests.CurrencyOf(psu), remittance = "Invoice 77", flow = "redirect", redirectUri = ClientReturn, psuIpAddress = BankData.PsuIp,
    };

    /// <summary>A new payment, once the bank has answered its initiation (the worker asks again when the first answer is lost).</summary>
    private static async Task<Guid> PaymentAsync(ApiTestClient client, object body)
    {
        var (status, created) = await PaymentsTests.PayAsync(client, Guid.NewGuid().ToString(), body);
        Assert.True(status == HttpStatusCode.Created, created.ToString());
        var id = created.GetProperty("id").GetGuid();
        if (created.GetProperty("status").GetString() == "initiating")
        {
            await Eventually.Holds(ct => client.Api.GetFromJsonAsync<JsonElement>($"/v1/payments/{id}", ct),
                p => p.GetProperty("status").GetString() != "initiating", Eventually.Seconds(30), $"the bank to answer payment {id}");
        }

        return id;
    }

    private static async Task<string> CreateLinkAsync(ApiTestClient client, Guid paymentId, object? request = null)
    {
        using var response = await client.Api.PostAsJsonAsync($"/v1/payments/{paymentId}/connect-link", request ?? new { });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var url = JsonDocument.Parse(body).RootElement.GetProperty("url").GetString()!;
        SeenSecrets.Add(SecretKind.ConnectLinkToken, new Uri(url).Segments[^1]);
        return url;
    }

    public void Dispose() => _bank.Dispose();
}
