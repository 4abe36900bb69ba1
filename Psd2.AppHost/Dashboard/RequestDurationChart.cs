using System.Globalization;
using System.Text;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Dashboard;

/// <summary>One export interval of <c>http.server.request.duration</c>: requests served in it, their mean and 95th percentile.</summary>
internal sealed record DurationInterval(DateTimeOffset End, ulong Requests, double MeanMs, double P95Ms);

/// <summary>
/// <c>http.server.request.duration</c> over time as an inline SVG: per export interval, the mean and the 95th
/// percentile of the requests it saw, across every route and status. Cumulative histograms (what the .NET SDK
/// exports) are turned into per-interval counts by subtracting each series' previous point.
/// </summary>
internal static class RequestDurationChart
{
    public const string Instrument = "http.server.request.duration";

    public static IReadOnlyList<DurationInterval> Intervals(IEnumerable<StoredMetricPoint> points)
    {
        var histograms = points.Where(p => p.Name == Instrument && p.Kind == MetricKind.Histogram).OrderBy(p => p.TimeUnixNano).ToList();
        var scale = histograms.FirstOrDefault()?.Unit == "ms" ? 1.0 : 1000.0;
        var previous = new Dictionary<string, StoredMetricPoint>(StringComparer.Ordinal);
        var intervals = new List<DurationInterval>();
        foreach (var export in histograms.GroupBy(p => p.TimeUnixNano))
        {
            ulong count = 0;
            double sum = 0;
            IReadOnlyList<double> bounds = [];
            ulong[] buckets = [];
            foreach (var point in export)
            {
                var before = point.IsCumulative && previous.TryGetValue(point.Series, out var p) && p.Count <= point.Count ? p : null;
                previous[point.Series] = point;
                count += point.Count - (before?.Count ?? 0);
                sum += point.Sum - (before?.Sum ?? 0);
                if (buckets.Length == 0 && point.BucketCounts.Count > 0)
                {
                    bounds = point.Bounds;
                    buckets = new ulong[point.BucketCounts.Count];
                }

                if (point.BucketCounts.Count == buckets.Length && point.Bounds.SequenceEqual(bounds))
                {
                    var previousBuckets = before is not null && before.BucketCounts.Count == buckets.Length ? before.BucketCounts : null;
                    for (var i = 0; i < buckets.Length; i++)
                    {
                        var earlier = previousBuckets?[i] ?? 0;
                        buckets[i] += point.BucketCounts[i] >= earlier ? point.BucketCounts[i] - earlier : point.BucketCounts[i];
                    }
                }
            }

            if (count > 0)
            {
                intervals.Add(new DurationInterval(UnixNano.ToDateTime(export.Key), count, sum / count * scale, Percentile(bounds, buckets, 0.95) * scale));
            }
        }

        return intervals;
    }

    /// <summary>The upper bound of the bucket holding the given share of the counts (the last finite bound for the overflow bucket).</summary>
    public static double Percentile(IReadOnlyList<double> bounds, IReadOnlyList<ulong> buckets, double share)
    {
        var total = buckets.Aggregate(0UL, (a, b) => a + b);
        if (total == 0 || bounds.Count == 0)
        {
            return 0;
        }

        var wanted = Math.Ceiling(total * share);
        ulong seen = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            seen += buckets[i];
            if (seen >= wanted)
            {
                return bounds[Math.Min(i, bounds.Count - 1)];
            }
        }

        return bounds[^1];
    }

    public static string Svg(IReadOnlyList<DurationInterval> intervals)
    {
        if (intervals.Count < 2)
        {
            return "<p class=\"muted\">Not enough points yet: the chart needs two export intervals with requests.</p>";
        }

        const double width = 760, height = 220, left = 50, right = 10, top = 10, bottom = 30;
        var start = intervals[0].End.ToUnixTimeMilliseconds();
        var span = Math.Max(1, intervals[^1].End.ToUnixTimeMilliseconds() - start);
        var max = Math.Max(1, intervals.Max(i => Math.Max(i.MeanMs, i.P95Ms)));
        string X(DurationInterval i) => (left + ((width - left - right) * (i.End.ToUnixTimeMilliseconds() - start) / span)).ToString("0.0", CultureInfo.InvariantCulture);
        string Y(double ms) => (top + ((height - top - bottom) * (1 - (ms / max)))).ToString("0.0", CultureInfo.InvariantCulture);
        string Line(Func<DurationInterval, double> value) => string.Join(' ', intervals.Select(i => X(i) + "," + Y(value(i))));

        var svg = new StringBuilder();
        svg.Append($"<svg role=\"img\" aria-label=\"{Instrument} over time\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">")
            .Append($"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#8c959f\"/>")
            .Append($"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"#8c959f\"/>")
            .Append($"<text x=\"4\" y=\"{top + 10}\">{Layout.Number(max)} ms</text><text x=\"4\" y=\"{height - bottom}\">0</text>")
            .Append($"<text x=\"{left}\" y=\"{height - 8}\">{Layout.Time(intervals[0].End)}</text>")
            .Append($"<text x=\"{width - right - 80}\" y=\"{height - 8}\">{Layout.Time(intervals[^1].End)}</text>")
            .Append($"<polyline class=\"p95\" fill=\"none\" stroke=\"#cf222e\" stroke-width=\"1.5\" points=\"{Line(i => i.P95Ms)}\"/>")
            .Append($"<polyline class=\"mean\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"{Line(i => i.MeanMs)}\"/>")
            .Append("</svg>")
            .Append("<p><span style=\"color:#0969da\">■ mean</span> <span style=\"color:#cf222e\">■ p95 (bucket bound)</span> per export interval, UTC</p>");
        return svg.ToString();
    }
}
