using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Consents;

/// <summary>
/// Reads each live connection's consent status at the bank at least once per <see cref="RefreshOptions.ConsentCheckInterval"/>
/// and on the days its validity changes (a call outside the daily budget), through <see cref="ConsentChecks"/>:
/// entering the renewal window makes it renewal_due, validUntil passed expired, and a consent revoked or terminated
/// at the bank revoked. Each status change is told to the client as a platform event.
/// </summary>
public sealed class ConsentCheckJob(
    IServiceScopeFactory scopes, IOptions<RefreshOptions> refresh, WorkerIdentity worker, TimeProvider time, ILogger<ConsentCheckJob> logger) : IRecurringWorkerJob
{
    public const string Name = "consent-check";
    private const int Batch = 50;

    /// <summary>A check claimed by a replica that died is taken up again after this.</summary>
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(5);

    public async Task RunAsync(CancellationToken cancellationToken) =>
        await ClaimedBatches.ForEachAsync(scopes, ClaimAsync, CheckAsync, cancellationToken);

    private async Task<List<Guid>> ClaimAsync(Psd2DbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE connections SET next_consent_check_at = {now + Claim}
            WHERE id IN (SELECT id FROM connections
                         WHERE status IN ('active', 'renewal_due') AND next_consent_check_at <= {now}
                         ORDER BY next_consent_check_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
    }

    private async Task CheckAsync(IServiceProvider services, Connection connection, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<Psd2DbContext>();
        var startedAt = time.GetUtcNow();
        var before = connection.Status;
        string outcome = JobOutcome.Succeeded;
        string? errorCode = null;
        var interval = refresh.Value.ConsentCheckInterval;
        try
        {
            await services.GetRequiredService<ConsentChecks>().CheckAsync(connection, Guid.NewGuid().ToString(), cancellationToken);
            connection.NextConsentCheckAt = connection.Status is ConnectionStatus.Active or ConnectionStatus.RenewalDue
                ? ConsentCheckSchedule.Next(connection.Id, connection.ValidUntil, time.GetUtcNow(), interval)
                : null;
        }
        catch (Exception e) when (e is BankException or HttpRequestException)
        {
            logger.LogWarning(e, "The consent check of connection {ConnectionId} failed; trying again later", connection.Id);
            (outcome, errorCode) = (JobOutcome.Failed, "bank_unavailable");
            connection.NextConsentCheckAt = time.GetUtcNow() + (interval < Claim ? interval : Claim);
        }

        JobRuns.Record(db, worker, connection.Id, ConnectionJobKind.ConsentCheck, startedAt, time.GetUtcNow(), outcome, errorCode);
        if (connection.Status != before)
        {
            logger.LogInformation("Connection {ConnectionId} is {Status} ({Reason}) after its consent check", connection.Id, connection.Status, connection.StatusReason);
        }

        await ConnectionEvents.SaveAsync(db, time, connection, statusChanged: connection.Status != before, cancellationToken);
    }
}
