using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Psd2.AppHost.Pki;
using Psd2.AppHost.Resources;

namespace Psd2.AppHost.Hosting;

/// <summary>Collects the resources of one app model, as Aspire's builder does; <see cref="Build"/> hands them to the orchestrator.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly Dictionary<string, string> _connectionStrings = new(StringComparer.Ordinal);

    public DistributedApplicationBuilder(AppHostOptions options)
    {
        Options = options;
        // Settled now, before any resource is described: every service is told where to export.
        OtlpEndpoint = new Uri($"http://127.0.0.1:{(options.OtlpPort == 0 ? Ports.FindFree() : options.OtlpPort)}");
        Directory.CreateDirectory(options.StateFolder);
        Pki = SandboxPki.EnsureCreated(Path.Combine(options.StateFolder, "pki"));
        var trustedCa = X509Certificate2.CreateFromPem(File.ReadAllText(Pki.CaCertificate));
        // Probes reach the bank's HTTPS endpoint, whose certificate the sandbox QTSP issued.
        ProbeClient = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { trustedCa },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        })
        { Timeout = TimeSpan.FromSeconds(5) };
    }

    public AppHostOptions Options { get; }

    /// <summary>The dashboard's OTLP/HTTP receiver, on loopback: the services' OTEL_EXPORTER_OTLP_ENDPOINT.</summary>
    public Uri OtlpEndpoint { get; }

    /// <summary>The sandbox PKI's files: CA, the bank's TLS certificate, the TPP's QWAC and QSealC.</summary>
    public SandboxPkiFiles Pki { get; }

    internal HttpClient ProbeClient { get; }

    /// <summary>The key for the sandbox bank's /sandbox controls, kept in the state folder (<see cref="SandboxAdminKeyFile"/>).</summary>
    public string SandboxAdminKey => PrivateFile.Secret(Path.Combine(Options.StateFolder, SandboxAdminKeyFile));

    public const string SandboxAdminKeyFile = "sandbox-admin-key";

    /// <summary>The key api and worker encrypt bank tokens with, kept in the state folder so stored tokens stay readable.</summary>
    public string TokenEncryptionKey => PrivateFile.Secret(Path.Combine(Options.StateFolder, TokenEncryptionKeyFile));

    public const string TokenEncryptionKeyFile = "token-encryption-key";

    public PostgresServer AddPostgres(string name) => new(this, name);

    public RedisServer AddRedis(string name) => new(this, name);

    /// <summary>A connection string supplied from outside, when <see cref="AppHostOptions.ExternalConnectionStrings"/> has it.</summary>
    public ConnectionStringReference? ExternalConnectionString(string name) =>
        Options.ExternalConnectionStrings.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? AddConnectionString(new ConnectionStringReference(name, value, Server: null))
            : null;

    /// <summary>Records a connection string the app hands out, so scripts and tests can read it too.</summary>
    internal ConnectionStringReference AddConnectionString(ConnectionStringReference reference)
    {
        _connectionStrings[reference.Name] = reference.ConnectionString;
        return reference;
    }

    internal Resource AddResource(string name, string kind, Func<CancellationToken, Task<LaunchSpec>> prepare)
    {
        if (_resources.Any(r => r.Name == name))
        {
            throw new InvalidOperationException($"A resource named '{name}' exists already.");
        }

        var resource = new Resource(name, kind, prepare, Options.ConsoleLogCapacity);
        _resources.Add(resource);
        return resource;
    }

    public DistributedApplication Build() => new(Options, _resources, _connectionStrings, Pki, ProbeClient, OtlpEndpoint);
}

public static class HealthProbeExtensions
{
    /// <summary>Healthy when <c>GET {endpoint}/health</c> answers 200, as the services' readiness endpoint does.</summary>
    public static Resource WithHttpHealthCheck(this Resource resource, DistributedApplicationBuilder builder, string endpoint)
    {
        var url = new Uri(resource.Endpoint(endpoint), "/health");
        var client = builder.ProbeClient;
        resource.Probe = async cancellationToken =>
        {
            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                return response.IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        };
        return resource;
    }
}
