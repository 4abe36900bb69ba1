using System.Collections.Concurrent;

namespace Psd2.AppHost.Telemetry;

/// <summary>
/// Everything the services exported over OTLP, by resource (their <c>service.name</c>), in bounded rings; queries read
/// snapshots, so they never hold up the receiver for long.
/// </summary>
public sealed class TelemetryStore(TelemetryLimits limits)
{
    private readonly ConcurrentDictionary<string, ResourceTelemetry> _resources = new(StringComparer.Ordinal);
    private readonly Lock _adding = new();
    private long _logSequence;

    public TelemetryLimits Limits { get; } = limits;

    /// <summary>Names of the resources that exported anything, sorted.</summary>
    public IReadOnlyList<string> ResourceNames => _resources.Keys.Order(StringComparer.Ordinal).ToList();

    public ResourceTelemetry? Resource(string name) => _resources.GetValueOrDefault(name);

    /// <summary>The rings of a resource, created on its first export; null once <see cref="TelemetryLimits.MaxResources"/> are known.</summary>
    public ResourceTelemetry? ResourceFor(string name)
    {
        if (_resources.TryGetValue(name, out var known))
        {
            return known;
        }

        lock (_adding)
        {
            return _resources.Count >= Limits.MaxResources ? _resources.GetValueOrDefault(name) : _resources.GetOrAdd(name, n => new ResourceTelemetry(n, Limits));
        }
    }

    /// <summary>The next number for a log record; numbers grow across resources, so pages can ask for what came after.</summary>
    public long NextLogSequence() => Interlocked.Increment(ref _logSequence);

    public IEnumerable<StoredSpan> AllSpans() => _resources.Values.SelectMany(r => r.Spans.Snapshot());

    public IEnumerable<StoredLogRecord> AllLogs() => _resources.Values.SelectMany(r => r.Logs.Snapshot());

    /// <summary>Log records matching the filter, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<StoredLogRecord> Logs(LogFilter filter, int limit) => AllLogs()
        .Where(filter.Matches)
        .OrderByDescending(l => l.Sequence)
        .Take(limit)
        .ToList();

    /// <summary>Every span of one trace, whichever resources sent them, assembled into a tree; null when none is kept.</summary>
    public TraceView? Trace(string traceId)
    {
        var spans = AllSpans().Where(s => s.TraceId == traceId).ToList();
        return spans.Count == 0 ? null : TraceAssembly.Assemble(traceId, spans);
    }

    /// <summary>Traces matching the filter, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<TraceSummary> Traces(TraceFilter filter, int limit) => AllSpans()
        .GroupBy(s => s.TraceId, StringComparer.Ordinal)
        .Select(g => TraceAssembly.Summarize(g.Key, g.ToList()))
        .Where(filter.Matches)
        .OrderByDescending(t => t.StartUnixNano)
        .Take(limit)
        .ToList();
}
