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
            var servers = storage.GetMonitoringApi().Servers().Count(s => s.Name.StartsWith(worker.Name + ":", StringComparison.OrdinalIgnoreCase));
            return Task.FromResult(servers >= 3
                ? HealthCheckResult.Healthy($"{servers} servers")
                : HealthCheckResult.Unhealthy($"{servers} of this replica's 3 job servers are registered"));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire's storage does not answer", e));
        }
    }
}
