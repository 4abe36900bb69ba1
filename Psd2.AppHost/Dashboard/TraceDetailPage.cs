using System.Text;
using Psd2.AppHost.Telemetry;
using static Psd2.AppHost.Dashboard.Layout;

namespace Psd2.AppHost.Dashboard;

/// <summary>
/// One trace as a waterfall across resources: a row per span in tree order, its bar placed on the trace's time line,
/// its attributes and events; then the log records written inside the trace.
/// </summary>
internal static class TraceDetailPage
{
    public static string Render(TraceView trace, IReadOnlyList<StoredLogRecord> logs, PeerNames peers)
    {
        var summary = trace.Summary;
        var html = new StringBuilder();
        html.Append($"<h1>Trace {E(summary.RootResource)}: {E(summary.RootName)}</h1>")
            .Append($"<p>Trace id <code>{summary.TraceId}</code> · started {Time(summary.Start)} UTC · {Duration(summary.Duration)} · {summary.SpanCount} spans · ")
            .Append(TracesPage.Badges(summary, peers))
            .Append(summary.HasError ? " · <span class=\"error\">has errors</span>" : "")
            .Append("</p>");
        html.Append("<table class=\"waterfall\" aria-label=\"Waterfall\"><thead><tr><th scope=\"col\">Span</th><th scope=\"col\">Resource</th>"
            + "<th scope=\"col\">Duration</th><th scope=\"col\">Timeline</th></tr></thead><tbody>");
        foreach (var view in trace.Spans)
        {
            var span = view.Span;
            var peer = peers.Of(span);
            html.Append($"<tr id=\"span-{span.SpanId}\" class=\"span\" data-resource=\"{E(span.Resource)}\" data-peer=\"{E(peer)}\">")
                .Append($"<td style=\"padding-left: {0.6 + (view.Depth * 1.2):0.0}rem\"><span class=\"{(span.IsError ? "error" : "")}\">{E(span.Name)}</span>")
                .Append($" <span class=\"muted\">{span.Kind}{(peer is null ? "" : " → " + E(peer))}{(view.ParentMissing ? " · parent not received" : "")}</span>")
                .Append("<details><summary>Details</summary>")
                .Append(Attributes([new("span.id", span.SpanId), new("scope", span.Scope), new("status", span.Status + (span.StatusMessage is null ? "" : ": " + span.StatusMessage))]))
                .Append(Attributes(span.Attributes));
            foreach (var spanEvent in span.Events)
            {
                html.Append($"<p><strong>Event {E(spanEvent.Name)}</strong> at {Time(UnixNano.ToDateTime(spanEvent.TimeUnixNano))}</p>").Append(Attributes(spanEvent.Attributes));
            }

            html.Append("</details></td>")
                .Append($"<td><span class=\"badge\">{E(span.Resource)}</span></td><td>{Duration(span.Duration)}</td>")
                .Append($"<td class=\"bar\"><div class=\"track\"><div class=\"span-bar{(span.IsError ? " error" : "")}\" style=\"left: {Number(view.OffsetPercent)}%; width: {Number(view.WidthPercent)}%\"></div></div></td>")
                .Append("</tr>");
        }

        html.Append("</tbody></table>");
        html.Append($"<h2>Logs of this trace</h2><p class=\"muted\">{logs.Count} records.</p>").Append(StructuredLogsPage.Table(logs));
        return Page("trace " + summary.TraceId, "/traces", html.ToString());
    }
}
