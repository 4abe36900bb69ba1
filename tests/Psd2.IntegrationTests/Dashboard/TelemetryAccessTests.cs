using System.Net;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>The telemetry pages sit behind the login token like every page; the OTLP port serves OTLP and nothing else.</summary>
[Collection(AppCollection.Name)]
public sealed class TelemetryAccessTests(AppFixture fixture)
{
    [Fact]
    public async Task TheTelemetryPagesAndTheirJsonNeedTheLoginToken()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.App.DashboardUrl };

        foreach (var path in new[] { "/structured-logs", "/traces", "/traces/0af7651916cd43dd8448eb211c80319c", "/metrics", "/api/logs", "/api/traces", "/api/metrics?resource=api" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {(int)response.StatusCode}");
        }

        // The OTLP port serves OTLP only: no page, no login, no way round the token.
        using var otlp = new HttpClient { BaseAddress = fixture.App.OtlpEndpoint };
        using var pageOnOtlp = await otlp.GetAsync("/traces");
        using var jsonBody = await otlp.PostAsync("/v1/traces", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, pageOnOtlp.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, jsonBody.StatusCode);
        Assert.Equal("127.0.0.1", fixture.App.OtlpEndpoint.Host);
    }
}
