using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Psd2.AppHost.Hosting;
using Psd2.AppHost.Pki;

namespace Psd2.AppHost.Testing;

/// <summary>
/// Starts the same app model as <c>dotnet run</c>, for distributed tests: random ports, a throwaway state folder,
/// quiet console, every resource's output kept in <see cref="LogFiles"/>; everything stops and the folder is deleted
/// on dispose, also when a test fails.
/// <code>await using var app = await DistributedTestApp.StartAsync(ct);</code>
/// </summary>
public sealed class DistributedTestApp : IAsyncDisposable
{
    private readonly string _stateFolder;
    private readonly bool _ownsStateFolder;

    private DistributedTestApp(DistributedApplication app, string stateFolder, bool ownsStateFolder)
    {
        App = app;
        _stateFolder = stateFolder;
        _ownsStateFolder = ownsStateFolder;
    }

    public DistributedApplication App { get; }

    /// <summary>From the call to every resource healthy.</summary>
    public TimeSpan StartupTime { get; private set; }

    public SandboxPkiFiles Certificates => App.Pki;

    /// <summary>The dashboard (127.0.0.1, a random port); its pages and JSON need the login token.</summary>
    public Uri DashboardUrl => App.DashboardUrl ?? throw new InvalidOperationException("The dashboard is not started.");

    /// <summary>Opens the dashboard in a browser: sets the cookie every page asks for.</summary>
    public Uri DashboardLoginUrl => App.DashboardLoginUrl ?? throw new InvalidOperationException("The dashboard is not started.");

    /// <summary>The dashboard's OTLP/HTTP receiver every service exports to.</summary>
    public Uri OtlpEndpoint => App.OtlpEndpoint;

    /// <summary>An HttpClient for the dashboard's pages and JSON, sending the login token as a bearer token.</summary>
    public HttpClient CreateDashboardClient() => new()
    {
        BaseAddress = DashboardUrl,
        DefaultRequestHeaders = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", App.DashboardToken) },
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The X-Admin-Key of the sandbox bank's /sandbox controls.</summary>
    public string SandboxAdminKey => File.ReadAllText(Path.Combine(_stateFolder, DistributedApplicationBuilder.SandboxAdminKeyFile)).Trim();

    /// <summary>The secret api and worker encrypt bank tokens with (<c>Tokens:EncryptionKey</c>), for tests that read stored tokens.</summary>
    public string TokenEncryptionKey => File.ReadAllText(Path.Combine(_stateFolder, DistributedApplicationBuilder.TokenEncryptionKeyFile)).Trim();

    /// <summary>
    /// Each resource's complete console output by resource name: <c>logs/&lt;resource&gt;.log</c> in the state folder,
    /// appended as lines arrive, complete once <see cref="StopAsync"/> returns and deleted with the folder on dispose.
    /// </summary>
    public IReadOnlyDictionary<string, string> LogFiles => App.LogFiles;

    public static async Task<DistributedTestApp> StartAsync(CancellationToken cancellationToken, Action<TestAppSettings>? configure = null)
    {
        var settings = new TestAppSettings();
        configure?.Invoke(settings);
        var ownsFolder = settings.StateFolder is null;
        var stateFolder = settings.StateFolder ?? Path.Combine(Path.GetTempPath(), "psd2-test-" + Guid.NewGuid().ToString("N")[..12]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var app = Psd2AppModel.Build(new AppHostOptions
        {
            StateFolder = stateFolder,
            DashboardPort = 0,
            EchoConsole = settings.EchoConsole,
            ServiceEnvironment = "Testing",
            DisposableStorage = true,
            ExternalConnectionStrings = settings.ExternalConnectionStrings,
            WorkerReplicas = settings.WorkerReplicas,
            TestClock = settings.TestClock,
            ServiceSettings = settings.ServiceSettings,
        });
        var testApp = new DistributedTestApp(app, stateFolder, ownsFolder);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.StartupTimeout);
            await app.StartAsync(timeout.Token);
            await app.WaitForAllHealthyAsync(timeout.Token);
            testApp.StartupTime = clock.Elapsed;
            return testApp;
        }
        catch
        {
            await testApp.DisposeAsync();
            throw;
        }
    }

    public Resource this[string name] => App[name];

    public string GetConnectionString(string name) =>
        App.ConnectionStrings.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No connection string '{name}'.");

    public Uri GetEndpoint(string resource, string endpoint = "http") => App[resource].Endpoint(endpoint);

    /// <summary>
    /// An HttpClient for a resource's endpoint. HTTPS endpoints trust the sandbox CA; pass a client certificate
    /// (e.g. the TPP's QWAC from <see cref="Certificates"/>) for the bank's mutual-TLS endpoint.
    /// </summary>
    public HttpClient CreateHttpClient(string resource, string endpoint = "http", X509Certificate2? clientCertificate = null, bool followRedirects = true)
    {
        var trustedCa = X509Certificate2.CreateFromPem(File.ReadAllText(Certificates.CaCertificate));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { trustedCa },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
            AllowAutoRedirect = followRedirects,
        };
        return new HttpClient(handler) { BaseAddress = GetEndpoint(resource, endpoint), Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task WaitForHealthyAsync(string name, CancellationToken cancellationToken) => App.WaitForHealthyAsync(name, cancellationToken);

    public Task WaitForStateAsync(string name, ResourceState state, CancellationToken cancellationToken) =>
        App.WaitForAsync(name, r => r.State == state, cancellationToken);

    public Task RestartAsync(string name) => App.RestartAsync(name);

    /// <summary>Ends a resource's process at once (SIGKILL), as a crashed node would end: no shutdown, no cleanup.</summary>
    public void Kill(string name)
    {
        var pid = App[name].ProcessId ?? throw new InvalidOperationException($"'{name}' runs no process.");
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
    }

    public void Start(string name) => App.StartResource(name);

    /// <summary>Stops every resource and closes the log files, keeping the state folder until dispose: for checks on what the run left behind.</summary>
    public Task StopAsync() => App.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
        if (_ownsStateFolder)
        {
            try
            {
                Directory.Delete(_stateFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by an exiting process; the OS temp cleaner takes the rest.
            }
        }
    }
}

public sealed class TestAppSettings
{
    /// <summary>Reuse a state folder (kept after dispose); by default a fresh temporary one.</summary>
    public string? StateFolder { get; set; }
    public bool EchoConsole { get; set; }
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(120);
    public IReadOnlyDictionary<string, string> ExternalConnectionStrings { get; set; } = new Dictionary<string, string>();
    /// <summary>Worker processes to run: <c>worker</c>, <c>worker-2</c>, ...</summary>
    public int WorkerReplicas { get; set; } = 1;
    /// <summary>Api and worker follow the test clock (an offset in Redis that tests set beside the sandbox bank's).</summary>
    public bool TestClock { get; set; }
    /// <summary>Extra settings for api and worker, as environment variables.</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings { get; set; } = new Dictionary<string, string>();
}
