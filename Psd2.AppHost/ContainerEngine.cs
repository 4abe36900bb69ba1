using System.Net.Http;
using System.Net.Sockets;

namespace Psd2.AppHost;

/// <summary>
/// Whether PostgreSQL and Redis run as Aspire's containers or from the machine's binaries. <c>AppHost:Containers</c>:
/// <c>auto</c> (default: containers when a Docker-compatible engine answers <c>/_ping</c>), <c>true</c> or <c>false</c>.
/// </summary>
internal static class ContainerEngine
{
    public static bool Use(IDistributedApplicationBuilder builder) => builder.Configuration["AppHost:Containers"]?.ToLowerInvariant() switch
    {
        null or "" or "auto" => Answers(),
        "true" => true,
        "false" => false,
        var other => throw new InvalidOperationException($"AppHost:Containers is '{other}'; use auto, true or false."),
    };

    private static bool Answers()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socket = host is { Length: > 0 } && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        if (host is { Length: > 0 } && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return Ping(new HttpClientHandler(), new Uri(host.Replace("tcp://", "http://", StringComparison.Ordinal)));
        }

        if (!File.Exists(socket))
        {
            return false;
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), token);
                return new NetworkStream(unix, ownsSocket: true);
            },
        };
        return Ping(handler, new Uri("http://localhost"));
    }

    private static bool Ping(HttpMessageHandler handler, Uri address)
    {
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = client.GetAsync("/_ping").GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException)
        {
            return false;
        }
    }
}
