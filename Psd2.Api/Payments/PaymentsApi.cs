using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Core.Banking;
using Psd2.Core.ClientApps;
using Psd2.Core.Connectors;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;

namespace Psd2.Api.Payments;

/// <summary>Payments of a client app's users: initiated once per Idempotency-Key, read, and listed.</summary>
public static class PaymentsApi
{
    public static void MapPaymentsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/users/{userId:guid}/payments", CreateAsync).WithTags("Payments").WithName("CreatePayment")
            .WithSummary("Initiates a payment at the user's bank, once per Idempotency-Key: returns where to send the user (redirect) or starts BankID on the user's phone (decoupled).");
        v1.MapGet("/users/{userId:guid}/payments", ListAsync).WithTags("Payments").WithName("ListPayments")
            .WithSummary("The user's payments, newest first.");
        v1.MapGet("/payments/{paymentId:guid}", GetAsync).WithTags("Payments").WithName("GetPayment")
            .WithSummary("One payment, with its status as last read from the bank.");
    }

    /// <param name="idempotencyKey">Identifies this payment across retries: the same key and request answer the same payment.</param>
    private static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ApiProblem<NotFound404>, ApiProblem<BadRequest400, Unprocessable422>>> CreateAsync(
        Guid userId, CreatePaymentRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, Caller caller, Psd2DbContext db,
        PaymentInitiation initiation, HttpContext context, CancellationToken cancellationToken)
    {
        if (!await db.Users.OwnedBy(caller.ClientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        var (payment, created, error) = await initiation.StartAsync(caller.ClientAppId, userId, idempotencyKey, request, caller.RequestId, cancellationToken);
        if (payment is null)
        {
            return new ApiProblem<BadRequest400, Unprocessable422>(error!);
        }

        if (created)
        {
            return TypedResults.Created($"/v1/payments/{payment.Id}", PaymentResponse.Of(payment));
        }

        context.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Ok(PaymentResponse.Of(payment));
    }

    private static async Task<Results<Ok<PaymentResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid paymentId, Caller caller, Psd2DbContext db, BankClients banks, PaymentInitiation initiation, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is null)
        {
            return ApiProblems.NotFound("payment");
        }

        if (payment is { Status: PaymentStatus.PendingAuthorisation, AuthorisationUrl: null })
        {
            // The worker learnt of the payment from a repeated initiation: its authorisation URL is made now.
            try
            {
                await initiation.EnsureAuthorisationUrlAsync(payment, banks.Payments(payment.InstitutionId), cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (ConnectorException)
            {
                // Without it the payment is still shown; the next read tries again.
            }
        }

        return TypedResults.Ok(PaymentResponse.Of(payment));
    }

    /// <param name="limit">Payments per page, 1 to 200; 50 by default.</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    private static async Task<Results<Ok<PaymentPage>, ApiProblem<NotFound404>, ApiProblem<BadRequest400>>> ListAsync(
        Guid userId, Caller caller, Psd2DbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 200)
        {
            return ApiProblems.Invalid("limit", "Between 1 and 200.");
        }

        if (!await db.Users.OwnedBy(caller.ClientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        var query = db.Payments.AsNoTracking().OwnedBy(caller.ClientAppId).Where(p => p.UserId == userId);
        if (cursor is not null)
        {
            if (!CreatedCursor.TryRead(cursor, out var createdAt, out var id))
            {
                return ApiProblems.BadRequest("cursor_invalid", "The cursor is not one this API issued.");
            }

            query = query.Where(p => p.CreatedAt < createdAt || (p.CreatedAt == createdAt && p.Id.CompareTo(id) < 0));
        }

        var size = limit ?? 50;
        var page = await query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = page.Count > size ? CreatedCursor.Write(page[size - 1].CreatedAt, page[size - 1].Id) : null;
        return TypedResults.Ok(new PaymentPage(page.Take(size).Select(PaymentResponse.Of).ToList(), next));
    }
}
