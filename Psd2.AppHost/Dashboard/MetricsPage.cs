using System.Text;
using Psd2.AppHost.Telemetry;
using static Psd2.AppHost.Dashboard.Layout;

namespace Psd2.AppHost.Dashboard;

/// <summary>One resource's instruments with the latest value of each series, and a chart of its request durations.</summary>
internal static class MetricsPage
{
    /// <summary>The latest point of each series of one instrument.</summary>
    public sealed record Instrument(string Name, string Scope, string Description, string Unit, MetricKind Kind, IReadOnlyList<StoredMetricPoint> Latest);

    public static IReadOnlyList<Instrument> Instruments(IEnumerable<StoredMetricPoint> points) => points
        .GroupBy(p => p.Name, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g =>
        {
            var latest = g.GroupBy(p => p.Series, StringComparer.Ordinal).Select(s => s.MaxBy(p => p.TimeUnixNano)!).OrderBy(p => p.Series, StringComparer.Ordinal).ToList();
            var first = latest[0];
            return new Instrument(g.Key, first.Scope, first.Description, first.Unit, first.Kind, latest);
        })
        .ToList();

    public static string Render(TelemetryStore store, string? resource)
    {
        var names = store.ResourceNames;
        resource ??= names.FirstOrDefault(n => n == "api") ?? names.FirstOrDefault();
        var html = new StringBuilder("<h1>Metrics</h1>");
        html.Append("<form class=\"filters\" method=\"get\" action=\"/metrics\">")
            .Append("<label>Resource<select name=\"resource\">")
            .Append(string.Concat(names.Select(n => $"<option{(n == resource ? " selected" : "")}>{E(n)}</option>")))
            .Append("</select></label><button type=\"submit\">Show</button></form>");
        if (resource is null || store.Resource(resource) is not { } telemetry)
        {
            html.Append("<p class=\"muted\">No resource has exported metrics yet.</p>");
            return Page("metrics", "/metrics", html.ToString());
        }

        var points = telemetry.Metrics.Snapshot();
        html.Append($"<h2>{E(RequestDurationChart.Instrument)} ({E(resource)})</h2>")
            .Append(RequestDurationChart.Svg(RequestDurationChart.Intervals(points)));
        html.Append("<h2>Instruments</h2><table class=\"instruments\"><thead><tr><th scope=\"col\">Instrument</th><th scope=\"col\">Kind</th>"
            + "<th scope=\"col\">Unit</th><th scope=\"col\">Latest values</th></tr></thead><tbody>");
        foreach (var instrument in Instruments(points))
        {
            html.Append($"<tr data-instrument=\"{E(instrument.Name)}\"><td><strong>{E(instrument.Name)}</strong><div class=\"muted\">{E(instrument.Description)}</div>")
                .Append($"<div class=\"muted\">{E(instrument.Scope)}</div></td><td>{instrument.Kind}</td><td>{E(instrument.Unit)}</td><td>");
            foreach (var point in instrument.Latest.Take(20))
            {
                html.Append($"<div>{E(ValueText(point))} <span class=\"muted\">{E(point.Series)}</span></div>");
            }

            if (instrument.Latest.Count > 20)
            {
                html.Append($"<div class=\"muted\">and {instrument.Latest.Count - 20} more series</div>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</tbody></table>");
        return Page("metrics", "/metrics", html.ToString());
    }

    public static string ValueText(StoredMetricPoint point) => point.Value is { } value
        ? Number(value)
        : $"count {point.Count}, sum {Number(point.Sum)}" + (point.Count > 0 ? $", mean {Number(point.Sum / point.Count)}" : "");
}
