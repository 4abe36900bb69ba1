using Hangfire;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Connections;
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
[AutomaticRetry(Attempts = 0)] // the next firing is the retry
public sealed class ConsentCheckJob(IServiceScopeFactory scopes, TimeProvider time) : IRecurringWorkerJob
{
    public const string Name = "consent-check";
    private const int Batch = 50;

    /// <summary>A check claimed by a replica that died is taken up again after this.</summary>
    public static readonly TimeSpan Claim = TimeSpan.FromMinutes(5);

    public Task RunAsync(CancellationToken cancellationToken) => ClaimedBatches.ForEachAsync<ConsentCheck>(scopes, ClaimAsync, cancellationToken);

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
}
