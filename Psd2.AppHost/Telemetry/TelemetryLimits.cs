namespace Psd2.AppHost.Telemetry;

/// <summary>
/// How much telemetry the dashboard keeps in memory. Every buffer is a ring per resource: when one is full the oldest
/// entry makes room, so memory stays flat however long the app runs and however much it exports.
/// </summary>
public sealed class TelemetryLimits
{
    /// <summary>Spans kept per resource (<c>AppHost:Dashboard:MaxSpansPerResource</c>).</summary>
    public int MaxSpansPerResource { get; init; } = 10_000;

    /// <summary>Structured log records kept per resource (<c>AppHost:Dashboard:MaxLogRecordsPerResource</c>).</summary>
    public int MaxLogRecordsPerResource { get; init; } = 10_000;

    /// <summary>Metric points kept per resource (<c>AppHost:Dashboard:MaxMetricPointsPerResource</c>).</summary>
    public int MaxMetricPointsPerResource { get; init; } = 10_000;

    /// <summary>Distinct resources (service.name values) kept; telemetry of further ones is refused, not stored.</summary>
    public int MaxResources { get; init; } = 64;

    /// <summary>Attribute values, log bodies and span names longer than this are cut, so one huge value cannot grow memory.</summary>
    public int MaxValueLength { get; init; } = 4096;

    /// <summary>Attributes kept per span, event, log record or point; the rest are dropped.</summary>
    public int MaxAttributes { get; init; } = 128;

    /// <summary>Events kept per span.</summary>
    public int MaxEventsPerSpan { get; init; } = 128;

    /// <summary>The largest OTLP request body accepted, after decompression.</summary>
    public int MaxRequestBytes { get; init; } = 8 * 1024 * 1024;
}
