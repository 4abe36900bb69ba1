using Psd2.Core.ClientApps;

namespace Psd2.Core.Payments;

/// <summary>
/// A payment a client app initiated for its user: stored as an intent before the bank is called, with the key the
/// client gave and the X-Request-ID the bank is always sent, then followed to a final status read from the bank.
/// </summary>
public sealed class Payment : IClientAppOwned
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The client app's Idempotency-Key, unique per client app.</summary>
    public required string IdempotencyKey { get; set; }
    /// <summary>SHA-256 of the request as the client made it: the same key with another request is refused.</summary>
    public required byte[] RequestFingerprint { get; set; }
    public required string InstitutionId { get; set; }
    /// <summary><see cref="PaymentProduct"/>: a SEPA credit transfer, instant or not.</summary>
    public required string Product { get; set; }
    public required string Flow { get; set; }
    public string? PsuId { get; set; }
    /// <summary>The user's address when they asked for the payment: the bank hears it with every attempt of the initiation.</summary>
    public required string PsuIpAddress { get; set; }
    public string? RedirectUri { get; set; }
    /// <summary>The user's account it is paid from, when the client named one of the platform's accounts.</summary>
    public Guid? DebtorAccountId { get; set; }
    public required string DebtorIban { get; set; }
    public required string CreditorName { get; set; }
    public required string CreditorIban { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public string? Remittance { get; set; }
    public DateOnly? RequestedExecutionDate { get; set; }
    public required string Status { get; set; }
    public string? StatusReason { get; set; }
    /// <summary>The X-Request-ID of the initiation, fixed with the intent: resending it is the same request to the bank.</summary>
    public Guid BankRequestId { get; set; }
    public string? BankPaymentId { get; set; }
    /// <summary>The bank's own word for the status (ISO 20022: RCVD, ACTC, ACSC, RJCT, CANC, ...).</summary>
    public string? BankStatus { get; set; }
    /// <summary>Where the bank's redirect authorisation starts (its scaOAuth link), until the PSU's browser is sent there.</summary>
    public string? ScaRedirect { get; set; }
    /// <summary>Where the client sends the user's browser to authorise the payment (redirect flow).</summary>
    public string? AuthorisationUrl { get; set; }
    /// <summary>The bank's scaStatus link of a decoupled BankID order.</summary>
    public string? ScaStatusUrl { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }
    /// <summary>When the worker next asks the bank; null once the status is final.</summary>
    public DateTimeOffset? NextPollAt { get; set; }
    /// <summary>The wait before the poll after next: it doubles up to <see cref="PaymentPolling.LongestInterval"/>.</summary>
    public int PollIntervalMs { get; set; }
    /// <summary>When an unfinished payment is given up on as failed.</summary>
    public DateTimeOffset Deadline { get; set; }

    public bool IsFinal => PaymentStatus.IsFinal(Status);

    public void SetStatus(string status, string? reason, DateTimeOffset now)
    {
        if (status != Status || reason != StatusReason)
        {
            StatusChangedAt = now;
        }

        Status = status;
        StatusReason = reason;
        UpdatedAt = now;
        if (IsFinal)
        {
            NextPollAt = null;
        }
    }
}

public static class PaymentStatus
{
    /// <summary>Stored; the bank's answer to the initiation has not come yet.</summary>
    public const string Initiating = "initiating";
    public const string PendingAuthorisation = "pending_authorisation";
    public const string AwaitingDecoupledAuthorisation = "awaiting_decoupled_authorisation";
    /// <summary>Authorised; the bank has not executed it yet (a future execution date).</summary>
    public const string Accepted = "accepted";
    public const string Executed = "executed";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";
    /// <summary>No final answer from the bank before the deadline, or the bank refused the initiation.</summary>
    public const string Failed = "failed";

    public static bool IsFinal(string status) => status is Executed or Rejected or Cancelled or Failed;
}

public static class PaymentProduct
{
    public const string SepaCreditTransfer = "sepa-credit-transfers";
    public const string InstantSepaCreditTransfer = "instant-sepa-credit-transfers";
}
