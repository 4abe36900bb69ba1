namespace Psd2.AppHost.Hosting;

/// <summary>
/// One named part of the app: a process the orchestrator starts, probes, restarts and stops. PostgreSQL,
/// Redis and the .NET projects are all resources; what differs is how they are launched and probed.
/// </summary>
public sealed class Resource
{
    private readonly List<Action<IDictionary<string, string>>> _environment = [];
    private readonly List<(Resource Resource, WaitCondition Condition)> _waitsFor = [];
    private readonly Dictionary<string, Uri> _endpoints = new(StringComparer.Ordinal);

    internal Resource(string name, string kind, Func<CancellationToken, Task<LaunchSpec>> prepare, int logCapacity)
    {
        Name = name;
        Kind = kind;
        Prepare = prepare;
        Log = new ConsoleLog(logCapacity);
    }

    public string Name { get; }
    /// <summary>"executable" for PostgreSQL and Redis, "project" for the .NET services.</summary>
    public string Kind { get; }
    public ConsoleLog Log { get; }
    public IReadOnlyDictionary<string, Uri> Endpoints => _endpoints;
    public IReadOnlyList<(Resource Resource, WaitCondition Condition)> WaitsFor => _waitsFor;

    /// <summary>True for a one-shot (the migrator): exit code 0 means Finished, not a crash.</summary>
    public bool RunsToCompletion { get; internal set; }

    // Settled by the orchestrator while the app runs.
    public ResourceState State { get; internal set; } = ResourceState.Waiting;
    public ResourceHealth Health { get; internal set; } = ResourceHealth.Unknown;
    public int? ProcessId { get; internal set; }
    public int? ExitCode { get; internal set; }
    public DateTimeOffset? StartedAt { get; internal set; }
    public DateTimeOffset? EndedAt { get; internal set; }
    public int Restarts { get; internal set; }

    internal Func<CancellationToken, Task<LaunchSpec>> Prepare { get; }
    internal Func<CancellationToken, Task<bool>>? Probe { get; set; }
    /// <summary>PostgreSQL stops fastest on SIGINT; .NET services and Redis on SIGTERM.</summary>
    internal int StopSignal { get; set; } = Signals.SIGTERM;

    public Resource WithEndpoint(string name, Uri url)
    {
        _endpoints[name] = url;
        return this;
    }

    public Resource WithEnvironment(string name, string value) => WithEnvironment(env => env[name] = value);

    public Resource WithEnvironment(Action<IDictionary<string, string>> apply)
    {
        _environment.Add(apply);
        return this;
    }

    /// <summary>Start only once <paramref name="other"/> is healthy.</summary>
    public Resource WaitFor(Resource other)
    {
        _waitsFor.Add((other, WaitCondition.Healthy));
        return this;
    }

    /// <summary>Start only once <paramref name="other"/> ran to completion (exit code 0).</summary>
    public Resource WaitForCompletion(Resource other)
    {
        _waitsFor.Add((other, WaitCondition.Completed));
        return this;
    }

    /// <summary>Makes a connection string available as <c>ConnectionStrings__{name}</c>, waiting for its server.</summary>
    public Resource WithReference(ConnectionStringReference reference)
    {
        WithEnvironment($"ConnectionStrings__{reference.Name}", reference.ConnectionString);
        if (reference.Server is { } server)
        {
            WaitFor(server);
        }

        return this;
    }

    /// <summary>Makes another resource's endpoints discoverable as <c>services__{name}__{endpoint}__0</c>.</summary>
    public Resource WithReference(Resource service)
    {
        foreach (var (endpoint, url) in service.Endpoints)
        {
            WithEnvironment($"services__{service.Name}__{endpoint}__0", url.ToString().TrimEnd('/'));
        }

        return this;
    }

    internal void ApplyEnvironment(IDictionary<string, string> environment)
    {
        foreach (var apply in _environment)
        {
            apply(environment);
        }
    }

    public Uri Endpoint(string name) => _endpoints.TryGetValue(name, out var url)
        ? url
        : throw new KeyNotFoundException($"Resource '{Name}' has no endpoint '{name}'.");
}

/// <summary>How to start a resource's process.</summary>
public sealed record LaunchSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
}

/// <summary>A named connection string (e.g. <c>psd2db</c>) and the resource that serves it, if the app runs it.</summary>
public sealed record ConnectionStringReference(string Name, string ConnectionString, Resource? Server);
