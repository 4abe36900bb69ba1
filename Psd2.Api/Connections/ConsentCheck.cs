using Psd2.Api.Banking;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connections;

/// <summary>
/// Reads a live connection's consent status at the bank (a call that does not use the daily access budget): a consent
/// the PSU revoked at the bank, or that expired there, shows as such from this contact on.
/// </summary>
public sealed class ConsentCheck(Psd2DbContext db, BankClients banks, TimeProvider time)
{
    /// <summary>How long before validUntil a connection is renewal_due.</summary>
    public static readonly int RenewalWindowDays = 7;

    /// <returns>Null when checked (or nothing to check), else why the bank could not be asked.</returns>
    public async Task<ApiError?> CheckAsync(Connection connection, string? requestId, CancellationToken cancellationToken)
    {
        if (connection.Status is not (ConnectionStatus.Active or ConnectionStatus.RenewalDue) || connection.BankConsentId is null)
        {
            return null;
        }

        string consentStatus;
        try
        {
            consentStatus = await banks.Client(connection.InstitutionId).GetConsentStatusAsync(connection.BankConsentId, cancellationToken);
        }
        catch (Exception e) when (BankCalls.IsBankFailure(e, cancellationToken))
        {
            return BankCalls.Describe(e);
        }

        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        connection.ConsentCheckedAt = now;
        var ended = ConsentStatusMapping.Ended(consentStatus);
        if (ended is null && connection.ValidUntil < today)
        {
            ended = (ConnectionStatus.Expired, "consent_expired");
        }

        if (ended is var (status, reason))
        {
            connection.AccessTokenCipher = null;
            connection.RefreshTokenCipher = null;
            connection.SetStatus(status, reason, now);
            db.AuditEvents.Add(AuditRecords.For(requestId, time, "connection." + status, connection.ClientAppId, connection.UserId, connection.Id, new { reason }));
        }
        else if (connection.Status == ConnectionStatus.Active && connection.ValidUntil <= today.AddDays(RenewalWindowDays))
        {
            connection.SetStatus(ConnectionStatus.RenewalDue, "consent_expires_soon", now);
            db.AuditEvents.Add(AuditRecords.For(requestId, time, "connection.renewal_due", connection.ClientAppId, connection.UserId, connection.Id));
        }

        await db.SaveChangesAsync(cancellationToken);
        return null;
    }
}
