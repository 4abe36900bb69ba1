namespace Psd2.AppHost.Telemetry;

/// <summary>One structured log record: its level from the OTLP severity number, the logger's category, the formatted message.</summary>
public sealed record StoredLogRecord(
    long Sequence,
    string Resource,
    long TimeUnixNano,
    int SeverityNumber,
    string Category,
    string Message,
    string? TraceId,
    string? SpanId,
    IReadOnlyList<KeyValuePair<string, string>> Attributes)
{
    public DateTimeOffset Time => UnixNano.ToDateTime(TimeUnixNano);

    public LogLevelName Level => LevelOf(SeverityNumber);

    /// <summary>OTLP's severity ranges: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal.</summary>
    public static LogLevelName LevelOf(int severityNumber) => severityNumber switch
    {
        <= 0 => LogLevelName.Information,
        <= 4 => LogLevelName.Trace,
        <= 8 => LogLevelName.Debug,
        <= 12 => LogLevelName.Information,
        <= 16 => LogLevelName.Warning,
        <= 20 => LogLevelName.Error,
        _ => LogLevelName.Critical,
    };
}

/// <summary>The levels of Microsoft.Extensions.Logging, lowest first, which is how the services name them.</summary>
public enum LogLevelName
{
    Trace,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
}
