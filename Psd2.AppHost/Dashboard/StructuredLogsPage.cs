using System.Text;
using Psd2.AppHost.Telemetry;
using static Psd2.AppHost.Dashboard.Layout;

namespace Psd2.AppHost.Dashboard;

/// <summary>
/// The services' log records as they exported them over OTLP, newest first, filtered by resource, lowest level, text
/// or trace; each record written inside a trace links to it. <c>live=1</c> reloads the page every three seconds.
/// </summary>
internal static class StructuredLogsPage
{
    public const int Shown = 500;

    public static string Render(TelemetryStore store, LogFilter filter, bool live)
    {
        var logs = store.Logs(filter, Shown);
        var html = new StringBuilder();
        html.Append("<h1>Structured logs</h1>");
        html.Append("<form class=\"filters\" method=\"get\" action=\"/structured-logs\">")
            .Append(Select("resource", "Resource", store.ResourceNames, filter.Resource))
            .Append(Select("level", "Lowest level", Enum.GetNames<LogLevelName>(), filter.MinLevel?.ToString()))
            .Append($"<label>Text<input name=\"text\" value=\"{E(filter.Text)}\"></label>")
            .Append($"<label>Trace id<input name=\"traceId\" value=\"{E(filter.TraceId)}\" size=\"34\"></label>")
            .Append($"<label><span><input type=\"checkbox\" name=\"live\" value=\"1\"{(live ? " checked" : "")}> Live</span></label>")
            .Append("<button type=\"submit\">Filter</button></form>");
        html.Append($"<p class=\"muted\">{logs.Count} records shown (newest first, at most {Shown}).</p>");
        html.Append(Table(logs));
        return Page("structured logs", "/structured-logs", html.ToString(), live ? "<meta http-equiv=\"refresh\" content=\"3\">" : null);
    }

    /// <summary>Log records as a table, each written inside a trace with a link to it; also used on the trace page.</summary>
    public static string Table(IReadOnlyList<StoredLogRecord> logs)
    {
        var html = new StringBuilder();
        html.Append("<table class=\"logs\"><thead><tr><th scope=\"col\">Time (UTC)</th><th scope=\"col\">Resource</th><th scope=\"col\">Level</th>"
            + "<th scope=\"col\">Category</th><th scope=\"col\">Message</th><th scope=\"col\">Trace</th></tr></thead><tbody>");
        foreach (var log in logs)
        {
            html.Append($"<tr data-resource=\"{E(log.Resource)}\"><td>{Time(log.Time)}</td><td>{E(log.Resource)}</td>")
                .Append($"<td class=\"level-{log.Level}\">{log.Level}</td><td>{E(log.Category)}</td>")
                .Append($"<td><div class=\"message\">{E(log.Message)}</div>");
            if (log.Attributes.Count > 0)
            {
                html.Append("<details><summary>Attributes</summary>").Append(Attributes(log.Attributes)).Append("</details>");
            }

            html.Append("</td><td>");
            if (log.TraceId is { } traceId)
            {
                html.Append($"<a class=\"trace-link\" href=\"{TraceLink(traceId, log.SpanId)}\">{E(traceId[..8])}</a>");
            }

            html.Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string TraceLink(string traceId, string? spanId) => $"/traces/{Url(traceId)}" + (spanId is null ? "" : $"#span-{Url(spanId)}");
}
