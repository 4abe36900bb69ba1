using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Connections;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

/// <summary>A connection this replica holds for one run, and the slot the run is for.</summary>
public sealed record ClaimedRefresh(Guid Id, DateTimeOffset Slot);

/// <summary>
/// Runs the unattended refreshes that are due: claims them with <c>FOR UPDATE SKIP LOCKED</c> and a lease (so
/// replicas share the work and never run one connection twice at once), takes a read from the consent's budget
/// before calling the bank, runs the sync without PSU-IP-Address, and plans the connection's next slot. A slot is
/// read only inside its own bank day's window; a bank that still says the day is spent holds the connection until
/// the time it gives (<c>refresh_limit_reached</c>).
/// </summary>
public sealed class RefreshDispatcher(IServiceScopeFactory scopes, IOptions<WorkerOptions> options, WorkerIdentity worker, TimeProvider time, ILogger<RefreshDispatcher> logger)
{
    public const string RefreshLimitReached = "refresh_limit_reached";

    // One dispatch loop per replica: a firing that finds one running leaves the work to it.
    private readonly SemaphoreSlim _running = new(1, 1);

    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        if (!await _running.WaitAsync(0, cancellationToken))
        {
            return 0;
        }

        try
        {
            var concurrency = options.Value.RefreshConcurrency;
            var slice = Stopwatch.StartNew();
            var total = 0;
            while (slice.Elapsed < options.Value.DispatchSlice)
            {
                var claimed = await ClaimAsync(concurrency * 2, cancellationToken);
                if (claimed.Count == 0)
                {
                    break;
                }

                await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                    async (claim, token) => await RefreshAsync(claim, token));
                total += claimed.Count;
            }

            return total;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<List<ClaimedRefresh>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        var now = time.GetUtcNow();
        var lease = options.Value.Lease.TotalSeconds;
        return await db.Database.SqlQuery<ClaimedRefresh>($"""
            UPDATE connections SET lease_until = now() + make_interval(secs => {lease}), leased_by = {worker.Name}
            WHERE id IN (SELECT id FROM connections
                         WHERE status IN ('active', 'renewal_due') AND next_refresh_at <= {now} AND (lease_until IS NULL OR lease_until < now())
                         ORDER BY next_refresh_at LIMIT {count} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Id", next_refresh_at AS "Slot"
            """).ToListAsync(cancellationToken);
    }

    private Task RefreshAsync(ClaimedRefresh claim, CancellationToken cancellationToken) =>
        ClaimedBatches.WithConnectionAsync(scopes, claim.Id, (services, connection, token) => RefreshAsync(services, connection, claim.Slot, token), cancellationToken);

    private async Task RefreshAsync(IServiceProvider services, Connection connection, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<Psd2DbContext>();
        if (connection.Status is not (ConnectionStatus.Active or ConnectionStatus.RenewalDue))
        {
            // Ended between the claim and now (deleted, revoked by a check): nothing to read, no read to take.
            connection.ReleaseLease();
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        var slots = services.GetRequiredService<RefreshCalendar>().For(connection.InstitutionId);
        var startedAt = time.GetUtcNow();
        var frequency = connection.FrequencyPerDay;
        string outcome;
        string? errorCode = null;
        Guid? syncRunId = null;
        try
        {
            await services.GetRequiredService<BankRateLimiter>().WaitAsync(connection.InstitutionId, cancellationToken);
            var now = time.GetUtcNow();
            var bankDay = slots.Days.DayOf(now);
            if (!slots.MayReadNow(slot, now))
            {
                // Missed (the worker was down, or the bank day ended): the read is not made up on another day.
                (outcome, errorCode) = (JobOutcome.Skipped, "slot_missed");
                connection.NextRefreshAt = slots.NextAfter(connection.Id, frequency, now);
            }
            else if (await services.GetRequiredService<RefreshBudgetStore>().TryTakeAsync(connection.Id, bankDay, frequency, cancellationToken) is null)
            {
                (outcome, errorCode) = (JobOutcome.Skipped, "budget_spent");
                connection.NextRefreshAt = slots.NextFrom(connection.Id, frequency, slots.Days.StartOf(bankDay.AddDays(1)));
            }
            else
            {
                var run = await SyncAsync(db, services.GetRequiredService<ConnectionSync>(), connection, cancellationToken);
                syncRunId = run.Id;
                (outcome, errorCode) = (run.Status == SyncRunStatus.Failed ? JobOutcome.Failed : JobOutcome.Succeeded, run.ErrorCode);
                if (run.ErrorCode == "access_exceeded")
                {
                    // The bank counts differently than planned (another TPP's use of a shared consent, clock trouble): trust it.
                    await services.GetRequiredService<RefreshBudgetStore>().SpendAsync(connection.Id, bankDay, frequency, cancellationToken);
                    var next = slots.NextFrom(connection.Id, frequency, run.NextAllowedAt ?? slots.Days.StartOf(bankDay.AddDays(1)));
                    connection.NextRefreshAt = next;
                    connection.RefreshReason = RefreshLimitReached;
                    db.PlatformEvents.Add(PlatformEvent.Of(time, "connection." + RefreshLimitReached, connection.ClientAppId, connection.UserId, connection.Id, new { nextRefreshAt = next }));
                    logger.LogWarning("Connection {ConnectionId}: the bank says the day's reads are spent; next refresh at {NextRefreshAt}", connection.Id, next);
                }
                else
                {
                    connection.RefreshReason = null;
                    connection.NextRefreshAt = slots.NextAfter(connection.Id, frequency, Max(time.GetUtcNow(), slot));
                }
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "The unattended refresh of connection {ConnectionId} failed", connection.Id);
            (outcome, errorCode) = (JobOutcome.Failed, "internal_error");
            connection.NextRefreshAt = slots.NextAfter(connection.Id, frequency, time.GetUtcNow());
        }

        // The bank no longer honours the consent (the sync read its status to say why): the client is told.
        var ended = connection.Status is not (ConnectionStatus.Active or ConnectionStatus.RenewalDue);
        if (ended)
        {
            connection.NextRefreshAt = null;
            connection.RefreshReason = null;
        }

        connection.ReleaseLease();
        JobRuns.Record(db, worker, connection.Id, ConnectionJobKind.Refresh, startedAt, time.GetUtcNow(), outcome, errorCode, syncRunId);
        await ConnectionEvents.SaveAsync(db, time, connection, statusChanged: ended, cancellationToken);
    }

    /// <summary>One unattended sync run (no PSU-IP-Address), ended before the lease so no other replica starts one meanwhile.</summary>
    private async Task<SyncRun> SyncAsync(Psd2DbContext db, ConnectionSync sync, Connection connection, CancellationToken cancellationToken)
    {
        // This replica holds the lease: an unattended run still open is one a replica that died left behind.
        var now = time.GetUtcNow();
        await db.SyncRuns.Where(r => r.ConnectionId == connection.Id && !r.UserPresent && (r.Status == SyncRunStatus.Queued || r.Status == SyncRunStatus.Running))
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.Status, SyncRunStatus.Failed).SetProperty(x => x.ErrorCode, "interrupted").SetProperty(x => x.FinishedAt, now), cancellationToken);

        var run = new SyncRun
        {
            Id = Guid.CreateVersion7(), ClientAppId = connection.ClientAppId, ConnectionId = connection.Id, UserPresent = false,
            Status = SyncRunStatus.Queued, CreatedAt = now,
        };
        db.SyncRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RunTimeout);
        return await sync.RunAsync(run.Id, psuIpAddress: null, timeout.Token);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
