using System.Diagnostics;
using Psd2.AppHost.Dashboard;
using Psd2.AppHost.Pki;
using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Hosting;

/// <summary>
/// The running app: starts every resource in dependency order, keeps <c>resources.json</c> and the
/// dashboard current, restarts or stops single resources on request, and stops everything (dependants
/// first) when disposed, so no postgres, redis-server or dotnet child outlives it.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly Dictionary<string, ResourceRunner> _runners;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResourcesFile _resourcesFile;
    private readonly ConsoleEcho? _console;
    private readonly HttpClient _probeClient;
    private DashboardServer? _dashboard;
    private int _stopped;
    private readonly IReadOnlyList<LogFile> _logFiles;

    internal DistributedApplication(
        AppHostOptions options, IReadOnlyList<Resource> resources, IReadOnlyDictionary<string, string> connectionStrings, SandboxPkiFiles pki, HttpClient probeClient,
        Uri otlpEndpoint)
    {
        OtlpEndpoint = otlpEndpoint;
        Telemetry = new TelemetryStore(options.TelemetryLimits);
        Options = options;
        Resources = resources;
        ConnectionStrings = connectionStrings;
        Pki = pki;
        _probeClient = probeClient;
        // Opened before anything starts, so the files hold every line from the first one.
        _logFiles = resources.Select(r => LogFile.Open(r, options.StateFolder)).ToList();
        _runners = resources.ToDictionary(r => r.Name, r => new ResourceRunner(r, OnChanged, _stopping.Token));
        _resourcesFile = new ResourcesFile(this);
        _console = options.EchoConsole ? new ConsoleEcho(resources) : null;
        DashboardToken = options.DashboardToken ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    }

    public AppHostOptions Options { get; }

    /// <summary>
    /// Each resource's complete console output by resource name: <c>logs/&lt;resource&gt;.log</c> in the state folder,
    /// appended as lines arrive and complete once <see cref="StopAsync"/> returns.
    /// </summary>
    public IReadOnlyDictionary<string, string> LogFiles => _logFiles.ToDictionary(file => file.ResourceName, file => file.Path, StringComparer.Ordinal);
    public IReadOnlyList<Resource> Resources { get; }
    public SandboxPkiFiles Pki { get; }
    /// <summary>Connection strings by name (psd2db, sandboxdb, redis), as the services receive them.</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings { get; }
    public Uri? DashboardUrl => _dashboard?.Url;

    /// <summary>The dashboard's login link: opens it in a browser and sets the cookie every page asks for.</summary>
    public Uri? DashboardLoginUrl => _dashboard is null ? null : new Uri(_dashboard.Url, "login?t=" + DashboardToken);

    /// <summary>Where the services export OTLP/HTTP (loopback only, no login: exporters cannot log in).</summary>
    public Uri OtlpEndpoint { get; }

    /// <summary>What the services exported: spans, structured logs and metric points, in bounded rings per resource.</summary>
    public TelemetryStore Telemetry { get; }
    public string DashboardToken { get; }
    public string ResourcesFilePath => _resourcesFile.Path;

    /// <summary>Raised whenever a resource's state, health or process changes.</summary>
    public event Action<Resource>? ResourceChanged;

    public Resource this[string name] => Runner(name).Resource;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _dashboard = await DashboardServer.StartAsync(this, Options.DashboardPort, OtlpEndpoint.Port, cancellationToken);
        _resourcesFile.Write();
        foreach (var runner in _runners.Values)
        {
            runner.Start();
        }
    }

    /// <summary>Waits until every resource is healthy (or finished, for one-shots); fails fast when one cannot get there.</summary>
    public async Task WaitForAllHealthyAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in Resources)
        {
            await WaitForAsync(resource.Name, IsSettled, cancellationToken);
        }
    }

    public Task WaitForHealthyAsync(string name, CancellationToken cancellationToken) => WaitForAsync(name, IsSettled, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/> holds for the resource; throws if it ends up exited or failed first.</summary>
    public async Task WaitForAsync(string name, Func<Resource, bool> condition, CancellationToken cancellationToken)
    {
        var resource = this[name];
        while (!condition(resource))
        {
            if (resource.State is ResourceState.FailedToStart or ResourceState.Exited && !condition(resource))
            {
                throw new ResourceFailedException(resource);
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task RestartAsync(string name)
    {
        var runner = Runner(name);
        await runner.StopAsync();
        runner.Resource.Restarts++;
        runner.Start();
    }

    public Task StopResourceAsync(string name) => Runner(name).StopAsync();

    public void StartResource(string name) => Runner(name).Start();

    /// <summary>Stops dependants before what they depend on, each layer in parallel.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var layer in _runners.Values.GroupBy(r => Depth(r.Resource)).OrderByDescending(g => g.Key))
        {
            await Task.WhenAll(layer.Select(runner => runner.StopAsync()));
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        _resourcesFile.Write();
        foreach (var file in _logFiles)
        {
            file.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _probeClient.Dispose();
        _stopping.Dispose();
    }

    private static bool IsSettled(Resource r) =>
        r.RunsToCompletion ? r.State == ResourceState.Finished : r.State == ResourceState.Running && r.Health == ResourceHealth.Healthy;

    private static int Depth(Resource resource) =>
        resource.WaitsFor.Count == 0 ? 0 : 1 + resource.WaitsFor.Max(w => Depth(w.Resource));

    private ResourceRunner Runner(string name) =>
        _runners.TryGetValue(name, out var runner) ? runner : throw new KeyNotFoundException($"No resource named '{name}'.");

    private void OnChanged(Resource resource)
    {
        _resourcesFile.Write();
        _console?.StateChanged(resource);
        ResourceChanged?.Invoke(resource);
    }
}

/// <summary>A resource ended up exited or failed while something waited for it; carries its last log lines.</summary>
public sealed class ResourceFailedException(Resource resource)
    : Exception($"Resource '{resource.Name}' is {resource.State} (exit code {resource.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}). Last lines:{Environment.NewLine}{string.Join(Environment.NewLine, resource.Log.Tail(30))}")
{
    public Resource Resource { get; } = resource;
}
