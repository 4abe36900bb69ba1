namespace Psd2.Core.Connectors;

/// <summary>
/// Payment initiation at a bank, in the platform's terms: one initiation per X-Request-ID (the bank answers a repeated
/// one with the payment it already made), its SCA by redirect or decoupled, and its status read from the bank.
/// </summary>
public interface IPaymentConnector
{
    /// <summary>Initiates, or, for a request id the bank has seen, gets the payment it already made.</summary>
    Task<InitiatedPayment> InitiatePaymentAsync(PaymentOrder order, CancellationToken cancellationToken);

    /// <summary>Where the PSU's browser authorises the payment.</summary>
    Task<AuthorisationRedirect> PaymentRedirectAsync(InitiatedPayment payment, RedirectRequest request, CancellationToken cancellationToken);

    /// <summary>One poll of a decoupled authorisation (the payment's scaStatus).</summary>
    Task<DecoupledPoll> PollDecoupledAsync(string decoupledStatus, CancellationToken cancellationToken);

    Task<PaymentState> GetPaymentStateAsync(string product, string paymentId, CancellationToken cancellationToken);
}

/// <summary>A payment as the bank is asked for it.</summary>
/// <param name="RequestId">The initiation's X-Request-ID: the same for every attempt of one payment.</param>
/// <param name="PsuIpAddress">The end user's address: payments are initiated with the user present.</param>
/// <param name="RedirectUri">Where the bank sends the PSU's browser back (redirect flow).</param>
/// <param name="DecoupledPsuId">The PSU's identifier at the bank, which starts a decoupled authorisation on their device.</param>
public sealed record PaymentOrder(
    string Product, Guid RequestId, string DebtorIban, string CreditorName, string CreditorIban, decimal Amount, string Currency,
    string? Remittance, DateOnly? RequestedExecutionDate, string PsuIpAddress, string? RedirectUri, string? DecoupledPsuId);

/// <param name="Redirect">Where the redirect authorisation starts, in the connector's terms (null when none was offered).</param>
/// <param name="DecoupledStatus">What the decoupled authorisation is polled by (null when none was started).</param>
public sealed record InitiatedPayment(string PaymentId, string Product, PaymentState State, string? Redirect, string? DecoupledStatus);

/// <summary>Where a payment stands at the bank.</summary>
/// <param name="BankStatus">The bank's own status code (ISO 20022), for the record.</param>
/// <param name="Reason">Why it was rejected, in the platform's words (e.g. insufficient_funds).</param>
public sealed record PaymentState(PaymentProgress Progress, string BankStatus, string? Reason = null);

public enum PaymentProgress
{
    /// <summary>Received; awaiting the PSU's authorisation.</summary>
    Received,
    /// <summary>Authorised and accepted; not yet executed.</summary>
    Accepted,
    Executed,
    Rejected,
    Cancelled,
    /// <summary>A status the standard defines but the platform cannot place.</summary>
    Other,
}
