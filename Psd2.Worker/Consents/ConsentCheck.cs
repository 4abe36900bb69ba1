using Microsoft.Extensions.Options;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Consents;

/// <summary>One claimed connection's consent check, and when the next one is due.</summary>
public sealed class ConsentCheck(
    Psd2DbContext db, ConsentChecks consents, IOptions<RefreshOptions> refresh, WorkerIdentity worker, TimeProvider time, ILogger<ConsentCheck> logger)
    : IClaimedConnectionHandler
{
    public async Task HandleAsync(Connection connection, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var before = connection.Status;
        string outcome = JobOutcome.Succeeded;
        string? errorCode = null;
        var interval = refresh.Value.ConsentCheckInterval;
        try
        {
            await consents.CheckAsync(connection, Guid.NewGuid().ToString(), cancellationToken);
            connection.NextConsentCheckAt = connection.IsLive
                ? ConsentCheckSchedule.Next(connection.Id, connection.ValidUntil, time.GetUtcNow(), interval)
                : null;
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "The consent check of connection {ConnectionId} failed; trying again later", connection.Id);
            (outcome, errorCode) = (JobOutcome.Failed, "bank_unavailable");
            connection.NextConsentCheckAt = time.GetUtcNow() + (interval < ConsentCheckJob.Claim ? interval : ConsentCheckJob.Claim);
        }

        JobRuns.Record(db, worker, connection.Id, ConnectionJobKind.ConsentCheck, startedAt, time.GetUtcNow(), outcome, errorCode);
        if (connection.Status != before)
        {
            logger.LogInformation("Connection {ConnectionId} is {Status} ({Reason}) after its consent check", connection.Id, connection.Status, connection.StatusReason);
        }

        await ConnectionEvents.SaveAsync(db, time, connection, statusChanged: connection.Status != before, cancellationToken);
    }
}
