using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Harness;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>
/// The real Aspire dashboard as a developer uses it: a connection made in a real browser through the bank's BankID
/// pages, then the trace of the bank's callback (where the api syncs while the user is present) found on the traces
/// page and read as one trace: the api's request at the root, the sandbox bank's requests and the PostgreSQL commands
/// of both beneath it. Its own app: the shared one runs without the dashboard.
/// </summary>
public sealed class AspireDashboardTests
{
    private const string Callback = "api: GET /connect/callback";

    [Fact]
    public async Task TheBankCallbackIsOneTraceOfApiSandboxbankAndPostgresSpans()
    {
        await using var app = await TestApp.StartAsync(Deadline.In(180), s => s.Dashboard = true);
        using var bank = new BankTpp(app);
        var (api, userId) = await CreateClientAsync(app);
        using var apiClient = api;
        var psu = await bank.CreatePsuAsync();
        using var created = await api.PostAsJsonAsync($"/v1/users/{userId}/connect-links", new { redirectUri = ApiTestClient.ClientReturn });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var link = JsonDocument.Parse(body).RootElement.GetProperty("url").GetString()!;

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
        Assert.NotNull(callback);
        var code = BankTpp.Query(new Uri(callback.Url), "code");
        SeenSecrets.Add(SecretKind.AuthorizationCode, code);

        // The login link sets the dashboard's cookie and leads to the resources.
        await page.GotoAsync(app.DashboardLoginUrl.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Resources" })).ToBeVisibleAsync();
        var resources = page.Locator("table.main-grid tr.fluent-data-grid-row");
        foreach (var name in new[] { "api", "sandboxbank", "postgres" })
        {
            await Expect(resources.Filter(new() { Has = page.Locator($"td[title='{name}']") }).First).ToContainTextAsync("Running");
        }

        await browser.ScreenshotAsync("dashboard-1-resources");

        // The bank's spans come from another process and may arrive a moment after the api's: the row waits for them.
        await page.GotoAsync(new Uri(app.DashboardUrl, "traces").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Traces" })).ToBeVisibleAsync();
        await page.Locator("fluent-text-input[name='traces-search'] input").FillAsync("/connect/callback");
        var traces = page.Locator("table.main-grid tr.fluent-data-grid-row").Filter(new() { HasTextString = Callback });
        await Expect(traces).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var trace = traces.First;
        foreach (var resource in new[] { "api", "psd2db", "sandboxbank" })
        {
            await Expect(trace.Locator(".trace-service-tag").Filter(new() { HasTextRegex = new Regex($@"^\s*{resource} \(\d+\)\s*$") }))
                .ToHaveCountAsync(1, new() { Timeout = 30_000 });
        }

        await browser.ScreenshotAsync("dashboard-2-traces");

        await trace.Locator("td").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/traces/detail/[0-9a-f]{32}$"));
        var spans = page.Locator("table.trace-view-grid tr.fluent-data-grid-row").Filter(new() { Has = page.Locator(".resource-name") });
        await Expect(spans.First.Locator("td").First).ToHaveAttributeAsync("aria-label", Callback);
        // One root: every other span is indented beneath it.
        await Expect(page.Locator("table.trace-view-grid .main-grid-expand-container[style*='margin-left: 0px']")).ToHaveCountAsync(1);

        Task<int> CountAsync(string resource, string? peer = null)
        {
            var rows = spans.Filter(new() { Has = page.Locator(".resource-name").Filter(new() { HasTextRegex = new Regex($"^{resource}$") }) });
            return (peer is null ? rows : rows.Filter(new() { Has = page.Locator(".uninstrumented-peer").Filter(new() { HasTextRegex = new Regex($"^{peer}$") }) })).CountAsync();
        }

        // The api's request to the bank's token endpoint and the sandbox bank's server span for it.
        await Expect(spans.Filter(new() { HasTextRegex = new Regex(@"POST /oauth2/token\s*sandboxbank") })).ToHaveCountAsync(1);
        // PostgreSQL: the api's Npgsql commands, shown as calls to the psd2db database, and the bank's to sandboxdb.
        await Expect(spans.Filter(new() { HasTextRegex = new Regex(@"^\s*postgresql\s*psd2db\s*api\s*$") }).First).ToBeVisibleAsync();
        await Expect(spans.Filter(new() { HasTextRegex = new Regex(@"^\s*postgresql\s*sandboxdb\s*sandboxbank\s*$") }).First).ToBeVisibleAsync();
        var total = int.Parse(await page.Locator(".trace-header-details div", new() { HasTextString = "Total spans" }).Locator("strong").TextContentAsync() ?? "", CultureInfo.InvariantCulture);
        await Expect(spans).ToHaveCountAsync(total);
        var (apiSpans, sandboxbankSpans, postgresSpans) = (await CountAsync("api"), await CountAsync("sandboxbank"), await CountAsync("api", "psd2db") + await CountAsync("sandboxbank", "sandboxdb"));
        Assert.True(apiSpans > 1 && sandboxbankSpans > 1 && postgresSpans > 1, $"{total} spans: api {apiSpans}, sandboxbank {sandboxbankSpans}, postgresql {postgresSpans}");
        Assert.Equal(total, apiSpans + sandboxbankSpans);
        await browser.ScreenshotAsync("dashboard-3-trace-detail");
        Assert.DoesNotContain(code!, await page.ContentAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A client app of the test's own and one end user, as <see cref="ApiTestClient"/> makes them, reading the CLI's
    /// result from its last line: the CLI may print Npgsql's command log on stdout before it.
    /// </summary>
    private static async Task<(HttpClient Api, Guid UserId)> CreateClientAsync(TestApp app)
    {
        var (exitCode, stdout, stderr) = await ClientAppCli.RunAsync(app, "clientapps", "create", "--name", "dashboard test " + Guid.NewGuid().ToString("N")[..8], "--redirect-uri", ApiTestClient.ClientReturn);
        Assert.True(exitCode == 0, $"clientapps create exited {exitCode}: {stderr}");
        var created = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(l => l.StartsWith('{'))).RootElement;
        var api = ClientAppCli.ApiClient(app, created.GetProperty("apiKey").GetProperty("key").GetString()!);
        using var user = await api.PostAsJsonAsync("/v1/users", new { externalReference = "u-" + Guid.NewGuid().ToString("N")[..8] });
        user.EnsureSuccessStatusCode();
        return (api, (await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }
}
