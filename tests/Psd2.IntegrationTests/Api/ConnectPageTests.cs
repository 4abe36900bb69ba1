using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Harness;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// The hosted Connect page: the client app asks for a link, the user's browser picks a bank and signs in, and ends on
/// a result page that leads back to the client app.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class ConnectPageTests(AppFixture fixture) : IDisposable
{
    private const string ClientReturn = ApiTestClient.ClientReturn;
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task UserConnectsThroughTheConnectPageAndTheBanksWebsiteInABrowser()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync();
        var link = await CreateLinkAsync(client);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;

        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connect your bank account" })).ToBeVisibleAsync();
        await page.GetByLabel("Sandbox Bank", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("On this device (bank's website)").CheckAsync();
        await browser.ScreenshotAsync("connect-redirect-1-connect-page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with BankID" })).ToBeVisibleAsync();
        await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
        await browser.ScreenshotAsync("connect-redirect-2-bank-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with BankID" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Approve in BankID" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("connect-redirect-3-bankid");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your bank account is connected" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("connect-redirect-4-result");
        Assert.StartsWith(fixture.App.GetEndpoint("api").ToString(), page.Url, StringComparison.Ordinal);
        var connection = await client.GetConnectionAsync(await ReturnLinkConnectionAsync(page, "active"));
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal(client.UserId, connection.GetProperty("userId").GetGuid());
        Assert.Equal("redirect", connection.GetProperty("flow").GetString());
    }

    [Fact]
    public async Task UserConnectsAUkOpenBankingBankThroughTheConnectPageInABrowser()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var ukBank = new BankTpp(fixture.App, bank: "ukbank");
        var psu = await ukBank.CreatePsuAsync();
        var link = await CreateLinkAsync(client);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;

        await page.GotoAsync(link);
        await Expect(page.GetByLabel("Sandbox Bank UK", new() { Exact = true })).ToHaveAccessibleDescriptionAsync("Sign in on the bank's website only.");
        await Expect(page.GetByLabel("Sandbox Bank", new() { Exact = true })).Not.ToHaveAttributeAsync("aria-describedby", new System.Text.RegularExpressions.Regex("."));
        await page.GetByLabel("Sandbox Bank UK", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("On this device (bank's website)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        // The bank read the platform's signed request object before it showed its sign-in.
        Assert.StartsWith(fixture.App.GetEndpoint("ukbank", "psu").ToString(), page.Url, StringComparison.Ordinal);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with BankID" })).ToBeVisibleAsync();
        await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
        await browser.ScreenshotAsync("connect-uk-1-bank-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with BankID" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your bank account is connected" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("connect-uk-2-result");
        var connection = await client.GetConnectionAsync(await ReturnLinkConnectionAsync(page, "active"));
        Assert.Equal(("active", "ukbank"), (connection.GetProperty("status").GetString(), connection.GetProperty("institutionId").GetString()));
    }

    [Fact]
    public async Task DecoupledSignInWaitsOnAPageThatUpdatesItselfUntilBankIdIsApproved()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync("ApproveAfterDelay");
        var link = await CreateLinkAsync(client);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;

        await page.GotoAsync(link);
        await page.GetByLabel("Sandbox Bank", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("BankID on another device").CheckAsync();
        await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Open BankID on your phone" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("approve the request");
        await Expect(page.Locator("meta[http-equiv=refresh]")).ToHaveAttributeAsync("content", "2");
        await browser.ScreenshotAsync("connect-decoupled-1-waiting");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your bank account is connected" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await browser.ScreenshotAsync("connect-decoupled-2-result");
        var connection = await client.GetConnectionAsync(await ReturnLinkConnectionAsync(page, "active"));
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("decoupled", connection.GetProperty("flow").GetString());
    }

    [Fact]
    public async Task AUserWhoCancelsInBankIdReadsWhatHappenedAndReturnsWithRejected()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync("Cancel");
        var link = await CreateLinkAsync(client);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        using var started = await PostFormAsync(browser, link, await browser.GetStringAsync(link), new()
        {
            ["institutionId"] = "sandboxbank", ["flow"] = "decoupled", ["personalNumber"] = psu.PersonalNumber,
        });
        var session = started.Headers.Location!.ToString();

        var html = await Eventually.Holds(ct => browser.GetStringAsync(session, ct), page => !page.Contains("Open BankID on your phone", StringComparison.Ordinal),
            Eventually.Seconds(30), "the session page to stop waiting for BankID", every: TimeSpan.FromMilliseconds(500));

        Assert.Contains("You cancelled the connection", html, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.Matches($"href=\"{Regex.Escape(ClientReturn)}\\?connectionId=[0-9a-f-]{{36}}&amp;outcome=rejected\"", html);
        var connection = Assert.Single((await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/connections")).EnumerateArray());
        Assert.Equal("rejected", connection.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ALinkStartsOneConnectionForItsOwnUserAndAppWithItsScopeAndThenIsNoLongerValid()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync();
        var link = await CreateLinkAsync(client, new { redirectUri = ClientReturn, access = new[] { "accounts", "balances" } });
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        using var form = await browser.GetAsync(link);
        var html = await form.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("asks to read your accounts and their balances.", html, StringComparison.Ordinal);
        Assert.DoesNotContain(new Uri(link).Segments[^1], html, StringComparison.Ordinal);
        Assert.Equal("no-referrer", form.Headers.GetValues("Referrer-Policy").Single());

        // Ids slipped into the form are not the page's to take: the link names the user and the app.
        using var started = await PostFormAsync(browser, link, html, new()
        {
            ["institutionId"] = "sandboxbank", ["flow"] = "decoupled", ["personalNumber"] = psu.PersonalNumber,
            ["userId"] = other.UserId.ToString(), ["clientAppId"] = Guid.NewGuid().ToString(),
        });
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        Assert.StartsWith("/connect/sessions/", started.Headers.Location!.ToString(), StringComparison.Ordinal);

        using var again = await browser.GetAsync(link);
        using var resubmitted = await PostFormAsync(browser, link, html, new() { ["institutionId"] = "sandboxbank", ["flow"] = "redirect" });
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("This link is no longer valid", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, resubmitted.StatusCode);

        var connection = Assert.Single((await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/connections")).EnumerateArray());
        Assert.Equal(client.UserId, connection.GetProperty("userId").GetGuid());
        Assert.Equal(["accounts", "balances"], connection.GetProperty("access").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(0, (await other.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{other.UserId}/connections")).GetArrayLength());
        using var foreign = await other.Api.GetAsync($"/v1/connections/{connection.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task AFormTheStarterRefusesIsShownAgainWithTheReasonAndTheLinkStaysUsable()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var link = await CreateLinkAsync(client);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);
        var html = await browser.GetStringAsync(link);

        using var noBank = await PostFormAsync(browser, link, html, new() { ["flow"] = "redirect" });
        using var noPersonalNumber = await PostFormAsync(browser, link, html, new() { ["institutionId"] = "sandboxbank", ["flow"] = "decoupled", ["personalNumber"] = "12345" });
        using var stillValid = await browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.BadRequest, noBank.StatusCode);
        Assert.Matches("role=\"alert\"[^>]*>Choose your bank.<", await noBank.Content.ReadAsStringAsync());
        var refused = await noPersonalNumber.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, noPersonalNumber.StatusCode);
        Assert.Contains("Enter your personal number", refused, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", refused, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        Assert.Equal(0, (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/connections")).GetArrayLength());
    }

    [Fact]
    public async Task AFormPostedWithoutItsAntiforgeryTokenIsRefusedAndStartsNothing()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var link = await CreateLinkAsync(client);
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        using var forged = await browser.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string> { ["institutionId"] = "sandboxbank", ["flow"] = "redirect" }));
        using var stillValid = await browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
    }

    [Fact]
    public async Task UnknownLinksAndSessionsAreNotFoundPages()
    {
        using var browser = fixture.App.CreateHttpClient("api", followRedirects: false);

        using var link = await browser.GetAsync("/connect/" + BankTpp.Base64Url(Guid.NewGuid().ToByteArray()));
        using var session = await browser.GetAsync("/connect/sessions/" + BankTpp.Base64Url(Guid.NewGuid().ToByteArray()));

        Assert.Equal(HttpStatusCode.NotFound, link.StatusCode);
        Assert.Contains("This link is no longer valid", await link.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, session.StatusCode);
        Assert.Equal("text/html", session.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ConnectLinksNeedAnAllowedRedirectUriAndTheCallersOwnUser()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var links = $"/v1/users/{client.UserId}/connect-links";

        using var offList = await client.Api.PostAsJsonAsync(links, new { redirectUri = "https://evil.example/steal" });
        using var missing = await client.Api.PostAsJsonAsync(links, new { validDays = 30 });
        using var badScope = await client.Api.PostAsJsonAsync(links, new { redirectUri = ClientReturn, access = new[] { "transactions" } });
        using var foreignUser = await other.Api.PostAsJsonAsync(links, new { redirectUri = ClientReturn });
        using var created = await client.Api.PostAsJsonAsync(links, new { redirectUri = ClientReturn, validDays = 30, frequencyPerDay = 2 });

        Assert.Equal(HttpStatusCode.BadRequest, offList.StatusCode);
        Assert.Equal("redirect_uri_not_allowed", await ApiTestClient.CodeAsync(offList));
        Assert.Equal("redirect_uri_not_allowed", await ApiTestClient.CodeAsync(missing));
        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(badScope));
        Assert.Equal(HttpStatusCode.NotFound, foreignUser.StatusCode);
        Assert.Equal("not_found", await ApiTestClient.CodeAsync(foreignUser));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var url = body.GetProperty("url").GetString()!;
        SeenSecrets.Add(SecretKind.ConnectLinkToken, new Uri(url).Segments[^1]);
        Assert.Matches($"^{Regex.Escape(fixture.App.GetEndpoint("api").ToString())}connect/[A-Za-z0-9_-]{{43}}$", url);
        Assert.InRange(body.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));

        var audit = await client.Api.GetStringAsync($"/v1/audit-events?userId={client.UserId}");
        Assert.Contains("connect_link.created", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(new Uri(url).Segments[^1], audit, StringComparison.Ordinal);
    }

    internal static async Task<string> CreateLinkAsync(ApiTestClient client, object? request = null)
    {
        using var response = await client.Api.PostAsJsonAsync($"/v1/users/{client.UserId}/connect-links", request ?? new { redirectUri = ClientReturn });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var url = JsonDocument.Parse(body).RootElement.GetProperty("url").GetString()!;
        SeenSecrets.Add(SecretKind.ConnectLinkToken, new Uri(url).Segments[^1]);
        return url;
    }

    /// <summary>Posts the Connect form as a browser would: its antiforgery token (the cookie travels with the client) plus the fields.</summary>
    internal static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string link, string html, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups["value"].Value);
        return browser.PostAsync(link, new FormUrlEncodedContent(fields));
    }

    /// <summary>The result page's way back: the client's redirect URI with the connection id and the outcome.</summary>
    private static async Task<Guid> ReturnLinkConnectionAsync(IPage page, string outcome)
    {
        var back = page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Return to test app ") });
        await Expect(back).ToBeVisibleAsync();
        var href = new Uri((await back.GetAttributeAsync("href"))!);
        Assert.Equal(ClientReturn, href.GetLeftPart(UriPartial.Path));
        Assert.Equal(outcome, BankTpp.Query(href, "outcome"));
        return Guid.Parse(BankTpp.Query(href, "connectionId")!);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    public void Dispose() => _bank.Dispose();
}
