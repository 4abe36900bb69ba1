using System.Globalization;
using System.Text.Encodings.Web;

namespace Psd2.AppHost.Dashboard;

/// <summary>What every dashboard page shares: the style, the navigation and HTML encoding.</summary>
internal static class Layout
{
    private const string Style = """
        <style>
          body { font-family: system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
          header { background: #24292f; color: #fff; padding: .8rem 1.5rem; display: flex; gap: 1.5rem; align-items: baseline; }
          header a { color: #fff; }
          header a[aria-current=page] { font-weight: 700; text-decoration: none; border-bottom: 2px solid #fff; }
          main { padding: 1.5rem; }
          table { border-collapse: collapse; width: 100%; background: #fff; }
          th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; font-size: .9rem; }
          th { background: #eaeef2; }
          .state-running, .health-healthy, .state-finished { color: #1a7f37; font-weight: 600; }
          .state-exited, .state-failedToStart, .health-unhealthy, .error, .level-Error, .level-Critical { color: #cf222e; font-weight: 600; }
          .state-waiting, .state-starting, .state-stopping, .state-stopped, .level-Warning { color: #9a6700; }
          .level-Debug, .level-Trace, .muted { color: #57606a; }
          button { margin-right: .3rem; }
          pre { background: #0d1117; color: #e6edf3; padding: 1rem; height: 75vh; overflow: auto; font-size: .85rem; white-space: pre-wrap; }
          .stderr { color: #ff7b72; }
          form.filters { display: flex; gap: 1rem; align-items: end; flex-wrap: wrap; margin-bottom: 1rem; }
          form.filters label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
          .badge { display: inline-block; padding: 0 .4rem; margin: 0 .2rem .1rem 0; border-radius: .6rem; background: #ddf4ff; color: #0550ae; font-size: .8rem; }
          .badge.peer { background: #eaeef2; color: #57606a; }
          .waterfall td:first-child { width: 40%; }
          .waterfall td.bar { width: 35%; position: relative; }
          .waterfall .track { position: relative; height: 1.1rem; background: #f6f8fa; }
          .waterfall .span-bar { position: absolute; top: .15rem; height: .8rem; background: #54aeff; min-width: 2px; border-radius: 2px; }
          .waterfall .span-bar.error { background: #ff8182; }
          .waterfall details { margin-top: .2rem; font-size: .8rem; }
          dl.attributes { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .3rem 0; }
          dl.attributes dt { color: #57606a; } dl.attributes dd { margin: 0; word-break: break-all; }
          .message { white-space: pre-wrap; word-break: break-word; }
          table.instruments td, table.logs td { overflow-wrap: anywhere; }
          svg text { font-size: 11px; fill: #57606a; }
        </style>
        """;

    private static readonly (string Href, string Label)[] Navigation =
        [("/", "Resources"), ("/structured-logs", "Structured logs"), ("/traces", "Traces"), ("/metrics", "Metrics")];

    public static string Page(string title, string current, string body, string? head = null) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Psd2 dashboard: {{E(title)}}</title>{{head}}{{Style}}</head>
        <body>
        <header><strong>Psd2</strong>{{string.Concat(Navigation.Select(n => $"<a href=\"{n.Href}\"{(n.Href == current ? " aria-current=\"page\"" : "")}>{n.Label}</a>"))}}</header>
        <main>
        {{body}}
        </main>
        </body></html>
        """;

    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static string Url(string text) => Uri.EscapeDataString(text);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds >= 1000
        ? duration.TotalSeconds.ToString("0.00 's'", CultureInfo.InvariantCulture)
        : duration.TotalMilliseconds.ToString("0.0 'ms'", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.###", CultureInfo.InvariantCulture);

    /// <summary>A select of <paramref name="options"/> with an empty "any" choice first.</summary>
    public static string Select(string name, string label, IEnumerable<string> options, string? selected, string any = "any") =>
        $"<label>{E(label)}<select name=\"{name}\"><option value=\"\">{E(any)}</option>"
        + string.Concat(options.Select(o => $"<option{(o == selected ? " selected" : "")}>{E(o)}</option>"))
        + "</select></label>";

    public static string Attributes(IEnumerable<KeyValuePair<string, string>> attributes) =>
        "<dl class=\"attributes\">" + string.Concat(attributes.Select(a => $"<dt>{E(a.Key)}</dt><dd>{E(a.Value)}</dd>")) + "</dl>";
}
