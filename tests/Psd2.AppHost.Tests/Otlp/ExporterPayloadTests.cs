using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Tests.Otlp;

/// <summary>What the OpenTelemetry .NET OTLP exporter really sends (http/protobuf) decodes into what the dashboard shows.</summary>
public sealed class ExporterPayloadTests : IAsyncLifetime
{
    private const string SourceName = "Psd2.AppHost.Tests.Otlp";
    private ReceiverHost _receiver = null!;

    public async Task InitializeAsync() => _receiver = await ReceiverHost.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private void Exporter(OtlpExporterOptions options, string signal)
    {
        options.Endpoint = new Uri(_receiver.Url, signal);
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.ExportProcessorType = ExportProcessorType.Simple;
    }

    private static ResourceBuilder Service(string name) => ResourceBuilder.CreateEmpty().AddService(name);

    [Fact]
    public void SpansKeepTheirIdsParentsKindStatusAttributesAndEvents()
    {
        using var source = new ActivitySource(SourceName);
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Service("api"))
            .AddSource(SourceName)
            .AddOtlpExporter(o => Exporter(o, "/v1/traces"))
            .Build();

        string traceId, rootId, childId;
        using (var root = source.StartActivity("GET /connect/callback", ActivityKind.Server)!)
        {
            root.SetTag("http.request.method", "GET");
            root.SetTag("http.response.status_code", 302);
            using (var child = source.StartActivity("SELECT psd2db", ActivityKind.Client)!)
            {
                child.SetTag("db.system.name", "postgresql");
                child.SetTag("server.port", 5432);
                child.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["attempt"] = 2 }));
                child.SetStatus(ActivityStatusCode.Error, "timeout");
                childId = child.SpanId.ToHexString();
            }

            traceId = root.TraceId.ToHexString();
            rootId = root.SpanId.ToHexString();
        }

        Assert.True(tracing.ForceFlush(10_000));
        var spans = _receiver.Store.Resource("api")!.Spans.Snapshot();

        Assert.Equal(2, spans.Length);
        var server = spans.Single(s => s.SpanId == rootId);
        var client = spans.Single(s => s.SpanId == childId);
        Assert.Equal((traceId, null, "server", "GET /connect/callback"), (server.TraceId, server.ParentSpanId, server.Kind, server.Name));
        Assert.Equal("302", server.Attribute("http.response.status_code"));
        Assert.Equal(SourceName, server.Scope);
        Assert.Equal((traceId, rootId, "client"), (client.TraceId, client.ParentSpanId, client.Kind));
        Assert.Equal(("postgresql", "5432"), (client.Attribute("db.system.name"), client.Attribute("server.port")));
        Assert.Equal((SpanStatus.Error, "timeout"), (client.Status, client.StatusMessage));
        var retry = Assert.Single(client.Events);
        Assert.Equal(("retry", "2"), (retry.Name, retry.Attributes.Single(a => a.Key == "attempt").Value));
        Assert.InRange(server.Start, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.True(server.EndUnixNano >= client.EndUnixNano && client.StartUnixNano >= server.StartUnixNano);
    }

    [Fact]
    public void LogRecordsCarryTheirLevelCategoryMessageAttributesAndTheTraceTheyWereWrittenIn()
    {
        using var source = new ActivitySource(SourceName);
        using var listener = new ActivityListener { ShouldListenTo = s => s.Name == SourceName, Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        var factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(Service("worker"));
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter(e => Exporter(e, "/v1/logs"));
        }));
        string traceId, spanId;
        using (factory)
        {
            var logger = factory.CreateLogger("Psd2.Worker.Sync");
            using (var activity = source.StartActivity("sync")!)
            {
                traceId = activity.TraceId.ToHexString();
                spanId = activity.SpanId.ToHexString();
#pragma warning disable CA1848, CA2254 // a plain call, as the services' code writes them
                logger.LogWarning("Sync {SyncRunId} of connection {ConnectionId} stopped", 7, "c-1");
#pragma warning restore CA1848, CA2254
            }

            logger.LogError("outside any trace");
        }

        var logs = _receiver.Store.Resource("worker")!.Logs.Snapshot();
        Assert.Equal(2, logs.Length);
        var warning = logs[0];
        Assert.Equal((LogLevelName.Warning, "Psd2.Worker.Sync", "Sync 7 of connection c-1 stopped"), (warning.Level, warning.Category, warning.Message));
        Assert.Equal((traceId, spanId), (warning.TraceId, warning.SpanId));
        Assert.Contains(new KeyValuePair<string, string>("ConnectionId", "c-1"), warning.Attributes);
        Assert.Contains(new KeyValuePair<string, string>("SyncRunId", "7"), warning.Attributes);
        Assert.Equal((LogLevelName.Error, null), (logs[1].Level, logs[1].TraceId));
        Assert.True(logs[1].Sequence > warning.Sequence);
    }

    [Fact]
    public void HistogramsCountersAndGaugesArriveWithTheirSeries()
    {
        using var meter = new Meter(SourceName);
        var duration = meter.CreateHistogram<double>("http.server.request.duration", "s", "Duration of HTTP server requests.");
        var requests = meter.CreateCounter<long>("requests");
        meter.CreateObservableGauge("queue.length", () => 3);
        using var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Service("api"))
            .AddMeter(SourceName)
            .AddOtlpExporter((e, reader) =>
            {
                Exporter(e, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();

        duration.Record(0.004, new KeyValuePair<string, object?>("http.route", "/health"));
        duration.Record(0.3, new KeyValuePair<string, object?>("http.route", "/health"));
        duration.Record(0.02, new KeyValuePair<string, object?>("http.route", "/v1/users"));
        requests.Add(5);
        Assert.True(metrics.ForceFlush(10_000));

        var points = _receiver.Store.Resource("api")!.Metrics.Snapshot();
        var health = points.Single(p => p.Name == "http.server.request.duration" && p.Series == "http.route=/health");
        Assert.Equal((MetricKind.Histogram, "s", true, 2UL), (health.Kind, health.Unit, health.IsCumulative, health.Count));
        Assert.Equal(0.304, health.Sum, 9);
        Assert.Equal(health.Bounds.Count + 1, health.BucketCounts.Count);
        Assert.Equal(2UL, health.BucketCounts.Aggregate(0UL, (a, b) => a + b));
        Assert.Single(points, p => p.Name == "http.server.request.duration" && p.Series == "http.route=/v1/users");
        Assert.Equal((MetricKind.Sum, 5.0), points.Where(p => p.Name == "requests").Select(p => (p.Kind, p.Value)).Single());
        Assert.Equal((MetricKind.Gauge, 3.0), points.Where(p => p.Name == "queue.length").Select(p => (p.Kind, p.Value)).Single());
    }
}
