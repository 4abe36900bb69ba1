using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Psd2.IntegrationTests.Harness;
using Psd2.IntegrationTests.Worker;
using static Microsoft.Playwright.Assertions;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>
/// Hangfire's dashboard on the worker, as an operator uses it: reached through the worker's URL with the operator's
/// credential, it lists the recurring jobs and a user-present sync that succeeded. Without a credential, with a wrong
/// one, or from the machine itself, it is refused; a viewer sees it but cannot trigger anything.
/// </summary>
[Collection(WorkerCollection.Name)] // beside the worker's tests, which leave the shared app's collection the longer one
public sealed class HangfireDashboardTests(WorkerAppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task AnOperatorSeesTheRecurringJobsAndASucceededSyncAndNobodyElseGetsIn()
    {
        var dashboard = new Uri(fixture.App.GetEndpoint("worker"), "/hangfire/recurring");
        using (var anonymous = new HttpClient())
        {
            using var none = await anonymous.GetAsync(dashboard);
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.StartsWith("Basic", none.Headers.WwwAuthenticate.ToString());
            foreach (var wrong in new[] { ("operator", "not-the-password"), ("viewer", fixture.App.JobsOperatorPassword), ("admin", fixture.App.JobsOperatorPassword) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, dashboard) { Headers = { Authorization = Basic(wrong.Item1, wrong.Item2) } };
                using var refused = await anonymous.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }
        }

        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var connection = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();
        var run = await client.SyncAsync(connection);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var job = await WorkerTestData.ScalarAsync<long>(fixture.App,
            "SELECT id FROM hangfire.job WHERE invocationdata->>'Type' LIKE 'Psd2.Core.Sync.UserPresentSyncJob,%' AND arguments::text LIKE '%' || $1 || '%'",
            run.GetProperty("id").GetGuid().ToString());

        await using var browser = await Browser.StartAsync(new() { Username = "operator", Password = fixture.App.JobsOperatorPassword });
        var page = browser.Page;
        await page.GotoAsync(dashboard.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recurring Jobs" })).ToBeVisibleAsync();
        foreach (var recurring in new[] { "refresh-planner", "refresh-dispatcher", "token-refresh", "consent-check", "webhook-delivery" })
        {
            await Expect(page.Locator(".js-jobs-list tr").Filter(new() { HasTextString = recurring })).ToHaveCountAsync(1);
        }

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Trigger now" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("hangfire-1-recurring-jobs");

        // The sync the user asked for, as the operator finds it among the succeeded jobs.
        await page.GotoAsync(new Uri(dashboard, "/hangfire/jobs/succeeded").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Succeeded Jobs" })).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(dashboard, $"/hangfire/jobs/details/{job}").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "UserPresentSyncJob.RunAsync" })).ToBeVisibleAsync();
        await Expect(page.Locator(".state-card-state-success")).ToContainTextAsync("Succeeded");
        await browser.ScreenshotAsync("hangfire-2-succeeded-sync-job");

        // A viewer looks without the buttons that change anything.
        await using var viewer = await Browser.StartAsync(new() { Username = "viewer", Password = fixture.App.JobsViewerPassword });
        await viewer.Page.GotoAsync(dashboard.ToString());
        await Expect(viewer.Page.GetByRole(AriaRole.Heading, new() { Name = "Recurring Jobs" })).ToBeVisibleAsync();
        await Expect(viewer.Page.GetByRole(AriaRole.Button, new() { Name = "Trigger now" })).ToHaveCountAsync(0);
    }

    public void Dispose() => _bank.Dispose();

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
