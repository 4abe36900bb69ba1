using Microsoft.Extensions.Configuration;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Tests.Telemetry;

public sealed class TelemetryLimitsConfigurationTests
{
    private static IConfiguration Section(params (string Key, string Value)[] values) => new ConfigurationBuilder()
        .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("AppHost:Dashboard:" + v.Key, v.Value)))
        .Build()
        .GetSection("AppHost:Dashboard");

    [Fact]
    public void UnsetLimitsKeepTheirDefaults()
    {
        var limits = TelemetryLimitsConfiguration.Read(Section());

        Assert.Equal((10_000, 10_000, 10_000, 64), (limits.MaxSpansPerResource, limits.MaxLogRecordsPerResource, limits.MaxMetricPointsPerResource, limits.MaxResources));
    }

    [Fact]
    public void SetLimitsAreTaken()
    {
        var limits = TelemetryLimitsConfiguration.Read(Section(("MaxSpansPerResource", "50000"), ("MaxLogRecordsPerResource", "200"), ("MaxValueLength", "512")));

        Assert.Equal((50_000, 200, 10_000, 512), (limits.MaxSpansPerResource, limits.MaxLogRecordsPerResource, limits.MaxMetricPointsPerResource, limits.MaxValueLength));
    }

    [Fact]
    public void ALimitBelowOneIsRefusedAtStartWithItsName()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => TelemetryLimitsConfiguration.Read(Section(("MaxMetricPointsPerResource", "0"))));

        Assert.Contains("AppHost:Dashboard:MaxMetricPointsPerResource", refused.Message, StringComparison.Ordinal);
    }
}
