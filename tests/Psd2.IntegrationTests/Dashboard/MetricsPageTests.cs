using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>The metrics the services export show per resource, with a chart of the api's request durations.</summary>
[Collection(AppCollection.Name)]
public sealed class MetricsPageTests(AppFixture fixture)
{
    [Fact]
    public async Task TheMetricsPageListsTheApisInstrumentsAndChartsItsRequestDurations()
    {
        using var api = fixture.App.CreateHttpClient("api");
        using var dashboard = fixture.App.CreateDashboardClient();

        // Metrics are exported every 5 s: two exports with requests between them make the chart's first line.
        var instruments = await DashboardData.WaitForAsync(dashboard, "/api/metrics?resource=api", found =>
            found.EnumerateArray().Any(i => i.GetProperty("name").GetString() == "http.server.request.duration"), seconds: 30);
        var duration = instruments.EnumerateArray().Single(i => i.GetProperty("name").GetString() == "http.server.request.duration");
        Assert.Equal(("Histogram", "s"), (duration.GetProperty("kind").GetString(), duration.GetProperty("unit").GetString()));
        Assert.Contains(duration.GetProperty("latest").EnumerateArray(), p => p.GetProperty("series").GetString()!.Contains("http.route=/health", StringComparison.Ordinal));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var page = "";
        while (DateTime.UtcNow < deadline && !page.Contains("<polyline class=\"mean\"", StringComparison.Ordinal))
        {
            await api.GetAsync("/info");
            await Task.Delay(1000);
            page = await dashboard.GetStringAsync("/metrics?resource=api");
        }

        Assert.Contains("<polyline class=\"mean\"", page, StringComparison.Ordinal);
        Assert.Contains("data-instrument=\"http.server.request.duration\"", page, StringComparison.Ordinal);
    }
}
