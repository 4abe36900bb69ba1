using Psd2.AppHost.Dashboard;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Tests.Dashboard;

public sealed class RequestDurationChartTests
{
    private static readonly double[] Bounds = [0.005, 0.01, 0.025, 0.05, 0.1];

    private static StoredMetricPoint Point(long second, string route, ulong count, double sum, ulong[] buckets, bool cumulative = true) =>
        new("api", "Microsoft.AspNetCore.Hosting", RequestDurationChart.Instrument, "", "s", MetricKind.Histogram, cumulative,
            second * 1_000_000_000, "http.route=" + route, null, count, sum, Bounds, buckets);

    [Fact]
    public void CumulativeSeriesBecomePerIntervalCountsMeansAndPercentilesAcrossRoutes()
    {
        var points = new[]
        {
            Point(5, "/health", 10, 0.02, [10, 0, 0, 0, 0, 0]),
            Point(5, "/v1/users", 2, 0.1, [0, 0, 0, 2, 0, 0]),
            Point(10, "/health", 30, 0.06, [30, 0, 0, 0, 0, 0]),
            Point(10, "/v1/users", 2, 0.1, [0, 0, 0, 2, 0, 0]),
            Point(15, "/health", 31, 0.062, [31, 0, 0, 0, 0, 0]),
            Point(15, "/v1/users", 21, 1.9, [0, 0, 0, 2, 0, 19]),
        };

        var intervals = RequestDurationChart.Intervals(points.Reverse());

        Assert.Equal([12UL, 20UL, 20UL], intervals.Select(i => i.Requests));
        Assert.Equal(1000 * 0.12 / 12, intervals[0].MeanMs, 6);
        Assert.Equal(1000 * 0.04 / 20, intervals[1].MeanMs, 6);
        Assert.Equal(1000 * 1.802 / 20, intervals[2].MeanMs, 6);
        Assert.Equal(50, intervals[0].P95Ms, 6);
        Assert.Equal(5, intervals[1].P95Ms, 6);
        // The 95th percentile falls in the overflow bucket: the last finite bound is what can be said.
        Assert.Equal(100, intervals[2].P95Ms, 6);
    }

    [Fact]
    public void ASeriesThatStartsAgainAfterARestartCountsFromZero()
    {
        var intervals = RequestDurationChart.Intervals(
        [
            Point(5, "/health", 100, 0.2, [100, 0, 0, 0, 0, 0]),
            Point(10, "/health", 3, 0.006, [3, 0, 0, 0, 0, 0]),
        ]);

        Assert.Equal([100UL, 3UL], intervals.Select(i => i.Requests));
    }

    [Fact]
    public void DeltaSeriesAreTakenAsTheyAre()
    {
        var intervals = RequestDurationChart.Intervals(
        [
            Point(5, "/health", 4, 0.008, [4, 0, 0, 0, 0, 0], cumulative: false),
            Point(10, "/health", 4, 0.008, [4, 0, 0, 0, 0, 0], cumulative: false),
        ]);

        Assert.Equal([4UL, 4UL], intervals.Select(i => i.Requests));
        Assert.Contains("<polyline class=\"mean\"", RequestDurationChart.Svg(intervals), StringComparison.Ordinal);
        Assert.Contains("Not enough points", RequestDurationChart.Svg(intervals.Take(1).ToList()), StringComparison.Ordinal);
    }
}
