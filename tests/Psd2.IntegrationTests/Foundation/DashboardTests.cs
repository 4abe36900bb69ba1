using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

[Collection(AppCollection.Name)]
public sealed class DashboardTests(AppFixture fixture)
{
    private readonly Psd2.AppHost.Hosting.DistributedApplication _app = fixture.App.App;

    [Fact]
    public async Task DashboardRefusesCallersWithoutTheToken()
    {
        using var client = new HttpClient { BaseAddress = _app.DashboardUrl };

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/resources")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/login?t=wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/resources/api/stop", null)).StatusCode);
    }

    [Fact]
    public async Task LoginLinkOpensTheResourcesPageAndItsData()
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = _app.DashboardUrl };

        using var login = await client.GetAsync($"/login?t={_app.DashboardToken}");
        var page = await login.Content.ReadAsStringAsync();
        var resources = await client.GetFromJsonAsync<JsonElement>("/api/resources");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("<h1>Resources</h1>", page, StringComparison.Ordinal);
        var api = resources.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "api");
        Assert.Equal("healthy", api.GetProperty("health").GetString());
    }

    [Fact]
    public async Task ConsoleLogsOfAResourceAreServed()
    {
        using var client = new HttpClient { BaseAddress = _app.DashboardUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _app.DashboardToken);

        var lines = await client.GetFromJsonAsync<JsonElement>("/api/resources/migrator/logs");
        using var page = await client.GetAsync("/resources/migrator/logs");
        using var unknown = await client.GetAsync("/api/resources/nope/logs");

        Assert.Contains(lines.EnumerateArray(), line => line.GetProperty("text").GetString()!.Contains("Schema is at version", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
