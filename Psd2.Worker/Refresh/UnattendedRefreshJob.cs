using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Connections;
using Psd2.Core.Events;
using Psd2.Core.Jobs;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

/// <summary>
/// One unattended refresh of one connection, for the slot the dispatcher claimed it for. It runs only while the claim
/// is still the connection's (a job a dead replica left, run again later, finds a newer claim and does nothing), takes
/// the claim over for this replica, takes a read from the consent's budget before calling the bank, runs the sync
/// without PSU-IP-Address, and plans the connection's next slot. A slot is read only inside its own bank day's window;
/// a bank that says the day is spent holds the connection until the time it gives (<c>refresh_limit_reached</c>), and is
/// not asked again before. A bank that is unavailable is tried again by Hangfire with backoff (<see cref="RefreshRetries"/>; each
/// attempt a read of its own from the budget) while the connection stays held; after the last attempt the job ends failed, visibly in
/// Hangfire and in the connection's schedule. Consent errors end the connection and are never retried.
/// </summary>
public sealed class UnattendedRefreshJob(
    Psd2DbContext db, ConnectionSync sync, RefreshCalendar calendar, RefreshBudgetStore budgets, BankRateLimiter rateLimiter,
    IOptions<WorkerOptions> options, WorkerIdentity worker, TimeProvider time, ILogger<UnattendedRefreshJob> logger)
{
    public const string RefreshLimitReached = "refresh_limit_reached";
    private const string BankUnavailable = "bank_unavailable";
    private const string InternalError = "internal_error";

    /// <summary>Retried by <see cref="RefreshRetries"/>, on the worker's settings, rather than Hangfire's default.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(Guid connectionId, DateTimeOffset slot, Guid claim, PerformContext? context, CancellationToken cancellationToken)
    {
        if (!await TakeOverAsync(connectionId, claim, options.Value.Lease, cancellationToken))
        {
            logger.LogInformation("The refresh claim {Claim} of connection {ConnectionId} is no longer its own; nothing to do", claim, connectionId);
            return;
        }

        var connection = await db.Connections.SingleAsync(c => c.Id == connectionId, cancellationToken);
        var attempt = context is null ? options.Value.RefreshRetries : JobRetries.SoFar(context);
        var startedAt = time.GetUtcNow();
        var (outcome, errorCode, syncRunId) = await RefreshAsync(connection, slot, cancellationToken);
        // The bank unavailable, or something unexpected: worth another attempt while any is left.
        var transient = outcome == JobOutcome.Failed && errorCode is BankUnavailable or InternalError;
        var retry = transient && attempt < options.Value.RefreshRetries;
        if (retry)
        {
            // Held for the next attempt (same slot): the dispatcher does not claim it meanwhile.
            var hold = options.Value.Lease + options.Value.RefreshRetryDelayBefore(attempt);
            await TakeOverAsync(connectionId, claim, hold, cancellationToken);
        }
        else if (transient)
        {
            connection.NextRefreshAt = calendar.For(connection.InstitutionId).NextAfter(connection.Id, connection.FrequencyPerDay, time.GetUtcNow());
        }

        // The bank no longer honours the consent (the sync read its status to say why): the client is told.
        var ended = !connection.IsLive;
        if (ended)
        {
            connection.NextRefreshAt = null;
            connection.RefreshReason = null;
        }

        if (!retry)
        {
            connection.ReleaseLease();
        }

        JobRuns.Record(db, worker, connection.Id, ConnectionJobKind.Refresh, startedAt, time.GetUtcNow(), outcome, errorCode, syncRunId);
        await ConnectionEvents.SaveAsync(db, time, connection, statusChanged: ended, cancellationToken);
        if (transient)
        {
            // Hangfire retries it, or shows it failed after the last attempt.
            throw new RefreshFailedException(connectionId, errorCode ?? InternalError);
        }
    }

    /// <summary>Holds the connection for this replica for <paramref name="lease"/>, if the claim is still its own.</summary>
    private async Task<bool> TakeOverAsync(Guid connectionId, Guid claim, TimeSpan lease, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlAsync($"""
            UPDATE connections SET lease_until = now() + make_interval(secs => {lease.TotalSeconds}), leased_by = {worker.Name}
            WHERE id = {connectionId} AND lease_token = {claim}
            """, cancellationToken) == 1;

    private async Task<(string Outcome, string? ErrorCode, Guid? SyncRunId)> RefreshAsync(Connection connection, DateTimeOffset slot, CancellationToken cancellationToken)
    {
        if (!connection.IsLive)
        {
            // Ended between the claim and now (revoked by a check, say): nothing to read, no read to take.
            return (JobOutcome.Skipped, "connection_not_active", null);
        }

        var slots = calendar.For(connection.InstitutionId);
        var frequency = connection.FrequencyPerDay;
        try
        {
            await rateLimiter.WaitAsync(connection.InstitutionId, cancellationToken);
            var now = time.GetUtcNow();
            var bankDay = slots.Days.DayOf(now);
            if (!slots.MayReadNow(slot, now))
            {
                // Missed (the workers were down or busy, or the bank day ended): the read is not made up on another day.
                connection.NextRefreshAt = slots.NextAfter(connection.Id, frequency, now);
                return (JobOutcome.Skipped, "slot_missed", null);
            }

            if (await budgets.TryTakeAsync(connection.Id, bankDay, frequency, cancellationToken) is null)
            {
                connection.NextRefreshAt = slots.NextFrom(connection.Id, frequency, slots.Days.StartOf(bankDay.AddDays(1)));
                return (JobOutcome.Skipped, "budget_spent", null);
            }

            // This replica holds the lease: an unattended run still open is one a replica that died left behind.
            await sync.FailOpenAsync(r => r.ConnectionId == connection.Id && !r.UserPresent, "interrupted", cancellationToken);
            var run = sync.Queue(connection, userPresent: false, requestId: null);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.RunTimeout);
            run = await sync.RunAsync(run, connection, psuIpAddress: null, timeout.Token);
            if (run.ErrorCode == "access_exceeded")
            {
                // The bank counts differently than planned (another TPP's use of a shared consent, clock trouble): trust it.
                await budgets.SpendAsync(connection.Id, bankDay, frequency, cancellationToken);
                var next = slots.NextFrom(connection.Id, frequency, run.NextAllowedAt ?? slots.Days.StartOf(bankDay.AddDays(1)));
                connection.NextRefreshAt = next;
                connection.RefreshReason = RefreshLimitReached;
                db.PlatformEvents.Add(PlatformEvent.Of(time, "connection." + RefreshLimitReached, connection.ClientAppId, connection.UserId, connection.Id, new { nextRefreshAt = next }));
                logger.LogWarning("Connection {ConnectionId}: the bank says the day's reads are spent; next refresh at {NextRefreshAt}", connection.Id, next);
            }
            else if (!(run.Status == SyncRunStatus.Failed && run.ErrorCode == BankUnavailable))
            {
                connection.RefreshReason = null;
                connection.NextRefreshAt = slots.NextAfter(connection.Id, frequency, Max(time.GetUtcNow(), slot));
            }

            return (run.Status == SyncRunStatus.Failed ? JobOutcome.Failed : JobOutcome.Succeeded, run.ErrorCode, run.Id);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "The unattended refresh of connection {ConnectionId} failed", connection.Id);
            return (JobOutcome.Failed, InternalError, null);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>An unattended refresh that failed in a way worth trying again (the bank unavailable, an unexpected error).</summary>
public sealed class RefreshFailedException(Guid connectionId, string errorCode)
    : Exception($"The unattended refresh of connection {connectionId} failed ({errorCode}).");
