using Psd2.Core.Audit;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;

namespace Psd2.Core.Payments;

/// <summary>What a payment event tells: its status and why, its amount and payee's name; never a full IBAN.</summary>
public sealed record PaymentEventData(
    Guid PaymentId, Guid UserId, string InstitutionId, string Status, string? Reason, decimal Amount, string Currency, string CreditorName,
    string CreditorIban, DateTimeOffset StatusChangedAt);

/// <summary>
/// Moves a payment to the status the bank reports (or the platform decides), and tells of each move once: a
/// <c>payment.&lt;status&gt;</c> event through the outbox and an audit record, in the same unit of work (not saved here).
/// </summary>
public sealed class PaymentUpdates(Psd2DbContext db, TimeProvider time)
{
    /// <summary>Applies the bank's view of the payment; a status the platform cannot place changes nothing.</summary>
    public void Apply(Payment payment, PaymentState state, string? requestId)
    {
        payment.BankStatus = state.BankStatus;
        var status = state.Progress switch
        {
            PaymentProgress.Received => payment.Status == PaymentStatus.Initiating ? null : payment.Status,
            PaymentProgress.Accepted => PaymentStatus.Accepted,
            PaymentProgress.Executed => PaymentStatus.Executed,
            PaymentProgress.Rejected => PaymentStatus.Rejected,
            PaymentProgress.Cancelled => PaymentStatus.Cancelled,
            _ => null,
        };
        if (status is not null)
        {
            Move(payment, status, state.Reason, requestId);
        }
    }

    /// <summary>The bank made the payment (or answered a repeated initiation with it): its id, its links and its status.</summary>
    public void Initiated(Payment payment, InitiatedPayment initiated, string? requestId)
    {
        payment.BankPaymentId = initiated.PaymentId;
        payment.ScaRedirect = initiated.Redirect;
        payment.ScaStatusUrl = initiated.DecoupledStatus;
        if (initiated.State.Progress == PaymentProgress.Received)
        {
            // A decoupled payment names the PSU whose BankID app the order went to.
            payment.BankStatus = initiated.State.BankStatus;
            Move(payment, payment.PsuId is null ? PaymentStatus.PendingAuthorisation : PaymentStatus.AwaitingDecoupledAuthorisation, null, requestId);
        }
        else
        {
            Apply(payment, initiated.State, requestId);
        }

        if (!payment.IsFinal)
        {
            payment.PollIntervalMs = 0;
            PaymentPolling.Schedule(payment, time.GetUtcNow());
        }
    }

    /// <summary>The initiation the payment's request id is always sent with.</summary>
    public static PaymentOrder OrderOf(Payment payment, string? callbackUrl) => new(
        payment.Product, payment.BankRequestId, payment.DebtorIban, payment.CreditorName, payment.CreditorIban, payment.Amount, payment.Currency,
        payment.Remittance, payment.RequestedExecutionDate, payment.PsuIpAddress, payment.PsuId is null ? callbackUrl : null, payment.PsuId);

    public void Move(Payment payment, string status, string? reason, string? requestId)
    {
        if (payment.Status == status && payment.StatusReason == reason)
        {
            return;
        }

        payment.SetStatus(status, reason, time.GetUtcNow());
        var type = "payment." + status;
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, type, payment.ClientAppId, payment.UserId, details: new
        {
            paymentId = payment.Id, reason, bankStatus = payment.BankStatus, creditorIban = Masked(payment.CreditorIban),
        }));
        db.PlatformEvents.Add(PlatformEvent.Of(time, type, payment.ClientAppId, payment.UserId, null, new PaymentEventData(
            payment.Id, payment.UserId, payment.InstitutionId, status, reason, payment.Amount, payment.Currency, payment.CreditorName,
            Masked(payment.CreditorIban), payment.StatusChangedAt)));
    }

    /// <summary>An IBAN as records show it: its country, check digits and last four characters.</summary>
    public static string Masked(string iban) => iban.Length <= 8 ? "****" : $"{iban[..4]} **** {iban[^4..]}";
}
