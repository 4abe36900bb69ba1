using System.Collections.Concurrent;
using System.Net;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, a service exports traces, metrics and logs as OTLP http/protobuf.</summary>
[Collection(AppCollection.Name)]
public sealed class TelemetryTests(AppFixture fixture)
{
    [Fact]
    public async Task ApiExportsTracesMetricsAndLogsOverOtlpHttpProtobuf()
    {
        var received = new ConcurrentDictionary<string, string>();
        var collectorPort = Psd2.AppHost.DirectEndpoints.FreePort();
        using var collector = new HttpListener { Prefixes = { $"http://127.0.0.1:{collectorPort}/" } };
        collector.Start();
        var collecting = CollectAsync(collector, received);

        var app = fixture.App;
        await using var api = StandaloneService.Start("Psd2.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings__psd2db"] = app.GetConnectionString("psd2db"),
            ["ConnectionStrings__redis"] = app.GetConnectionString("redis"),
            ["OTEL_SERVICE_NAME"] = "api",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export within a second instead of the SDK's 5 s / 60 s defaults.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        }.Concat(StandaloneService.ApiSettings(app)).ToDictionary());
        try
        {
            await api.WaitForHealthyAsync(Eventually.Seconds(30));
            using var client = api.CreateClient();
            await Eventually.True(async ct =>
            {
                using var _ = await client.GetAsync("/info", ct);
                return received.Count >= 3;
            }, Eventually.Seconds(30), "traces, metrics and logs at the collector");

            Assert.Equal("application/x-protobuf", received["/v1/traces"]);
            Assert.Equal("application/x-protobuf", received["/v1/metrics"]);
            Assert.Equal("application/x-protobuf", received["/v1/logs"]);
        }
        finally
        {
            collector.Stop();
            await collecting;
        }
    }

    private static async Task CollectAsync(HttpListener collector, ConcurrentDictionary<string, string> received)
    {
        while (collector.IsListening)
        {
            try
            {
                var context = await collector.GetContextAsync();
                received[context.Request.Url!.AbsolutePath] = context.Request.ContentType ?? "";
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
        }
    }
}
