using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Psd2.Core.Accounts;
using Psd2.Core.Audit;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;

namespace Psd2.Core.Sync;

/// <summary>
/// Runs one sync of a connection: lists its accounts (linking them to their stable ids), then syncs each account
/// all-or-nothing. An expired token is refreshed once and the call retried; a consent the bank no longer honours
/// ends the connection; a spent daily budget records when the next read is allowed. The run records counts and outcome,
/// and tells the client app of it (sync.completed, and transactions.new when any were added).
/// </summary>
public sealed class ConnectionSync(
    Psd2DbContext db, BankClients banks, ConnectionTokens tokens, AccountSync accounts, ConsentChecks consents,
    IAccountCache cache, TimeProvider time, ILogger<ConnectionSync> logger)
{
    /// <summary>A sync that adds this many transactions analyzes the table itself rather than wait for autovacuum.</summary>
    private const int LargeIngest = 10_000;

    /// <summary>A new run of the connection, queued: added to the unit of work, which the caller saves.</summary>
    public SyncRun Queue(Connection connection, bool userPresent, string? requestId)
    {
        var run = new SyncRun
        {
            Id = Guid.CreateVersion7(), ClientAppId = connection.ClientAppId, ConnectionId = connection.Id, UserPresent = userPresent,
            RequestId = requestId, Status = SyncRunStatus.Queued, CreatedAt = time.GetUtcNow(),
        };
        db.SyncRuns.Add(run);
        return run;
    }

    /// <summary>Ends the runs still queued or running that <paramref name="which"/> selects as failed (a process that died left them).</summary>
    public Task<int> FailOpenAsync(Expression<Func<SyncRun, bool>> which, string errorCode, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.SyncRuns.Where(which).Where(r => r.Status == SyncRunStatus.Queued || r.Status == SyncRunStatus.Running).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.Status, SyncRunStatus.Failed)
            .SetProperty(x => x.ErrorCode, errorCode)
            .SetProperty(x => x.FinishedAt, now), cancellationToken);
    }

    /// <summary>Runs a queued run of <paramref name="connection"/> (both tracked by this unit of work) to its end.</summary>
    public async Task<SyncRun> RunAsync(SyncRun run, Connection connection, string? psuIpAddress, CancellationToken cancellationToken)
    {
        run.Status = SyncRunStatus.Running;
        run.StartedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        if (!connection.IsLive)
        {
            return await FinishAsync(run, connection, "connection_not_active", cancellationToken);
        }

        var requestId = run.RequestId ?? run.Id.ToString();
        var connector = banks.Connector(connection.InstitutionId);
        var session = new StrongBox<ConnectorSession>(tokens.Session(connection, psuIpAddress, requestId));
        string? errorCode = null;
        IReadOnlyList<Account> linked = [];
        var added = new List<NewTransactions>();
        try
        {
            var listed = await WithTokenRefreshAsync(connection, session, s => connector.GetAccountsAsync(s, cancellationToken), cancellationToken);
            linked = await AccountLinks.LinkAsync(db, connection, listed, time.GetUtcNow(), logger, cancellationToken);
            var historyFrom = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-banks.Institution(connection.InstitutionId).MaxHistoryDays);
            foreach (var account in linked)
            {
                try
                {
                    var result = await WithTokenRefreshAsync(connection, session,
                        s => accounts.SyncAsync(account, connector, s, connection.Access, historyFrom, cancellationToken), cancellationToken);
                    run.AccountsSynced++;
                    run.TransactionsAdded += result.Added;
                    run.TransactionsUpdated += result.Updated;
                    run.TransactionsRemoved += result.Removed;
                    if (result.Added > 0)
                    {
                        added.Add(new NewTransactions(account.Id, result.Added));
                    }
                }
                catch (ConnectorException e) when (e.Failure is ConnectorFailure.Transient or ConnectorFailure.Refused)
                {
                    // This account keeps its previous data; the others go on.
                    logger.LogWarning(e, "Sync {SyncRunId}: account {AccountId} failed ({BankCode})", run.Id, account.Id, e.BankCode);
                    run.AccountsFailed++;
                    errorCode ??= Code(e);
                }
            }
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "Sync {SyncRunId} of connection {ConnectionId} stopped ({BankCode})", run.Id, connection.Id, e.BankCode);
            errorCode = Code(e);
            run.NextAllowedAt = e.NextAllowedAt;
            await EndConsentIfOverAsync(connection, e, requestId, cancellationToken);
        }
        finally
        {
            if (run.TransactionsAdded >= LargeIngest)
            {
                // Fresh statistics at once: the planner would otherwise read a grown table by the old ones (100 ms vs 0.2 ms a
                // page). Only the columns reads filter and sort on: the whole row's (raw jsonb above all) takes twice as long.
                await db.Database.ExecuteSqlRawAsync("ANALYZE transactions (account_id, status, sort_date, amount)", CancellationToken.None);
            }

            // Each account's sync has committed by now: reads from here on see what this run wrote, also when it stopped half-way.
            await cache.InvalidateAsync(linked.Select(a => a.Id), CancellationToken.None);
        }

        return await FinishAsync(run, connection, errorCode, cancellationToken, added);
    }

    /// <summary>Runs a bank call; when the bank says the access token expired, refreshes it once and runs the call again.</summary>
    private async Task<T> WithTokenRefreshAsync<T>(
        Connection connection, StrongBox<ConnectorSession> session, Func<ConnectorSession, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(session.Value!);
        }
        catch (ConnectorException e) when (e.Failure == ConnectorFailure.TokenExpired)
        {
            session.Value = await tokens.RefreshAsync(connection, session.Value!, cancellationToken);
            return await call(session.Value);
        }
    }

    /// <summary>The bank says the consent is over: ask for its status (free of the budget) to say why, and end the connection.</summary>
    private async Task EndConsentIfOverAsync(Connection connection, ConnectorException e, string requestId, CancellationToken cancellationToken)
    {
        if (e.Failure == ConnectorFailure.ConsentExpired)
        {
            consents.End(connection, ConnectionStatus.Expired, "consent_expired", requestId);
        }
        else if (e.Failure is ConnectorFailure.ConsentInvalid or ConnectorFailure.TokenExpired)
        {
            try
            {
                await consents.CheckAsync(connection, requestId, cancellationToken);
            }
            catch (ConnectorException statusError)
            {
                logger.LogWarning(statusError, "Reading the consent status of connection {ConnectionId} failed", connection.Id);
            }

            if (connection.IsLive)
            {
                // The bank still calls the consent valid but refuses its tokens: the user must authenticate again.
                consents.End(connection, ConnectionStatus.Failed, "reauthentication_required", requestId);
            }
        }
    }

    private async Task<SyncRun> FinishAsync(
        SyncRun run, Connection connection, string? errorCode, CancellationToken cancellationToken, IReadOnlyList<NewTransactions>? added = null)
    {
        var now = time.GetUtcNow();
        run.FinishedAt = now;
        run.ErrorCode = errorCode;
        run.Status = errorCode is null ? SyncRunStatus.Succeeded : run.AccountsSynced > 0 ? SyncRunStatus.PartiallyFailed : SyncRunStatus.Failed;
        if (run.AccountsSynced > 0)
        {
            connection.LastSyncedAt = now;
        }

        db.AuditEvents.Add(AuditEvent.Of(run.RequestId, time, "sync.completed", connection.ClientAppId, connection.UserId, connection.Id, new
        {
            syncRunId = run.Id, run.Status, run.AccountsSynced, run.AccountsFailed, run.TransactionsAdded, run.TransactionsUpdated,
            run.TransactionsRemoved, run.ErrorCode,
        }));
        db.PlatformEvents.Add(PlatformEvent.Of(time, "sync.completed", connection.ClientAppId, connection.UserId, connection.Id, new
        {
            syncRunId = run.Id, connectionId = connection.Id, userId = connection.UserId, run.Status, run.UserPresent, run.AccountsSynced,
            run.AccountsFailed, run.TransactionsAdded, run.TransactionsUpdated, run.TransactionsRemoved, run.ErrorCode, run.NextAllowedAt,
            run.StartedAt, run.FinishedAt,
        }));
        if (added is { Count: > 0 })
        {
            db.PlatformEvents.Add(PlatformEvent.Of(time, "transactions.new", connection.ClientAppId, connection.UserId, connection.Id, new
            {
                syncRunId = run.Id, connectionId = connection.Id, userId = connection.UserId, count = added.Sum(a => a.Count),
                accountIds = added.Select(a => a.AccountId).ToList(), accounts = added,
            }));
        }

        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    /// <summary>How many transactions one account gained in this run (the transactions.new payload).</summary>
    private sealed record NewTransactions(Guid AccountId, int Count);

    private static string Code(ConnectorException e) => e.Failure switch
    {
        ConnectorFailure.ConsentExpired => "consent_expired",
        ConnectorFailure.ConsentInvalid => "consent_invalid",
        ConnectorFailure.AccessExceeded => "access_exceeded",
        ConnectorFailure.TokenExpired => "token_expired",
        ConnectorFailure.Transient => "bank_unavailable",
        _ => "bank_refused",
    };
}
