using Microsoft.EntityFrameworkCore;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;

namespace Psd2.Worker.Payments;

/// <summary>
/// One look at an unfinished payment at the bank: an initiation that never got its answer is sent again with its
/// X-Request-ID (the bank answers with the payment it made, never a second one); a decoupled order is polled; any
/// other payment's status is read. Not final yet: the next look is scheduled later each time; past its deadline it
/// has failed.
/// </summary>
public sealed class PaymentStatusCheck(Psd2DbContext db, BankClients banks, PaymentUpdates updates, TimeProvider time, ILogger<PaymentStatusCheck> logger)
{
    public async Task CheckAsync(Guid paymentId, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.SingleOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is null || payment.IsFinal)
        {
            return;
        }

        var requestId = Guid.NewGuid().ToString();
        if (time.GetUtcNow() >= payment.Deadline)
        {
            updates.Move(payment, PaymentStatus.Failed, payment.Status == PaymentStatus.Initiating ? "bank_unreachable" : "no_final_status", requestId);
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        try
        {
            var bank = banks.Payments(payment.InstitutionId);
            if (payment.Status == PaymentStatus.Initiating)
            {
                // The callback URL is not this process's to know: a redirect payment learnt of here gets its
                // authorisation URL when the client reads it from the api.
                updates.Initiated(payment, await bank.InitiatePaymentAsync(PaymentUpdates.OrderOf(payment, null), cancellationToken), requestId);
            }
            else if (payment.Status == PaymentStatus.AwaitingDecoupledAuthorisation
                && await bank.PollDecoupledAsync(payment.ScaStatusUrl!, cancellationToken) is { State: DecoupledState.Pending } poll)
            {
                PaymentPolling.Steady(payment, time.GetUtcNow(), poll.RetryAfter);
            }
            else
            {
                updates.Apply(payment, await bank.GetPaymentStateAsync(payment.Product, payment.BankPaymentId!, cancellationToken), requestId);
                if (!payment.IsFinal)
                {
                    PaymentPolling.Schedule(payment, time.GetUtcNow());
                }
            }
        }
        catch (ConnectorException e)
        {
            logger.LogWarning(e, "Following payment {PaymentId} at the bank failed; trying again later", payment.Id);
            PaymentPolling.Schedule(payment, time.GetUtcNow());
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
