using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Psd2.AppHost.Hosting;

namespace Psd2.AppHost.Resources;

/// <summary>Redis from Debian's <c>redis-server</c>, on a free loopback port, password protected, nothing persisted.</summary>
public sealed class RedisServer
{
    private readonly int _port;
    private readonly string _password;

    internal RedisServer(DistributedApplicationBuilder builder, string name)
    {
        var program = Prerequisites.FindRedisServer() ?? throw new MissingPrerequisiteException(
            "redis-server was not found on PATH. Install it with: apt-get install -y redis-server");
        var folder = Path.Combine(builder.Options.StateFolder, name);
        _port = Ports.FindFree();
        _password = PrivateFile.Secret(Path.Combine(folder, "password"));

        Resource = builder.AddResource(name, "executable", _ =>
        {
            Directory.CreateDirectory(folder);
            // The password goes in a private config file: as a command-line argument it would show in `ps`.
            var config = Path.Combine(folder, "redis.conf");
            File.WriteAllText(config, $"""
                port {_port}
                bind 127.0.0.1
                requirepass {_password}
                save ""
                appendonly no
                dir {folder}
                """);
            PrivateFile.Restrict(config);
            return Task.FromResult(new LaunchSpec(program, [config], folder));
        });
        Resource.WithEndpoint("tcp", new Uri($"tcp://127.0.0.1:{_port}"));
        Resource.Probe = ProbeAsync;
        Reference = builder.AddConnectionString(new ConnectionStringReference(name, $"127.0.0.1:{_port},password={_password}", Resource));
    }

    public Resource Resource { get; }
    public ConnectionStringReference Reference { get; }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", _port, cancellationToken);
            await using var stream = client.GetStream();
            var command = string.Create(CultureInfo.InvariantCulture, $"AUTH {_password}\r\nPING\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command), cancellationToken);
            var buffer = new byte[64];
            var received = new StringBuilder();
            while (!received.ToString().Contains("+PONG", StringComparison.Ordinal) && received.Length < 256)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return received.ToString().Contains("+PONG", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            return false;
        }
    }
}
