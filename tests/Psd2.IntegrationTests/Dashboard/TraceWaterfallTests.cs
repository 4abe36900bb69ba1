using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Api;
using Psd2.IntegrationTests.Harness;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard as a developer uses it: a connection made in a real browser through the bank's BankID pages, then
/// the trace of the bank's callback found on the traces page and read as one waterfall across the resources.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TraceWaterfallTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task TheBankCallbackShowsAsOneWaterfallOfApiSandboxbankAndPostgresSpans()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync();
        var link = await ConnectPageTests.CreateLinkAsync(client);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        IRequest? callback = null;
        page.RequestFinished += (_, request) =>
        {
            if (request.Url.Contains("/connect/callback?", StringComparison.Ordinal))
            {
                callback = request;
            }
        };

        await page.GotoAsync(link);
        await page.GetByLabel("Sandbox Bank").CheckAsync();
        await page.GetByLabel("On this device (bank's website)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with BankID" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your bank account is connected" })).ToBeVisibleAsync();

        // The api echoes X-Request-ID and records it on the request's span: it names this callback's trace among all others.
        Assert.NotNull(callback);
        var code = BankTpp.Query(new Uri(callback.Url), "code");
        SeenSecrets.Add(SecretKind.AuthorizationCode, code);
        var requestId = await (await callback.ResponseAsync())!.HeaderValueAsync("x-request-id");
        Assert.False(string.IsNullOrEmpty(requestId));

        using var dashboard = fixture.App.CreateDashboardClient();
        var found = await DashboardData.WaitForAsync(dashboard, $"/api/traces?resource=api&text={Uri.EscapeDataString(requestId)}", traces => traces.GetArrayLength() == 1);
        var traceId = found[0].GetProperty("traceId").GetString()!;
        // The bank's spans come from another process and may arrive a moment after the api's.
        var trace = await DashboardData.WaitForSettledTraceAsync(dashboard, traceId, t =>
            DashboardData.Spans(t).Any(s => s.GetProperty("resource").GetString() == "sandboxbank")
            && DashboardData.Spans(t).Any(DashboardData.IsPostgresSpan)
            && DashboardData.Spans(t).Any(s => s.GetProperty("name").GetString() == "GET /connect/callback"));
        var root = DashboardData.Spans(trace).First();
        Assert.Equal(("api", "server", "GET /connect/callback"), (root.GetProperty("resource").GetString(), root.GetProperty("kind").GetString(), root.GetProperty("name").GetString()));
        Assert.Contains(DashboardData.Spans(trace), s => s.GetProperty("resource").GetString() == "sandboxbank" && s.GetProperty("kind").GetString() == "server");
        Assert.Contains(DashboardData.Spans(trace), s => DashboardData.IsPostgresSpan(s) && s.GetProperty("peer").GetString() == "postgres");
        // Spans already drop query values; the dashboard shows nothing more than it received.
        Assert.DoesNotContain(code!, trace.GetRawText(), StringComparison.Ordinal);

        await page.GotoAsync(fixture.App.DashboardLoginUrl.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Resources" })).ToBeVisibleAsync();
        await Expect(page.Locator("tr[data-resource=api] .health-healthy")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("dashboard-1-resources");

        await page.GetByRole(AriaRole.Link, new() { Name = "Traces", Exact = true }).ClickAsync();
        await page.GetByLabel("Resource").SelectOptionAsync("api");
        await page.GetByLabel("Text (span names, attributes)").FillAsync(requestId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var row = page.Locator($"tr[data-trace-id='{traceId}']");
        await Expect(page.Locator("table.traces tbody tr")).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("api: GET /connect/callback");
        await Expect(row.Locator(".badge")).ToHaveTextAsync(["api", "sandboxbank", "postgres"]);
        await browser.ScreenshotAsync("dashboard-2-traces");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        var waterfall = page.GetByRole(AriaRole.Table, new() { Name = "Waterfall" });
        await Expect(waterfall).ToBeVisibleAsync();
        await Expect(waterfall.Locator("tr.span").First).ToHaveAttributeAsync("data-resource", "api");
        await Expect(waterfall.Locator("tr.span[data-resource=sandboxbank]").First).ToBeVisibleAsync();
        var database = waterfall.Locator("tr.span[data-peer=postgres]").First;
        await Expect(database).ToContainTextAsync("client → postgres");
        await database.GetByText("Details").ClickAsync();
        var system = database.Locator("dl.attributes dt").Filter(new() { HasTextRegex = new Regex(@"^db\.system(\.name)?$") });
        await Expect(system).ToHaveCountAsync(1);
        await Expect(system.Locator("xpath=following-sibling::dd[1]")).ToHaveTextAsync("postgresql");
        Assert.Equal(DashboardData.Spans(trace).Count(), await waterfall.Locator("tr.span").CountAsync());
        await browser.ScreenshotAsync("dashboard-3-trace-waterfall");
        Assert.DoesNotContain(code!, await page.ContentAsync(), StringComparison.Ordinal);

        // The trace's log records, on the structured logs page, lead back to it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Structured logs", Exact = true }).ClickAsync();
        await page.GetByLabel("Resource").SelectOptionAsync("api");
        await page.GetByLabel("Trace id").FillAsync(traceId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var bankCall = page.Locator("table.logs tbody tr", new() { HasTextString = "Bank call GET /v1/accounts" });
        await Expect(bankCall).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("dashboard-4-structured-logs");
        await bankCall.Locator("a.trace-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/traces/{traceId}#span-[0-9a-f]{{16}}$"));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Waterfall" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Metrics", Exact = true }).ClickAsync();
        await Expect(page.Locator("tr[data-instrument='http.server.request.duration']")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("dashboard-5-metrics");
    }

    public void Dispose() => _bank.Dispose();
}
