using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace Psd2.ServiceDefaults.Telemetry;

/// <summary>
/// Keeps secrets out of exported spans: query values (OAuth codes and state, page keys) are replaced in
/// <c>url.query</c> and <c>url.full</c>, keeping the names; and a request to a route with a <c>{token}</c>
/// parameter, or any parameter whose name ends in "token" (one-time links, sessions), shows the route instead of
/// the path that holds the token.
/// </summary>
public sealed partial class SecretRedactionProcessor : BaseProcessor<Activity>
{
    public const string Redacted = "REDACTED";

    public override void OnEnd(Activity data)
    {
        if (data.GetTagItem("url.query") is string query)
        {
            data.SetTag("url.query", RedactQuery(query));
        }

        if (data.GetTagItem("url.full") is string full && full.Contains('?', StringComparison.Ordinal))
        {
            var at = full.IndexOf('?', StringComparison.Ordinal);
            data.SetTag("url.full", full[..at] + RedactQuery(full[at..]));
        }

        if (data.GetTagItem("http.route") is string route && TokenParameter().IsMatch(route))
        {
            data.SetTag("url.path", route);
        }
    }

    /// <summary><c>?code=abc&amp;state=xyz</c> becomes <c>?code=REDACTED&amp;state=REDACTED</c>.</summary>
    public static string RedactQuery(string query) => QueryValue().Replace(query, "${name}=" + Redacted);

    [GeneratedRegex(@"\{\w*token[:}]", RegexOptions.IgnoreCase)]
    private static partial Regex TokenParameter();

    [GeneratedRegex("(?<name>[^?&=]+)=[^&]*")]
    private static partial Regex QueryValue();
}
