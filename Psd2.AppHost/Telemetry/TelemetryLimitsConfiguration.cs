using Microsoft.Extensions.Configuration;

namespace Psd2.AppHost.Telemetry;

/// <summary>Reads <see cref="TelemetryLimits"/> from <c>AppHost:Dashboard</c>, keeping the defaults for what is not set.</summary>
public static class TelemetryLimitsConfiguration
{
    public static TelemetryLimits Read(IConfiguration section)
    {
        var defaults = new TelemetryLimits();
        var limits = new TelemetryLimits
        {
            MaxSpansPerResource = section.GetValue(nameof(TelemetryLimits.MaxSpansPerResource), defaults.MaxSpansPerResource),
            MaxLogRecordsPerResource = section.GetValue(nameof(TelemetryLimits.MaxLogRecordsPerResource), defaults.MaxLogRecordsPerResource),
            MaxMetricPointsPerResource = section.GetValue(nameof(TelemetryLimits.MaxMetricPointsPerResource), defaults.MaxMetricPointsPerResource),
            MaxResources = section.GetValue(nameof(TelemetryLimits.MaxResources), defaults.MaxResources),
            MaxValueLength = section.GetValue(nameof(TelemetryLimits.MaxValueLength), defaults.MaxValueLength),
            MaxAttributes = section.GetValue(nameof(TelemetryLimits.MaxAttributes), defaults.MaxAttributes),
            MaxEventsPerSpan = section.GetValue(nameof(TelemetryLimits.MaxEventsPerSpan), defaults.MaxEventsPerSpan),
            MaxRequestBytes = section.GetValue(nameof(TelemetryLimits.MaxRequestBytes), defaults.MaxRequestBytes),
        };
        foreach (var (name, value) in new[]
        {
            (nameof(limits.MaxSpansPerResource), limits.MaxSpansPerResource), (nameof(limits.MaxLogRecordsPerResource), limits.MaxLogRecordsPerResource),
            (nameof(limits.MaxMetricPointsPerResource), limits.MaxMetricPointsPerResource), (nameof(limits.MaxResources), limits.MaxResources),
            (nameof(limits.MaxValueLength), limits.MaxValueLength), (nameof(limits.MaxAttributes), limits.MaxAttributes),
            (nameof(limits.MaxEventsPerSpan), limits.MaxEventsPerSpan), (nameof(limits.MaxRequestBytes), limits.MaxRequestBytes),
        })
        {
            if (value < 1)
            {
                throw new InvalidOperationException($"AppHost:Dashboard:{name} must be at least 1 (it is {value}).");
            }
        }

        return limits;
    }
}
