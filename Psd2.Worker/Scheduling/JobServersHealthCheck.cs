using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Psd2.Worker.Scheduling;

/// <summary>Healthy when Hangfire's storage answers and lists this replica's servers (they heartbeat through it).</summary>
public sealed class JobServersHealthCheck(JobStorage storage, WorkerIdentity worker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Hangfire registers a server as "<server name>:<guid>".
            var registered = storage.GetMonitoringApi().Servers().Select(s => s.Name).ToList();
            var missing = JobServerExtensions.Servers.Select(s => JobServerExtensions.ServerName(worker, s))
                .Where(name => !registered.Any(r => r.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))).ToList();
            return Task.FromResult(missing.Count == 0
                ? HealthCheckResult.Healthy($"{JobServerExtensions.Servers.Count} servers")
                : HealthCheckResult.Unhealthy($"Job servers not registered: {string.Join(", ", missing)}"));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire's storage does not answer", e));
        }
    }
}
