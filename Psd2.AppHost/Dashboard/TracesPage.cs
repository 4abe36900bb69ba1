using System.Text;
using Psd2.AppHost.Telemetry;
using static Psd2.AppHost.Dashboard.Layout;

namespace Psd2.AppHost.Dashboard;

/// <summary>The traces the services exported, newest first: root span, resources taking part, duration, errors.</summary>
internal static class TracesPage
{
    public const int Shown = 200;

    public static string Render(TelemetryStore store, TraceFilter filter, PeerNames peers)
    {
        var traces = store.Traces(filter, Shown);
        var html = new StringBuilder();
        html.Append("<h1>Traces</h1>");
        html.Append("<form class=\"filters\" method=\"get\" action=\"/traces\">")
            .Append(Select("resource", "Resource", store.ResourceNames, filter.Resource))
            .Append($"<label>Text (span names, attributes)<input name=\"text\" value=\"{E(filter.Text)}\"></label>")
            .Append($"<label>Min duration (ms)<input name=\"minMs\" type=\"number\" min=\"0\" value=\"{filter.MinDuration?.TotalMilliseconds}\"></label>")
            .Append($"<label><span><input type=\"checkbox\" name=\"errors\" value=\"1\"{(filter.ErrorsOnly ? " checked" : "")}> Errors only</span></label>")
            .Append("<button type=\"submit\">Filter</button></form>");
        html.Append($"<p class=\"muted\">{traces.Count} traces shown (newest first, at most {Shown}).</p>");
        html.Append("<table class=\"traces\"><thead><tr><th scope=\"col\">Start (UTC)</th><th scope=\"col\">Root span</th><th scope=\"col\">Resources</th>"
            + "<th scope=\"col\">Spans</th><th scope=\"col\">Duration</th><th scope=\"col\">Status</th></tr></thead><tbody>");
        foreach (var trace in traces)
        {
            html.Append($"<tr data-trace-id=\"{trace.TraceId}\"><td>{Time(trace.Start)}</td>")
                .Append($"<td><a href=\"/traces/{trace.TraceId}\">{E(trace.RootResource)}: {E(trace.RootName)}</a></td>")
                .Append("<td>").Append(Badges(trace, peers)).Append("</td>")
                .Append($"<td>{trace.SpanCount}</td><td>{Duration(trace.Duration)}</td>")
                .Append(trace.HasError ? "<td class=\"error\">error</td>" : "<td>ok</td>")
                .Append("</tr>");
        }

        html.Append("</tbody></table>");
        return Page("traces", "/traces", html.ToString());
    }

    /// <summary>The resources that sent spans, then those they called that export nothing of their own (PostgreSQL, Redis).</summary>
    public static string Badges(TraceSummary trace, PeerNames peers) =>
        string.Concat(trace.Resources.Select(r => $"<span class=\"badge\">{E(r)}</span>"))
        + string.Concat(trace.Spans.Select(peers.Of).OfType<string>().Distinct(StringComparer.Ordinal).Except(trace.Resources).Order(StringComparer.Ordinal)
            .Select(p => $"<span class=\"badge peer\" title=\"called, exports no telemetry\">{E(p)}</span>"));
}
