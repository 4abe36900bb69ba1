using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Tokens;

/// <summary>
/// Refreshes access tokens before they expire (the refresh token rotates), so unattended reads start with a live
/// token. A connection is held under the same lease as a refresh run, so the two never rotate its tokens at once.
/// A refusal (invalid_grant) means the user must authenticate again: unless the consent's status says it ended,
/// the connection becomes <c>failed</c> with <c>reauthentication_required</c>, and the client is told.
/// </summary>
public sealed class TokenRefreshJob(
    IServiceScopeFactory scopes, IOptions<RefreshOptions> refresh, IOptions<WorkerOptions> options, WorkerIdentity worker, TimeProvider time,
    ILogger<TokenRefreshJob> logger) : IRecurringWorkerJob
{
    public const string Name = "token-refresh";
    public const string ReauthenticationRequired = "reauthentication_required";
    private const int Batch = 50;

    public async Task RunAsync(CancellationToken cancellationToken) =>
        await ClaimedBatches.ForEachAsync(scopes, ClaimAsync, RefreshAsync, cancellationToken);

    private async Task<List<Guid>> ClaimAsync(Psd2DbContext db, CancellationToken cancellationToken)
    {
        var expiringBefore = time.GetUtcNow() + refresh.Value.TokenRefreshAhead;
        var lease = options.Value.Lease.TotalSeconds;
        return await db.Database.SqlQuery<Guid>($"""
            UPDATE connections SET lease_until = now() + make_interval(secs => {lease}), leased_by = {worker.Name}
            WHERE id IN (SELECT id FROM connections
                         WHERE status IN ('active', 'renewal_due') AND refresh_token_cipher IS NOT NULL
                           AND access_token_expires_at < {expiringBefore} AND (lease_until IS NULL OR lease_until < now())
                         ORDER BY access_token_expires_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
    }

    private async Task RefreshAsync(IServiceProvider services, Connection connection, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<Psd2DbContext>();
        var startedAt = time.GetUtcNow();
        var requestId = Guid.NewGuid().ToString();
        var tokens = services.GetRequiredService<ConnectionTokens>();
        string outcome = JobOutcome.Succeeded;
        string? errorCode = null;
        var before = connection.Status;
        try
        {
            await tokens.RefreshAsync(connection, tokens.Session(connection, psuIpAddress: null, requestId), cancellationToken);
        }
        catch (ConnectorException e) when (e.Failure == ConnectorFailure.ConsentInvalid)
        {
            (outcome, errorCode) = (JobOutcome.Failed, e.BankCode ?? "token_refused");
            await EndAsync(services, connection, requestId, cancellationToken);
        }
        catch (ConnectorException e) when (e.Failure == ConnectorFailure.Transient)
        {
            // Tried again at the next run; a sync meanwhile refreshes on its own when the bank says the token expired.
            logger.LogWarning(e, "Refreshing the tokens of connection {ConnectionId} failed for now", connection.Id);
            (outcome, errorCode) = (JobOutcome.Failed, "bank_unavailable");
        }

        connection.ReleaseLease();
        JobRuns.Record(db, worker, connection.Id, ConnectionJobKind.TokenRefresh, startedAt, time.GetUtcNow(), outcome, errorCode);
        await ConnectionEvents.SaveAsync(db, time, connection, statusChanged: connection.Status != before, cancellationToken);
    }

    /// <summary>The bank refused the refresh token: the consent's status says whether it ended at the bank or the user must authenticate again.</summary>
    private async Task EndAsync(IServiceProvider services, Connection connection, string requestId, CancellationToken cancellationToken)
    {
        var consents = services.GetRequiredService<ConsentChecks>();
        try
        {
            await consents.CheckAsync(connection, requestId, cancellationToken);
        }
        catch (Exception e) when (e is BankException or HttpRequestException)
        {
            logger.LogWarning(e, "Reading the consent status of connection {ConnectionId} failed", connection.Id);
        }

        if (connection.Status is ConnectionStatus.Active or ConnectionStatus.RenewalDue)
        {
            consents.End(connection, ConnectionStatus.Failed, ReauthenticationRequired, requestId);
        }

        connection.NextConsentCheckAt = null;
        logger.LogWarning("Connection {ConnectionId} is {Status} ({Reason}) after the bank refused to refresh its tokens", connection.Id, connection.Status, connection.StatusReason);
    }
}
