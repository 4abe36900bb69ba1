using System.Net;
using System.Net.Sockets;

namespace Psd2.AppHost;

public static class DirectEndpoints
{
    // Below the range the OS takes local ports of outgoing connections from (Linux: 32768 to 60999), so that no
    // connection opened between the choice and the service's bind can hold the port, and above the fixed ports of
    // a `./run.sh` AppHost (18888 to 18891).
    private const int Lowest = 20000;
    private static readonly int EphemeralStart = ReadEphemeralStart();
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// An endpoint the process listens on itself, on a loopback port free when the model is built, without DCP's
    /// proxy in between: every request, database and cache round trip between the services would otherwise pass
    /// through it (measured: the first sync of 105,000 transactions 22,100 tx/s through it, 27,900 without).
    /// </summary>
    public static IResourceBuilder<T> WithDirectEndpoint<T>(this IResourceBuilder<T> resource, string name, string scheme = "tcp") where T : IResourceWithEndpoints
    {
        var port = FreePort();
        return resource.WithEndpoint(name: name, scheme: scheme, port: port, targetPort: port, isProxied: false);
    }

    /// <summary>
    /// A loopback port free at the time of asking, outside the ephemeral range and never given twice by this process:
    /// the service binds it seconds later (and again after a restart), and a port of the ephemeral range may by then
    /// be the local end of any outgoing connection on the machine.
    /// </summary>
    public static int FreePort()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 1000 && EphemeralStart > Lowest; attempt++)
            {
                var port = Random.Shared.Next(Lowest, EphemeralStart);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Linux's own default when the setting cannot be read.
    private static int ReadEphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], out var start)
            ? start
            : 32768;
    }
}
