using System.ComponentModel.DataAnnotations;

namespace Psd2.Worker.Scheduling;

/// <summary>The worker's knobs (<c>Worker</c> section). The defaults suit production; tests make the intervals short.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>How often connections without a plan get their next refresh slot and consent check.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan PlannerInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often due refreshes are claimed and enqueued.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan DispatcherInterval { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan TokenRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan ConsentCheckJobInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often unfinished payments due a look are claimed (each then waits its own backoff).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")] public TimeSpan PaymentStatusInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often webhook deliveries that are due are looked for (each run sends until none is left).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan WebhookInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Hangfire workers on this replica for syncs (interactive first, then unattended): the syncs it runs at once.</summary>
    [Range(1, 64)] public int SyncWorkers { get; set; } = 4;

    /// <summary>Hangfire workers for webhook delivery runs (each sends <c>Webhooks:Concurrency</c> at a time).</summary>
    [Range(1, 16)] public int WebhookWorkers { get; set; } = 1;

    /// <summary>Hangfire workers for the recurring upkeep jobs.</summary>
    [Range(1, 16)] public int MaintenanceWorkers { get; set; } = 2;

    /// <summary>The most unattended refreshes waiting in the syncs queue: the dispatcher claims no more than that ahead of the workers.</summary>
    [Range(1, 10_000)] public int DispatchAhead { get; set; } = 32;

    /// <summary>
    /// How long a replica holds a connection for one run (real time, by the database's clock). A run is cancelled a
    /// little before; a replica that dies mid-run leaves the connection to the others once the lease is over. It also
    /// bounds Hangfire's locks and the invisibility of a dead server's jobs.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")] public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest one dispatcher run keeps topping up the syncs queue before it hands back to the scheduler.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan DispatchSlice { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often due delayed jobs and recurring jobs are looked for (Hangfire's schedule polling).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")] public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times an unattended refresh the bank could not serve is tried again (each attempt a read from the budget).</summary>
    [Range(0, 5)] public int RefreshRetries { get; set; } = 2;

    /// <summary>The wait before the first retry; each later one waits four times longer (30 s, 2 min by default).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan RefreshRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait before retry <paramref name="retry"/> (0 for the first).</summary>
    public TimeSpan RefreshRetryDelayBefore(int retry) => RefreshRetryDelay * Math.Pow(4, retry);

    /// <summary>A run ends (cancelled) this long before its lease does, so no other replica takes the connection while it runs.</summary>
    public TimeSpan RunTimeout => Lease - TimeSpan.FromTicks(Lease.Ticks / 5);
}
