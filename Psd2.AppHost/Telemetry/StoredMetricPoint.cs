namespace Psd2.AppHost.Telemetry;

/// <summary>
/// One data point of one instrument: a number for gauges and sums, count, sum and buckets for histograms.
/// <see cref="Series"/> is the attribute set as text, which tells the time series of one instrument apart.
/// </summary>
public sealed record StoredMetricPoint(
    string Resource,
    string Scope,
    string Name,
    string Description,
    string Unit,
    MetricKind Kind,
    bool IsCumulative,
    long TimeUnixNano,
    string Series,
    double? Value,
    ulong Count,
    double Sum,
    IReadOnlyList<double> Bounds,
    IReadOnlyList<ulong> BucketCounts)
{
    public DateTimeOffset Time => UnixNano.ToDateTime(TimeUnixNano);
}

public enum MetricKind
{
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
    Summary,
}
