namespace Psd2.AppHost.Telemetry;

/// <summary>The structured logs page's filter: a resource, a lowest level, text in the message or an attribute, a trace.</summary>
public sealed record LogFilter(string? Resource = null, LogLevelName? MinLevel = null, string? Text = null, string? TraceId = null)
{
    public bool Matches(StoredLogRecord log) =>
        (string.IsNullOrEmpty(Resource) || log.Resource == Resource)
        && (MinLevel is null || log.Level >= MinLevel)
        && (string.IsNullOrEmpty(TraceId) || log.TraceId == TraceId)
        && (string.IsNullOrEmpty(Text)
            || log.Message.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || log.Category.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || log.Attributes.Any(a => a.Value.Contains(Text, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>The traces page's filter: a resource taking part, text in a span's name or attributes, errors only, a shortest duration.</summary>
public sealed record TraceFilter(string? Resource = null, string? Text = null, bool ErrorsOnly = false, TimeSpan? MinDuration = null)
{
    public bool Matches(TraceSummary trace) =>
        (string.IsNullOrEmpty(Resource) || trace.Resources.Contains(Resource))
        && (!ErrorsOnly || trace.HasError)
        && (MinDuration is null || trace.Duration >= MinDuration)
        && (string.IsNullOrEmpty(Text) || trace.Spans.Any(s =>
            s.Name.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || s.Attributes.Any(a => a.Value.Contains(Text, StringComparison.OrdinalIgnoreCase))));
}
