using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>The services depend on Aspire-style variables only, not on the AppHost: Kubernetes can run them as they are.</summary>
[Collection(AppCollection.Name)]
public sealed class StandaloneServiceTests(AppFixture fixture)
{
    [Fact]
    public async Task ApiStartedByHandWithAspireVariablesAndItsOwnSettingsIsHealthy()
    {
        var app = fixture.App;
        await using var api = StandaloneService.Start("Psd2.Api", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["OTEL_SERVICE_NAME"] = "api-standalone",
            ["ConnectionStrings__psd2db"] = app.GetConnectionString("psd2db"),
            ["ConnectionStrings__redis"] = app.GetConnectionString("redis"),
            ["services__sandboxbank__https__0"] = app.GetEndpoint("sandboxbank", "https").ToString(),
        }.Concat(StandaloneService.ApiSettings(app)).ToDictionary());

        var report = await api.WaitForHealthyAsync(Eventually.Seconds(30));

        var checks = report.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("PostgreSql").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("StackExchange.Redis").GetProperty("status").GetString());
        using var client = api.CreateClient();
        var info = await client.GetFromJsonAsync<JsonElement>("/info");
        Assert.Equal("api-standalone", info.GetProperty("service").GetString());
    }

    [Fact]
    public async Task ApiWithoutItsRedisConnectionStringFailsAtStartNamingTheKey()
    {
        await using var api = StandaloneService.Start("Psd2.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings__psd2db"] = fixture.App.GetConnectionString("psd2db"),
        });

        var exitCode = await api.WaitForExitAsync(Deadline.In(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings:redis", await api.OutputAsync(), StringComparison.Ordinal);
    }
}
