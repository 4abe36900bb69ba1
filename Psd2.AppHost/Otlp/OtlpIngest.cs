using Psd2.AppHost.Otlp.Proto.Collector;
using Psd2.AppHost.Otlp.Proto.Metrics;
using Psd2.AppHost.Telemetry;
using ProtoSpan = Psd2.AppHost.Otlp.Proto.Trace.Span;
using ProtoStatus = Psd2.AppHost.Otlp.Proto.Trace.Status;

namespace Psd2.AppHost.Otlp;

/// <summary>
/// Turns decoded OTLP export requests into what the store keeps, resource by resource. Returns how many items were
/// rejected (malformed ids, or a resource beyond the store's limit), which the receiver reports as partial success.
/// </summary>
internal sealed class OtlpIngest(TelemetryStore store)
{
    private readonly OtlpValues _values = new(store.Limits);

    public long Add(ExportTraceServiceRequest request)
    {
        long rejected = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var count = resourceSpans.ScopeSpans.Sum(s => s.Spans.Count);
            var name = _values.ServiceName(resourceSpans.Resource);
            if (store.ResourceFor(name) is not { } target)
            {
                rejected += count;
                continue;
            }

            var spans = new List<StoredSpan>(count);
            var ids = new SpanIds();
            foreach (var scope in resourceSpans.ScopeSpans)
            {
                var scopeName = _values.Shared(_values.Cut(scope.Scope?.Name ?? ""));
                foreach (var span in scope.Spans)
                {
                    if (Span(name, scopeName, span, ids) is { } stored)
                    {
                        spans.Add(stored);
                    }
                    else
                    {
                        rejected++;
                    }
                }
            }

            target.Spans.AddRange(spans);
        }

