using System.Globalization;
using Psd2.AppHost.Hosting;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Dashboard;

/// <summary>
/// Names the resource a client span called: PostgreSQL and Redis export no telemetry of their own, so a database span
/// is shown against the resource listening on its <c>server.port</c> (or the database system when none is).
/// </summary>
internal sealed class PeerNames(IReadOnlyList<Resource> resources)
{
    private readonly Dictionary<int, string> _byPort = resources
        .SelectMany(r => r.Endpoints.Values.Select(url => (url.Port, r.Name)))
        .GroupBy(e => e.Port)
        .ToDictionary(g => g.Key, g => g.First().Name);

    public string? Of(StoredSpan span)
    {
        if (span.Kind != "client")
        {
            return null;
        }

        var port = span.Attribute("server.port") ?? span.Attribute("net.peer.port");
        if (port is not null && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && _byPort.TryGetValue(number, out var name))
        {
            return name;
        }

        return span.Attribute("db.system.name") ?? span.Attribute("db.system");
    }
}
