using System.Reflection;
using Microsoft.Extensions.Hosting;

namespace Psd2.ServiceDefaults.Health;

/// <summary>The small info document each service serves at <c>/info</c>: who is answering, since when, and the time it goes by
/// (real time, or the test clock's in tests).</summary>
public sealed class ServiceInfo(IHostEnvironment environment, TimeProvider time)
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public ServiceInfoDocument Snapshot() => new(
        Service: Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? environment.ApplicationName,
        Version: Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        Environment: environment.EnvironmentName,
        Instance: $"{System.Environment.MachineName}:{Environment.ProcessId}",
        StartedAt: _startedAt,
        UptimeSeconds: Math.Round((time.GetUtcNow() - _startedAt).TotalSeconds, 1),
        Now: time.GetUtcNow());
}

public sealed record ServiceInfoDocument(
    string Service, string Version, string Environment, string Instance, DateTimeOffset StartedAt, double UptimeSeconds, DateTimeOffset Now);