        return rejected;
    }

    public long Add(ExportLogsServiceRequest request)
    {
        long rejected = 0;
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var name = _values.ServiceName(resourceLogs.Resource);
            if (store.ResourceFor(name) is not { } target)
            {
                rejected += resourceLogs.ScopeLogs.Sum(s => s.LogRecords.Count);
                continue;
            }

            var records = new List<StoredLogRecord>();
            var ids = new SpanIds();
            foreach (var scope in resourceLogs.ScopeLogs)
            {
                var category = _values.Shared(_values.Cut(scope.Scope?.Name ?? ""));
                foreach (var log in scope.LogRecords)
                {
                    var time = log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
                    records.Add(new StoredLogRecord(
                        store.NextLogSequence(), name, (long)time, (int)log.SeverityNumber, category,
                        _values.Cut(OtlpValues.Text(log.Body)),
                        ids.Trace(log.TraceId), ids.Span(log.SpanId),
                        _values.Attributes(log.Attributes)));
                }
            }

            target.Logs.AddRange(records);
        }

        return rejected;
    }

    public long Add(ExportMetricsServiceRequest request)
    {
        long rejected = 0;
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var name = _values.ServiceName(resourceMetrics.Resource);
            var points = resourceMetrics.ScopeMetrics.SelectMany(scope => scope.Metrics.SelectMany(metric => Points(name, _values.Shared(_values.Cut(scope.Scope?.Name ?? "")), metric))).ToList();
            if (store.ResourceFor(name) is not { } target)
            {
                rejected += points.Count;
                continue;
            }

            target.Metrics.AddRange(points);
        }

        return rejected;
    }

    private StoredSpan? Span(string resource, string scope, ProtoSpan span, SpanIds ids)
    {
        if (ids.Trace(span.TraceId) is not { } traceId || ids.Span(span.SpanId) is not { } spanId)
        {
            return null;
        }

        var events = span.Events.Take(store.Limits.MaxEventsPerSpan)
            .Select(e => new StoredSpanEvent((long)e.TimeUnixNano, _values.Shared(_values.Cut(e.Name)), _values.Attributes(e.Attributes)))
            .ToArray();
        return new StoredSpan(
            resource, traceId, spanId, ids.Span(span.ParentSpanId), _values.Shared(_values.Cut(span.Name)), KindName(span.Kind),
            (long)span.StartTimeUnixNano, (long)span.EndTimeUnixNano, Status(span.Status), span.Status is { Message.Length: > 0 } ? _values.Cut(span.Status.Message) : null,
            scope, _values.Attributes(span.Attributes), events);
    }

    /// <summary>
    /// Hex ids of one export request: a trace's spans travel together, and a parent's id is a span's id seen before,
    /// so each distinct id becomes one string shared by the spans that carry it.
    /// </summary>
    private sealed class SpanIds
    {
        private readonly Dictionary<Google.Protobuf.ByteString, string> _seen = [];

        public string? Trace(Google.Protobuf.ByteString bytes) => Lookup(bytes, 16);

        public string? Span(Google.Protobuf.ByteString bytes) => Lookup(bytes, 8);

        private string? Lookup(Google.Protobuf.ByteString bytes, int length)
        {
            if (bytes.Length != length)
            {
                return null;
            }

            if (!_seen.TryGetValue(bytes, out var hex))
            {
                hex = OtlpValues.Id(bytes, length);
                if (hex is not null)
                {
                    _seen[bytes] = hex;
                }
            }

            return hex;
        }
    }

    private static SpanStatus Status(ProtoStatus? status) => status?.Code switch
    {
        ProtoStatus.Types.StatusCode.Error => SpanStatus.Error,
        ProtoStatus.Types.StatusCode.Ok => SpanStatus.Ok,
        _ => SpanStatus.Unset,
    };

    private static string KindName(ProtoSpan.Types.SpanKind kind) => kind switch
    {
        ProtoSpan.Types.SpanKind.Server => "server",
        ProtoSpan.Types.SpanKind.Client => "client",
        ProtoSpan.Types.SpanKind.Producer => "producer",
        ProtoSpan.Types.SpanKind.Consumer => "consumer",
        _ => "internal",
    };

    private IEnumerable<StoredMetricPoint> Points(string resource, string scope, Metric metric)
    {
        var name = _values.Shared(_values.Cut(metric.Name));
        var description = _values.Cut(metric.Description);
        var unit = _values.Shared(_values.Cut(metric.Unit));
        StoredMetricPoint Point(MetricKind kind, bool cumulative, ulong time, Google.Protobuf.Collections.RepeatedField<Proto.Common.KeyValue> attributes,
            double? value, ulong count = 0, double sum = 0, IReadOnlyList<double>? bounds = null, IReadOnlyList<ulong>? buckets = null) =>
            new(resource, scope, name, description, unit, kind, cumulative, (long)time, SeriesKey(attributes), value, count, sum, bounds ?? [], buckets ?? []);

        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                return metric.Gauge.DataPoints.Select(p => Point(MetricKind.Gauge, false, p.TimeUnixNano, p.Attributes, Number(p)));
            case Metric.DataOneofCase.Sum:
                var cumulativeSum = metric.Sum.AggregationTemporality == AggregationTemporality.Cumulative;
                return metric.Sum.DataPoints.Select(p => Point(MetricKind.Sum, cumulativeSum, p.TimeUnixNano, p.Attributes, Number(p)));
            case Metric.DataOneofCase.Histogram:
                var cumulative = metric.Histogram.AggregationTemporality == AggregationTemporality.Cumulative;
                return metric.Histogram.DataPoints.Select(p => Point(MetricKind.Histogram, cumulative, p.TimeUnixNano, p.Attributes,
                    null, p.Count, p.Sum, p.ExplicitBounds.ToArray(), p.BucketCounts.ToArray()));
            case Metric.DataOneofCase.ExponentialHistogram:
                var exponentialCumulative = metric.ExponentialHistogram.AggregationTemporality == AggregationTemporality.Cumulative;
                return metric.ExponentialHistogram.DataPoints.Select(p => Point(MetricKind.ExponentialHistogram, exponentialCumulative, p.TimeUnixNano, p.Attributes, null, p.Count, p.Sum));
            case Metric.DataOneofCase.Summary:
                return metric.Summary.DataPoints.Select(p => Point(MetricKind.Summary, true, p.TimeUnixNano, p.Attributes, null, p.Count, p.Sum));
            default:
                return [];
        }
    }

    private static double? Number(NumberDataPoint point) => point.ValueCase switch
    {
        NumberDataPoint.ValueOneofCase.AsDouble => point.AsDouble,
        NumberDataPoint.ValueOneofCase.AsInt => point.AsInt,
        _ => null,
    };

    // Sorted, so that the same attribute set names the same series whatever order an exporter writes it in.
    private string SeriesKey(Google.Protobuf.Collections.RepeatedField<Proto.Common.KeyValue> attributes) =>
        string.Join(", ", _values.Attributes(attributes).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value));
}
