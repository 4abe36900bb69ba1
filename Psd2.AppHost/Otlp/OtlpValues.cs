using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Psd2.AppHost.Otlp.Proto.Common;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Otlp;

/// <summary>
/// OTLP's typed values turned into the text the dashboard shows, cut to the configured lengths. Attribute keys and
/// short values repeat in nearly every span ("http.request.method", "GET", "postgresql"): they are shared from a
/// bounded pool, so a stored span holds a few objects of its own instead of one per key and value, which keeps the
/// rings smaller and the garbage collector's work on them lighter.
/// </summary>
internal sealed class OtlpValues(TelemetryLimits limits)
{
    public const string UnknownService = "unknown_service";
    private const int PooledLength = 64;
    private const int PoolCapacity = 16_384;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _pool = new(StringComparer.Ordinal);

    /// <summary>The pooled copy of a short string; long ones, and any once the pool is full, are kept as they are.</summary>
    public string Shared(string value)
    {
        if (value.Length > PooledLength)
        {
            return value;
        }

        if (_pool.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        return _pool.Count < PoolCapacity ? _pool.GetOrAdd(value, value) : value;
    }

    public string Cut(string value) => value.Length <= limits.MaxValueLength ? value : value[..limits.MaxValueLength] + "…";

    public KeyValuePair<string, string>[] Attributes(RepeatedField<KeyValue> attributes)
    {
        var count = Math.Min(attributes.Count, limits.MaxAttributes);
        var result = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new(Shared(Cut(attributes[i].Key)), Shared(Cut(Text(attributes[i].Value))));
        }

        return result;
    }

    /// <summary>The resource's <c>service.name</c>, which the AppHost sets to the resource's name (OTEL_SERVICE_NAME).</summary>
    public string ServiceName(Proto.Resource.Resource? resource)
    {
        var name = resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value;
        return name is { ValueCase: AnyValue.ValueOneofCase.StringValue, StringValue.Length: > 0 } ? Shared(Cut(name.StringValue)) : UnknownService;
    }

    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => kv.Key + "=" + Text(kv.Value))) + "}",
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToBase64(),
        _ => "",
    };

    /// <summary>A trace or span id as lowercase hex; null when absent or not of the expected length (all zero counts as absent).</summary>
    public static string? Id(ByteString bytes, int length) =>
        bytes.Length == length && bytes.Span.ContainsAnyExcept((byte)0) ? Convert.ToHexStringLower(bytes.Span) : null;
}
