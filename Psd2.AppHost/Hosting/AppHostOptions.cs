using Psd2.AppHost.Telemetry;

namespace Psd2.AppHost.Hosting;

/// <summary>How one run of the app model is set up: by <c>dotnet run</c> from configuration, or by the test harness.</summary>
public sealed class AppHostOptions
{
    /// <summary>Git-ignored folder for PostgreSQL data, the sandbox PKI and <c>resources.json</c>.</summary>
    public required string StateFolder { get; init; }

    /// <summary>Dashboard port on 127.0.0.1; 0 picks a free one.</summary>
    public int DashboardPort { get; init; }

    /// <summary>
    /// Port on 127.0.0.1 of the dashboard's OTLP/HTTP receiver, which every service exports its traces, logs and
    /// metrics to; 0 picks a free one.
    /// </summary>
    public int OtlpPort { get; init; }

    /// <summary>How much telemetry the dashboard keeps per resource.</summary>
    public TelemetryLimits TelemetryLimits { get; init; } = new();

    /// <summary>ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT handed to the services.</summary>
    public string ServiceEnvironment { get; init; } = "Development";

    /// <summary>Copy every resource's console output to this process's console, prefixed with its name.</summary>
    public bool EchoConsole { get; init; } = true;

    /// <summary>Connection strings supplied from outside (CI, a team server, Kubernetes): the app then
    /// starts no PostgreSQL or Redis of its own for them. Keys: psd2db, sandboxdb, redis.</summary>
    public IReadOnlyDictionary<string, string> ExternalConnectionStrings { get; init; } = new Dictionary<string, string>();

    /// <summary>Console lines kept per resource.</summary>
    public int ConsoleLogCapacity { get; init; } = 5000;

    /// <summary>Trade PostgreSQL durability for speed (fsync off): for throwaway test databases only.</summary>
    public bool DisposableStorage { get; init; }

    /// <summary>Login token for the dashboard; generated when not given.</summary>
    public string? DashboardToken { get; init; }

    /// <summary>Root of the repository, where the service projects' build output lives.</summary>
    public string RepositoryRoot { get; init; } = BuildInfo.RepositoryRoot;

    public string Configuration { get; init; } = BuildInfo.Configuration;

    /// <summary>How many worker processes run (<c>worker</c>, <c>worker-2</c>, ...): replicas sharing one Quartz cluster.</summary>
    public int WorkerReplicas { get; init; } = 1;

    /// <summary>Api and worker follow the test clock (<c>TestClock:Enabled</c>); only with <see cref="ServiceEnvironment"/> Testing.</summary>
    public bool TestClock { get; init; }

    /// <summary>Extra settings for api and worker, as environment variables (e.g. <c>Worker__DispatcherInterval</c>).</summary>
    public IReadOnlyDictionary<string, string> ServiceSettings { get; init; } = new Dictionary<string, string>();
}
