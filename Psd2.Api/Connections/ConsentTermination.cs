using Psd2.Core.Connections;
using Psd2.Core.Connectors;

namespace Psd2.Api.Connections;

/// <summary>Ending a connection's consent at the bank; one the bank has already ended counts as done.</summary>
public static class ConsentTermination
{
    /// <summary>A consent the bank may still honour: created there and not yet over on the platform.</summary>
    public static bool HoldsConsent(Connection connection) => connection.BankConsentId is not null && !connection.IsFinal;

    /// <summary>Terminates the consent; throws when the bank cannot be reached or fails.</summary>
    public static async Task TerminateAsync(IBankConnector bank, ConsentHandle consent, CancellationToken cancellationToken)
    {
        try
        {
            await bank.TerminateConsentAsync(consent, cancellationToken);
        }
        catch (ConnectorException e) when (e.Failure is ConnectorFailure.ConsentInvalid or ConnectorFailure.ConsentExpired)
        {
            // Already over at the bank: nothing left to terminate.
        }
    }

    /// <summary>Terminates the consent where the caller goes on regardless (the bank ends it at validUntil anyway).</summary>
    public static async Task<bool> TryTerminateAsync(IBankConnector bank, Connection connection, ConsentHandle consent, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await TerminateAsync(bank, consent, cancellationToken);
            return true;
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "Terminating the consent of connection {ConnectionId} at the bank failed", connection.Id);
            return false;
        }
    }
}
