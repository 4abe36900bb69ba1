using Psd2.Core.Audit;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Security;

namespace Psd2.Core.Connections;

/// <summary>
/// Reads a live connection's consent status at the bank (a call that does not use the daily access budget) and
/// applies it: a consent the PSU revoked at the bank, or that expired there, shows as such from this contact on;
/// one within the renewal window is renewal_due. Each move is told to the client app as a <c>connection.&lt;status&gt;</c> event.
/// </summary>
public sealed class ConsentChecks(Psd2DbContext db, BankClients banks, TokenProtector protector, TimeProvider time)
{
    /// <summary>How long before validUntil a connection is renewal_due.</summary>
    public const int RenewalWindowDays = 7;

    /// <summary>Checks and saves; throws the connector's <see cref="ConnectorException"/> when the bank cannot be asked.</summary>
    public async Task CheckAsync(Connection connection, string? requestId, CancellationToken cancellationToken)
    {
        if (!connection.IsLive || connection.BankConsentId is null)
        {
            return;
        }

        var state = await banks.Connector(connection.InstitutionId).GetConsentStateAsync(protector.ConsentOf(connection), cancellationToken);
        Apply(connection, state, requestId);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Applies a consent's state read at the bank to the connection (not saved).</summary>
    public void Apply(Connection connection, ConsentState state, string? requestId)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        connection.ConsentCheckedAt = now;
        var ended = ConsentStateMapping.Ended(state);
        if (ended is null && connection.ValidUntil < today)
        {
            ended = (ConnectionStatus.Expired, "consent_expired");
        }

        if (ended is var (status, reason))
        {
            End(connection, status, reason, requestId);
        }
        else if (connection.Status == ConnectionStatus.Active && connection.ValidUntil <= today.AddDays(RenewalWindowDays))
        {
            connection.SetStatus(ConnectionStatus.RenewalDue, "consent_expires_soon", now);
            db.AuditEvents.Add(AuditEvent.Of(requestId, time, "connection.renewal_due", connection.ClientAppId, connection.UserId, connection.Id));
            db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
        }
    }

    /// <summary>The consent is over (or never came to be): the tokens are forgotten, nothing more is scheduled, and the connection shows why (not saved).</summary>
    public void End(Connection connection, string status, string reason, string? requestId)
    {
        connection.AccessTokenCipher = null;
        connection.RefreshTokenCipher = null;
        connection.NextRefreshAt = null;
        connection.NextPollAt = null;
        connection.SetStatus(status, reason, time.GetUtcNow());
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, "connection." + status, connection.ClientAppId, connection.UserId, connection.Id, new { reason }));
        db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
    }
}
