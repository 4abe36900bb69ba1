using Hangfire;
using Microsoft.Extensions.Options;
using Psd2.Core.Jobs;

namespace Psd2.Worker.Scheduling;

public static class JobServerExtensions
{
    /// <summary>Background work the schedulers and servers themselves do beside the workers (heartbeats, schedulers, long polling).</summary>
    private const int ServerConnections = 6;

    /// <summary>
    /// How long a server waits for its workers and dispatchers to stop. DCP kills a service about 6 to 10 s after it
    /// asked it to stop; a job still running then has observed its cancellation, and Hangfire re-queues it.
    /// </summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(4);

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

        foreach (var server in Servers)
        {
            AddServer(builder, server);
        }

        // The servers stop side by side rather than one after another, so a stop takes one server's shutdown, not three.
        builder.Services.Configure<HostOptions>(host => host.ServicesStopConcurrently = true);
        builder.Services.AddHostedService<RecurringJobs>();
        builder.Services.AddHealthChecks().AddCheck<JobServersHealthCheck>("Hangfire");
    }

    /// <summary>The servers each replica runs: syncs (interactive before unattended), webhooks, and the upkeep jobs with Hangfire's schedulers.</summary>
    public static readonly IReadOnlyList<JobServer> Servers =
    [
        new("syncs", o => o.SyncWorkers, Lightweight: true, [JobQueues.Interactive, JobQueues.Syncs]),
        new("webhooks", o => o.WebhookWorkers, Lightweight: true, [JobQueues.Webhooks]),
        new("maintenance", o => o.MaintenanceWorkers, Lightweight: false, [JobQueues.Maintenance]),
    ];

    /// <summary>A replica's server name: the replica's, then the server's purpose.</summary>
    public static string ServerName(WorkerIdentity worker, JobServer server) => $"{worker.Name}:{server.Purpose}";

    private static void AddServer(WebApplicationBuilder builder, JobServer definition) =>
        builder.Services.AddHangfireServer((services, server) =>
        {
            var options = services.GetRequiredService<IOptions<WorkerOptions>>().Value;
            server.ServerName = ServerName(services.GetRequiredService<WorkerIdentity>(), definition);
            server.Queues = definition.Queues;
            server.WorkerCount = definition.Workers(options);
            server.IsLightweightServer = definition.Lightweight;
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            server.HeartbeatInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, options.Lease.Ticks / 4));
            server.ServerTimeout = options.Lease;
            server.ServerCheckInterval = TimeSpan.FromTicks(options.Lease.Ticks / 2);
            server.ShutdownTimeout = ShutdownTimeout;
        });
}

/// <summary>One Hangfire server per replica: its purpose (in its name), worker count from settings, and queues in priority order.</summary>
public sealed record JobServer(string Purpose, Func<WorkerOptions, int> Workers, bool Lightweight, string[] Queues);
