using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Dashboard;

/// <summary>The JSON behind the telemetry pages, for scripts and tests: the same data, with links to the pages.</summary>
internal static class TelemetryJson
{
    public static object Log(StoredLogRecord log) => new
    {
        log.Sequence,
        log.Time,
        log.Resource,
        Level = log.Level.ToString(),
        log.Category,
        log.Message,
        log.TraceId,
        log.SpanId,
        TraceUrl = log.TraceId is null ? null : StructuredLogsPage.TraceLink(log.TraceId, log.SpanId),
        Attributes = Map(log.Attributes),
    };

    public static object Summary(TraceSummary trace) => new
    {
        trace.TraceId,
        trace.RootResource,
        trace.RootName,
        trace.Start,
        DurationMs = trace.Duration.TotalMilliseconds,
        trace.Resources,
        trace.SpanCount,
        trace.HasError,
        Url = "/traces/" + trace.TraceId,
    };

    public static object Trace(TraceView trace, IReadOnlyList<StoredLogRecord> logs, PeerNames peers) => new
    {
        Summary = Summary(trace.Summary),
        Spans = trace.Spans.Select(view => new
        {
            view.Span.SpanId,
            view.Span.ParentSpanId,
            view.Span.Resource,
            view.Span.Name,
            view.Span.Kind,
            Peer = peers.Of(view.Span),
            view.Span.Start,
            DurationMs = view.Span.Duration.TotalMilliseconds,
            Status = view.Span.Status.ToString(),
            view.Span.StatusMessage,
            view.Depth,
            Attributes = Map(view.Span.Attributes),
            Events = view.Span.Events.Select(e => new { Time = UnixNano.ToDateTime(e.TimeUnixNano), e.Name, Attributes = Map(e.Attributes) }),
        }),
        Logs = logs.Select(Log),
    };

    public static object Instrument(MetricsPage.Instrument instrument) => new
    {
        instrument.Name,
        instrument.Scope,
        instrument.Description,
        instrument.Unit,
        Kind = instrument.Kind.ToString(),
        Latest = instrument.Latest.Select(p => new { p.Time, p.Series, p.Value, p.Count, p.Sum }),
    };

    // Attribute keys may repeat in OTLP; the last one wins, as in most SDKs.
    private static Dictionary<string, string> Map(IEnumerable<KeyValuePair<string, string>> attributes)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            map[key] = value;
        }

        return map;
    }
}
