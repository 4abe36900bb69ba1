using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Psd2.AppHost.Otlp.Proto.Common;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Otlp;

/// <summary>OTLP's typed values turned into the text the dashboard shows, cut to the configured lengths.</summary>
internal sealed class OtlpValues(TelemetryLimits limits)
{
    public const string UnknownService = "unknown_service";

    public string Cut(string value) => value.Length <= limits.MaxValueLength ? value : value[..limits.MaxValueLength] + "…";

    public KeyValuePair<string, string>[] Attributes(RepeatedField<KeyValue> attributes)
    {
        var count = Math.Min(attributes.Count, limits.MaxAttributes);
        var result = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new(Cut(attributes[i].Key), Cut(Text(attributes[i].Value)));
        }

        return result;
    }

    /// <summary>The resource's <c>service.name</c>, which the AppHost sets to the resource's name (OTEL_SERVICE_NAME).</summary>
    public string ServiceName(Proto.Resource.Resource? resource)
    {
        var name = resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value;
        return name is { ValueCase: AnyValue.ValueOneofCase.StringValue, StringValue.Length: > 0 } ? Cut(name.StringValue) : UnknownService;
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
