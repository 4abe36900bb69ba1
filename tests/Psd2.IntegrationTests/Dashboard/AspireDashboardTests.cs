using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Api;
using Psd2.IntegrationTests.Harness;
using Psd2.IntegrationTests.Worker;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>
/// The real Aspire dashboard as a developer uses it: a connection made in a real browser through the bank's BankID
/// pages, then the trace of the bank's callback (where the api syncs while the user is present) found on the traces
/// page and read as one trace: the api's request at the root, the sandbox bank's requests and the PostgreSQL commands
/// of both beneath it. Its own app: the shared one runs without the dashboard.
/// </summary>
[Collection(WorkerCollection.Name)] // an app of its own, in turn with the worker's tests rather than a third collection beside them
public sealed class AspireDashboardTests(ITestOutputHelper output)
{
    private const string Callback = "api: GET /connect/callback";

    [Fact]
    public async Task TheBankCallbackIsOneTraceOfApiSandboxbankAndPostgresSpans()
    {
        await using var app = await TestApp.StartAsync(Deadline.In(180), s => s.Dashboard = true);
        using var bank = new BankTpp(app);
        using var client = await ApiTestClient.CreateAsync(app);
        var psu = await bank.CreatePsuAsync();
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
        await page.GetByLabel("Sandbox Bank", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("On this device (bank's website)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByLabel("Personal number").FillAsync(psu.PersonalNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue with BankID" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your bank account is connected" })).ToBeVisibleAsync();
        Assert.NotNull(callback);
        var code = BankTpp.Query(new Uri(callback.Url), "code");
        SeenSecrets.Add(SecretKind.AuthorizationCode, code);

        // The login link sets the dashboard's cookie and leads to the resources.
        await page.GotoAsync(app.DashboardLoginUrl.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Resources" })).ToBeVisibleAsync();
        var resources = page.Locator("table.main-grid tr.fluent-data-grid-row");
        foreach (var name in new[] { "api", "sandboxbank", "postgres" })
        {
            var row = resources.Filter(new() { Has = page.Locator(".resource-name-text").Filter(new() { HasTextRegex = new Regex($"^{name}$") }) });
            await Expect(row.Locator("td[col-index='2']")).ToHaveAttributeAsync("title", "Running");
        }

        await browser.ScreenshotAsync("dashboard-1-resources");

        // The bank's spans come from another process and may arrive a moment after the api's: the row waits for them.
        await page.GotoAsync(new Uri(app.DashboardUrl, "traces").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Traces" })).ToBeVisibleAsync();
        // A failure leaves a screenshot of the page it failed on.
        try
        {
            await page.Locator("fluent-text-input[name='traces-search'] input").FillAsync("/connect/callback");
            var traces = page.Locator("table.main-grid tr.fluent-data-grid-row").Filter(new() { HasTextString = Callback });
            await Expect(traces.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            try
            {
                await Expect(traces).ToHaveCountAsync(1);
            }
            catch (PlaywrightException)
            {
                await browser.ScreenshotAsync("dashboard-2-traces-failed");
                throw;
            }

            var trace = traces.First;
            foreach (var resource in new[] { "api", "psd2db", "sandboxbank" })
            {
                // Tags that overflow the column are also listed in its popover: any one will do.
                await Expect(trace.Locator(".trace-service-tag").Filter(new() { HasTextRegex = new Regex($@"^\s*{resource} \(\d+\)\s*$") }).First)
                    .ToBeAttachedAsync(new() { Timeout = 30_000 });
            }

            await browser.ScreenshotAsync("dashboard-2-traces");

            await trace.Locator("td").First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/traces/detail/[0-9a-f]{32}$"));
            var spans = page.Locator("table.trace-view-grid tr.fluent-data-grid-row").Filter(new() { Has = page.Locator(".resource-name") });
            await Expect(spans.First.Locator("td").First).ToHaveAttributeAsync("aria-label", Callback);
            // One root: every other span is indented beneath it.
            await Expect(page.Locator("table.trace-view-grid .main-grid-expand-container[style*='margin-left: 0px']")).ToHaveCountAsync(1);

            ILocator Spans(string resource, string? peer = null)
            {
                var rows = spans.Filter(new() { Has = page.Locator(".resource-name").Filter(new() { HasTextRegex = new Regex($"^{resource}$") }) });
                return peer is null ? rows : rows.Filter(new() { Has = page.Locator(".uninstrumented-peer").Filter(new() { HasTextRegex = new Regex($@"^\s*{peer}\s*$") }) });
            }

            // The api's request to the bank's token endpoint and the sandbox bank's server span for it.
            await Expect(Spans("api").Filter(new() { HasTextString = "HTTP POST" }).First).ToBeVisibleAsync();
            await Expect(Spans("sandboxbank").Filter(new() { HasTextString = "POST /oauth2/token" })).ToHaveCountAsync(1);
            // PostgreSQL: the api's Npgsql commands, shown as calls to the psd2db database, and the bank's to sandboxdb.
            await Expect(Spans("api", "psd2db").Filter(new() { HasTextString = "postgresql" }).First).ToBeVisibleAsync();
            await Expect(Spans("sandboxbank", "sandboxdb").Filter(new() { HasTextString = "postgresql" }).First).ToBeVisibleAsync();
            // The queued sync's spans may still be arriving: count what is there, never an exact total.
            var total = await spans.CountAsync();
            var (apiSpans, sandboxbankSpans) = (await Spans("api").CountAsync(), await Spans("sandboxbank").CountAsync());
            var postgresSpans = await Spans("api", "psd2db").CountAsync() + await Spans("sandboxbank", "sandboxdb").CountAsync();
            Assert.True(apiSpans > 1 && sandboxbankSpans > 1 && postgresSpans > 1, $"{total} spans: api {apiSpans}, sandboxbank {sandboxbankSpans}, postgresql {postgresSpans}");
            output.WriteLine($"The callback's trace: {total} spans, api {apiSpans}, sandboxbank {sandboxbankSpans}, of them PostgreSQL commands {postgresSpans}");
            await browser.ScreenshotAsync("dashboard-3-trace-detail");
        }
        catch (PlaywrightException)
        {
            await browser.ScreenshotAsync("dashboard-failed");
            throw;
        }

        Assert.DoesNotContain(code!, await page.ContentAsync(), StringComparison.Ordinal);
    }
}
