using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Tokens;

/// <summary>
/// Refreshes one claimed connection's access token. A refusal (invalid_grant) means the user must authenticate again:
/// unless the consent's status says it ended, the connection becomes <c>failed</c> with <c>reauthentication_required</c>,
/// and the client is told. A bank that is unavailable leaves it to the next run.
/// </summary>
public sealed class TokenRefresh(
    Psd2DbContext db, ConnectionTokens tokens, ConsentChecks consents, WorkerIdentity worker, TimeProvider time, ILogger<TokenRefresh> logger)
    : IClaimedConnectionHandler
{
    public const string ReauthenticationRequired = "reauthentication_required";

    public async Task HandleAsync(Connection connection, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var requestId = Guid.NewGuid().ToString();
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
            await EndAsync(connection, requestId, cancellationToken);
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
    private async Task EndAsync(Connection connection, string requestId, CancellationToken cancellationToken)
    {
        try
        {
            await consents.CheckAsync(connection, requestId, cancellationToken);
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "Reading the consent status of connection {ConnectionId} failed", connection.Id);
        }

        if (connection.IsLive)
        {
            consents.End(connection, ConnectionStatus.Failed, ReauthenticationRequired, requestId);
        }

        connection.NextConsentCheckAt = null;
        logger.LogWarning("Connection {ConnectionId} is {Status} ({Reason}) after the bank refused to refresh its tokens", connection.Id, connection.Status, connection.StatusReason);
    }
}
