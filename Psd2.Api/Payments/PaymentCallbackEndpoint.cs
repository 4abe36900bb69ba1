using Microsoft.EntityFrameworkCore;
using Psd2.Api.Connections;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api.Payments;

/// <summary>
/// Where the bank sends the end user's browser back after a payment's authorisation: the state is taken once, the
/// payment's status read from the bank (what the redirect says is not taken for it), and the browser sent on to the
/// client app with the payment id and its status, or to the Connect page's result page when the authorisation started there.
/// </summary>
public static class PaymentCallbackEndpoint
{
    public static void MapPaymentCallback(this IEndpointRouteBuilder app) =>
        app.MapGet("/connect/payment-callback", HandleAsync).WithTags("Connect").WithName("PaymentCallback").ExcludeFromDescription();

    private static async Task<IResult> HandleAsync(
        HttpContext context, AuthorizationStates states, Psd2DbContext db, BankClients banks, PaymentUpdates updates, TimeProvider time, ILogger<PaymentUpdates> logger)
    {
        var pending = await states.TakeAsync<PendingPaymentAuthorization>(context.Request.Query["state"].ToString());
        var payment = pending is null ? null : await db.Payments.SingleOrDefaultAsync(p => p.Id == pending.PaymentId, context.RequestAborted);
        if (pending is null || payment?.BankPaymentId is null)
        {
            return ApiProblems.BadRequest("state_invalid", "This authorisation link has expired or was already used; start the payment again.");
        }

        try
        {
            updates.Apply(payment, await banks.Payments(payment.InstitutionId).GetPaymentStateAsync(payment.Product, payment.BankPaymentId, context.RequestAborted),
                context.RequestId());
        }
        catch (ConnectorException e)
        {
            // The worker reads it again shortly: the payment is not final.
            logger.LogWarning(e, "Reading the status of payment {PaymentId} after its authorisation failed", payment.Id);
        }

        if (!payment.IsFinal)
        {
            payment.PollIntervalMs = 0;
            PaymentPolling.Schedule(payment, time.GetUtcNow());
        }

        await db.SaveChangesAsync(context.RequestAborted);
        if (pending.ReturnTo is { } returnTo)
        {
            return Results.Redirect(returnTo);
        }

        var target = payment.RedirectUri!;
        return Results.Redirect(target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + $"paymentId={payment.Id}&outcome={Uri.EscapeDataString(payment.Status)}");
    }
}
