using System.Net;
using System.Net.Sockets;

namespace Psd2.AppHost.Hosting;

internal static class Ports
{
    /// <summary>A port free on loopback now. Another process could take it before ours binds; on 127.0.0.1
    /// in a developer's or CI's machine that race is rare enough, and a clash shows as FailedToStart.</summary>
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
