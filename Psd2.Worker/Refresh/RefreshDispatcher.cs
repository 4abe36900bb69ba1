using System.Diagnostics;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Jobs;
using Psd2.Core.Persistence;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

/// <summary>A connection claimed for one unattended refresh: the slot it is for, and the token that proves the claim.</summary>
public sealed record ClaimedRefresh(Guid Id, DateTimeOffset Slot, Guid Token);

/// <summary>
/// Turns due unattended refreshes into jobs: claims due connections with <c>FOR UPDATE SKIP LOCKED</c> and a lease (so
/// replicas never claim one twice) and enqueues one <see cref="UnattendedRefreshJob"/> per claim on the syncs queue,
/// keeping no more than <see cref="WorkerOptions.DispatchAhead"/> waiting there, until nothing is due or its slice is over.
/// </summary>
[AutomaticRetry(Attempts = 0)] // the next firing is the retry
public sealed class RefreshDispatcher(
    Psd2DbContext db, IBackgroundJobClient jobs, JobStorage storage, IOptions<WorkerOptions> options, WorkerIdentity worker, TimeProvider time)
    : IRecurringWorkerJob
{
    public const string Name = "refresh-dispatcher";
    private static readonly TimeSpan QueueFull = TimeSpan.FromMilliseconds(200);

    public async Task RunAsync(CancellationToken cancellationToken) => await DispatchAsync(cancellationToken);

    /// <summary>Enqueues refreshes while any are due; the number enqueued.</summary>
    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        var slice = Stopwatch.StartNew();
        var total = 0;
        while (slice.Elapsed < options.Value.DispatchSlice)
        {
            var room = options.Value.DispatchAhead - (int)storage.GetMonitoringApi().EnqueuedCount(JobQueues.Syncs);
            if (room <= 0)
            {
                await Task.Delay(QueueFull, cancellationToken);
                continue;
            }

            var claimed = await ClaimAsync(room, cancellationToken);
            foreach (var claim in claimed)
            {
                // The queue is part of the job, so Hangfire's retries go back to it.
                jobs.Enqueue<UnattendedRefreshJob>(JobQueues.Syncs, job => job.RunAsync(claim.Id, claim.Slot, claim.Token, null, CancellationToken.None));
            }

            total += claimed.Count;
            if (claimed.Count < room)
            {
                break;
            }
        }

        return total;
    }

    private async Task<List<ClaimedRefresh>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = options.Value.Lease.TotalSeconds;
        return await db.Database.SqlQuery<ClaimedRefresh>($"""
            UPDATE connections SET lease_until = now() + make_interval(secs => {lease}), leased_by = {worker.Name}, lease_token = gen_random_uuid()
            WHERE id IN (SELECT id FROM connections
                         WHERE status IN ('active', 'renewal_due') AND next_refresh_at <= {now} AND (lease_until IS NULL OR lease_until < now())
                         ORDER BY next_refresh_at LIMIT {count} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Id", next_refresh_at AS "Slot", lease_token AS "Token"
            """).ToListAsync(cancellationToken);
    }
}
