using System.ComponentModel.DataAnnotations;

namespace Psd2.Worker.Scheduling;

/// <summary>The worker's knobs (<c>Worker</c> section). The defaults suit production; tests make the intervals short.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>How often connections without a plan get their next refresh slot and consent check.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan PlannerInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often due refreshes are claimed and run.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan DispatcherInterval { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan TokenRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan ConsentCheckJobInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Unattended syncs one replica runs at once.</summary>
    [Range(1, 64)] public int RefreshConcurrency { get; set; } = 4;

    /// <summary>
    /// How long a replica holds a connection for one run (real time, by the database's clock). A run is cancelled a
    /// little before; a replica that dies mid-run leaves the connection to the others once the lease is over.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")] public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often each replica tells the Quartz cluster it is alive; a silent one's jobs are recovered by the others.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")] public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest one dispatcher firing keeps claiming before it hands back to the scheduler.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan DispatchSlice { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A run ends (cancelled) this long before its lease does, so no other replica takes the connection while it runs.</summary>
    public TimeSpan RunTimeout => Lease - TimeSpan.FromTicks(Lease.Ticks / 5);
}
