using Hangfire;
using Microsoft.Extensions.Options;
using Psd2.Core.Jobs;

namespace Psd2.Worker.Scheduling;

public static class JobServerExtensions
{
    /// <summary>Background work the schedulers and servers themselves do beside the workers (heartbeats, schedulers, long polling).</summary>
    private const int ServerConnections = 6;

    /// <summary>
    /// Hangfire servers on psd2db's Hangfire schema, one per purpose so each queue has its own worker count: syncs
    /// (interactive before unattended), webhooks, and the recurring upkeep jobs. The upkeep server also runs Hangfire's
    /// schedulers (delayed and recurring jobs, expiration); the others are lightweight. A dead replica's jobs become
    /// visible to the others one <see cref="WorkerOptions.Lease"/> after its last heartbeat, and its locks expire after
    /// the same time. /health includes the storage and this replica's servers.
    /// </summary>
    public static void AddJobServers(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations()
            .Validate(o => new[] { o.PlannerInterval, o.DispatcherInterval, o.TokenRefreshInterval, o.ConsentCheckJobInterval, o.WebhookInterval }
                .All(i => RecurringJobs.TryCron(i, out _)), "Worker intervals must be whole seconds dividing a minute, whole minutes dividing an hour, or whole hours dividing a day.")
            .ValidateOnStart();
        builder.Services.AddSingleton(WorkerIdentity.ThisProcess());
        builder.Services.AddSingleton<JobStatsFilter>();
        builder.Services.AddSingleton<Refresh.RefreshRetries>();
        builder.AddBackgroundJobs(
            connections: options.SyncWorkers + options.WebhookWorkers + options.MaintenanceWorkers + ServerConnections,
            storage =>
            {
                storage.InvisibilityTimeout = options.Lease;
                storage.DistributedLockTimeout = options.Lease;
            },
            (services, hangfire) => hangfire
                .UseFilter(services.GetRequiredService<JobStatsFilter>())
                .UseFilter(services.GetRequiredService<Refresh.RefreshRetries>()));

        AddServer(builder, "syncs", o => o.SyncWorkers, lightweight: true, JobQueues.Interactive, JobQueues.Syncs);
        AddServer(builder, "webhooks", o => o.WebhookWorkers, lightweight: true, JobQueues.Webhooks);
        AddServer(builder, "maintenance", o => o.MaintenanceWorkers, lightweight: false, JobQueues.Maintenance);
        builder.Services.AddHostedService<RecurringJobs>();
        builder.Services.AddHealthChecks().AddCheck<JobServersHealthCheck>("Hangfire");
    }

    private static void AddServer(WebApplicationBuilder builder, string purpose, Func<WorkerOptions, int> workers, bool lightweight, params string[] queues) =>
        builder.Services.AddHangfireServer((services, server) =>
        {
            var options = services.GetRequiredService<IOptions<WorkerOptions>>().Value;
            server.ServerName = $"{services.GetRequiredService<WorkerIdentity>().Name}:{purpose}";
            server.Queues = queues;
            server.WorkerCount = workers(options);
            server.IsLightweightServer = lightweight;
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.HeartbeatInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.Lease.Ticks / 4));
            server.ServerTimeout = options.Lease;
            server.ServerCheckInterval = TimeSpan.FromTicks(options.Lease.Ticks / 2);
        });
}
