namespace Psd2.Core.Webhooks;

/// <summary>The event types the platform emits (the <c>type</c> of a <see cref="Events.PlatformEvent"/>), documented in the api's README.</summary>
public static class WebhookEventTypes
{
    public const string ConnectionActive = "connection.active";
    public const string ConnectionRenewalDue = "connection.renewal_due";
    public const string ConnectionExpired = "connection.expired";
    public const string ConnectionRevoked = "connection.revoked";
    public const string ConnectionRejected = "connection.rejected";
    public const string ConnectionFailed = "connection.failed";
    public const string ConnectionRefreshLimitReached = "connection.refresh_limit_reached";
    public const string SyncCompleted = "sync.completed";
    public const string TransactionsNew = "transactions.new";
    public const string PaymentPendingAuthorisation = "payment.pending_authorisation";
    public const string PaymentAwaitingDecoupledAuthorisation = "payment.awaiting_decoupled_authorisation";
    public const string PaymentAccepted = "payment.accepted";
    public const string PaymentExecuted = "payment.executed";
    public const string PaymentRejected = "payment.rejected";
    public const string PaymentCancelled = "payment.cancelled";
    public const string PaymentFailed = "payment.failed";

    public static readonly IReadOnlyList<string> All =
    [
        ConnectionActive, ConnectionRenewalDue, ConnectionExpired, ConnectionRevoked, ConnectionRejected, ConnectionFailed, ConnectionRefreshLimitReached,
        SyncCompleted, TransactionsNew,
        PaymentPendingAuthorisation, PaymentAwaitingDecoupledAuthorisation, PaymentAccepted, PaymentExecuted, PaymentRejected, PaymentCancelled, PaymentFailed,
    ];
}
