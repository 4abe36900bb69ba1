using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Tests.Telemetry;

internal static class TestSpans
{
    public const long Second = 1_000_000_000;

    public static StoredSpan Span(string resource, string traceId, string spanId, string? parent, long startMs, long endMs, string? name = null, bool error = false,
        params KeyValuePair<string, string>[] attributes) =>
        new(resource, traceId, spanId, parent, name ?? spanId, parent is null ? "server" : "client", startMs * 1_000_000, endMs * 1_000_000,
            error ? SpanStatus.Error : SpanStatus.Unset, null, "test", attributes, []);
}
