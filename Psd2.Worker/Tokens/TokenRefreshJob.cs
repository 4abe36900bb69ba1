using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Tokens;

/// <summary>
/// Refreshes access tokens before they expire (the refresh token rotates), so unattended reads start with a live
/// token: claims the connections whose token expires within <see cref="RefreshOptions.TokenRefreshAhead"/> under the
/// same lease as a refresh run (so the two never rotate its tokens at once), and hands each to <see cref="TokenRefresh"/>.
/// </summary>
[AutomaticRetry(Attempts = 0)] // the next firing is the retry
public sealed class TokenRefreshJob(
    IServiceScopeFactory scopes, IOptions<RefreshOptions> refresh, IOptions<WorkerOptions> options, WorkerIdentity worker, TimeProvider time) : IRecurringWorkerJob
{
    public const string Name = "token-refresh";
    private const int Batch = 50;

    public Task RunAsync(CancellationToken cancellationToken) => ClaimedBatches.ForEachAsync<TokenRefresh>(scopes, ClaimAsync, cancellationToken);

    private async Task<List<Guid>> ClaimAsync(Psd2DbContext db, CancellationToken cancellationToken)
    {
        var expiringBefore = time.GetUtcNow() + refresh.Value.TokenRefreshAhead;
        var lease = options.Value.Lease.TotalSeconds;
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE connections SET lease_until = now() + make_interval(secs => {lease}), leased_by = {worker.Name}, lease_token = NULL
            WHERE id IN (SELECT id FROM connections
                         WHERE status IN ('active', 'renewal_due') AND refresh_token_cipher IS NOT NULL
                           AND access_token_expires_at < {expiringBefore} AND (lease_until IS NULL OR lease_until < now())
                         ORDER BY access_token_expires_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
    }
}
