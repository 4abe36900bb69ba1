namespace Psd2.AppHost.Telemetry;

/// <summary>One span as the dashboard keeps it: ids as lowercase hex, times in Unix nanoseconds, attributes as text.</summary>
public sealed record StoredSpan(
    string Resource,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    long StartUnixNano,
    long EndUnixNano,
    SpanStatus Status,
    string? StatusMessage,
    string Scope,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    IReadOnlyList<StoredSpanEvent> Events)
{
    public TimeSpan Duration => TimeSpan.FromTicks(Math.Max(0, EndUnixNano - StartUnixNano) / 100);

    public DateTimeOffset Start => UnixNano.ToDateTime(StartUnixNano);

    public bool IsError => Status == SpanStatus.Error;

    public string? Attribute(string key) => Attributes.FirstOrDefault(a => a.Key == key).Value;
}

public sealed record StoredSpanEvent(long TimeUnixNano, string Name, IReadOnlyList<KeyValuePair<string, string>> Attributes);

public enum SpanStatus
{
    Unset,
    Ok,
    Error,
}

internal static class UnixNano
{
    public static DateTimeOffset ToDateTime(long unixNano) => DateTimeOffset.UnixEpoch.AddTicks(unixNano / 100);
}
