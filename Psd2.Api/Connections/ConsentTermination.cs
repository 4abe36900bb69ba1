using Psd2.Api.Banking;
using Psd2.Core.Banking;
using Psd2.Core.Connections;

namespace Psd2.Api.Connections;

/// <summary>Ending a connection's consent at the bank (DELETE /v1/consents/{id}); one the bank has already ended counts as done.</summary>
public static class ConsentTermination
{
    /// <summary>A consent the bank may still honour: created there and not yet over on the platform.</summary>
    public static bool HoldsConsent(Connection connection) => connection.BankConsentId is not null && !connection.IsFinal;

    /// <summary>Terminates the consent; throws when the bank cannot be reached or fails.</summary>
    public static async Task TerminateAsync(BerlinGroupClient bank, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await bank.DeleteConsentAsync(connection.BankConsentId!, cancellationToken);
        }
        catch (BankException e) when (e.Code is "CONSENT_UNKNOWN" or "CONSENT_INVALID" or "CONSENT_EXPIRED")
        {
            // Already over at the bank: nothing left to terminate.
        }
    }

    /// <summary>Terminates the consent where the caller goes on regardless (the bank ends it at validUntil anyway).</summary>
    public static async Task<bool> TryTerminateAsync(BerlinGroupClient bank, Connection connection, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await TerminateAsync(bank, connection, cancellationToken);
            return true;
        }
        catch (Exception e) when (BankCalls.IsBankFailure(e, cancellationToken))
        {
            logger.LogWarning(e, "Terminating the consent of connection {ConnectionId} at the bank failed", connection.Id);
            return false;
        }
    }
}
