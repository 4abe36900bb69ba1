namespace Psd2.AppHost.Telemetry;

/// <summary>What one resource exported: its spans, log records and metric points, each in a ring of its own.</summary>
public sealed class ResourceTelemetry(string name, TelemetryLimits limits)
{
    public string Name { get; } = name;

    public RingBuffer<StoredSpan> Spans { get; } = new(limits.MaxSpansPerResource);

    public RingBuffer<StoredLogRecord> Logs { get; } = new(limits.MaxLogRecordsPerResource);

    public RingBuffer<StoredMetricPoint> Metrics { get; } = new(limits.MaxMetricPointsPerResource);
}
