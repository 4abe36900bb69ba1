using Psd2.AppHost.Telemetry;
using static Psd2.AppHost.Tests.Telemetry.TestSpans;

namespace Psd2.AppHost.Tests.Telemetry;

public sealed class TelemetryStoreTests
{
    private static readonly TelemetryLimits Small = new() { MaxSpansPerResource = 50, MaxLogRecordsPerResource = 20, MaxMetricPointsPerResource = 10, MaxResources = 3 };

    [Fact]
    public void EachResourceKeepsAtMostItsLimitAndTheNewestWhateverTheOthersSend()
    {
        var store = new TelemetryStore(Small);

        for (var i = 0; i < 1_000; i++)
        {
            store.ResourceFor("api")!.Spans.Add(Span("api", $"{i:x32}", $"{i:x16}", null, i, i + 1));
        }

        store.ResourceFor("worker")!.Spans.Add(Span("worker", $"{1:x32}", "w", null, 0, 1));

        var api = store.Resource("api")!.Spans.Snapshot();
        Assert.Equal(50, api.Length);
        Assert.Equal($"{999:x16}", api[^1].SpanId);
        Assert.Single(store.Resource("worker")!.Spans.Snapshot());
    }

    [Fact]
    public void ResourcesBeyondTheLimitAreRefusedNotStored()
    {
        var store = new TelemetryStore(Small);

        Assert.NotNull(store.ResourceFor("a"));
        Assert.NotNull(store.ResourceFor("b"));
        Assert.NotNull(store.ResourceFor("c"));
        Assert.Null(store.ResourceFor("d"));
        Assert.NotNull(store.ResourceFor("a"));
        Assert.Equal(["a", "b", "c"], store.ResourceNames);
    }

    [Fact]
    public void ATraceIsAssembledFromTheSpansOfEveryResource()
    {
        var store = new TelemetryStore(Small);
        const string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        store.ResourceFor("api")!.Spans.AddRange([Span("api", trace, "root", null, 0, 100), Span("api", trace, "call", "root", 10, 90), Span("api", $"{7:x32}", "other", null, 0, 1)]);
        store.ResourceFor("sandboxbank")!.Spans.Add(Span("sandboxbank", trace, "bank", "call", 20, 80));

        var view = store.Trace(trace)!;

        Assert.Equal(["root", "call", "bank"], view.Spans.Select(s => s.Span.SpanId));
        Assert.Equal(["api", "sandboxbank"], view.Summary.Resources);
        Assert.Null(store.Trace($"{8:x32}"));
    }

    [Fact]
    public void TracesAreFilteredByResourceTextErrorsAndDuration()
    {
        var store = new TelemetryStore(Small);
        store.ResourceFor("api")!.Spans.AddRange(
        [
            Span("api", $"{1:x32}", "a1", null, 0, 5, "GET /health"),
            Span("api", $"{2:x32}", "a2", null, 10, 500, "GET /connect/callback"),
            Span("api", $"{3:x32}", "a3", null, 20, 30, "POST /v1/users", error: true),
        ]);
        store.ResourceFor("sandboxbank")!.Spans.Add(Span("sandboxbank", $"{2:x32}", "b2", "a2", 100, 200, "POST /token", attributes: new KeyValuePair<string, string>("url.path", "/oauth/token")));

        static string[] Roots(IReadOnlyList<TraceSummary> traces) => traces.Select(t => t.RootName).ToArray();

        Assert.Equal(["POST /v1/users", "GET /connect/callback", "GET /health"], Roots(store.Traces(new TraceFilter(), 10)));
        Assert.Equal(["GET /connect/callback"], Roots(store.Traces(new TraceFilter(Resource: "sandboxbank"), 10)));
        Assert.Equal(["GET /connect/callback"], Roots(store.Traces(new TraceFilter(Text: "oauth/TOKEN"), 10)));
        Assert.Equal(["POST /v1/users"], Roots(store.Traces(new TraceFilter(ErrorsOnly: true), 10)));
        Assert.Equal(["GET /connect/callback"], Roots(store.Traces(new TraceFilter(MinDuration: TimeSpan.FromMilliseconds(100)), 10)));
        Assert.Single(store.Traces(new TraceFilter(), 1));
    }

    [Fact]
    public void LogsAreFilteredByResourceLowestLevelTextAndTraceNewestFirst()
    {
        var store = new TelemetryStore(Small);
        StoredLogRecord Log(string resource, int severity, string message, string? trace = null) =>
            new(store.NextLogSequence(), resource, 0, severity, "Psd2.Test", message, trace, null, [new("ConnectionId", "c-42")]);
        store.ResourceFor("api")!.Logs.AddRange([Log("api", 9, "started"), Log("api", 13, "slow bank", "t1"), Log("api", 17, "failed", "t2")]);
        store.ResourceFor("worker")!.Logs.Add(Log("worker", 9, "job ran", "t1"));

        static string[] Messages(IReadOnlyList<StoredLogRecord> logs) => logs.Select(l => l.Message).ToArray();

        Assert.Equal(["job ran", "failed", "slow bank", "started"], Messages(store.Logs(new LogFilter(), 10)));
        Assert.Equal(["failed", "slow bank", "started"], Messages(store.Logs(new LogFilter(Resource: "api"), 10)));
        Assert.Equal(["failed", "slow bank"], Messages(store.Logs(new LogFilter(MinLevel: LogLevelName.Warning), 10)));
        Assert.Equal(["slow bank"], Messages(store.Logs(new LogFilter(Text: "SLOW"), 10)));
        Assert.Equal(4, store.Logs(new LogFilter(Text: "c-42"), 10).Count);
        Assert.Equal(["job ran", "slow bank"], Messages(store.Logs(new LogFilter(TraceId: "t1"), 10)));
    }

    [Theory]
    [InlineData(1, LogLevelName.Trace)]
    [InlineData(5, LogLevelName.Debug)]
    [InlineData(9, LogLevelName.Information)]
    [InlineData(12, LogLevelName.Information)]
    [InlineData(13, LogLevelName.Warning)]
    [InlineData(17, LogLevelName.Error)]
    [InlineData(21, LogLevelName.Critical)]
    public void SeverityNumbersMapToTheServicesLevels(int severity, LogLevelName level) => Assert.Equal(level, StoredLogRecord.LevelOf(severity));
}
