using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Psd2.Api.Connections;
using Psd2.Core.Audit;
using Psd2.Core.Banking;
using Psd2.Core.Connectors;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;

namespace Psd2.Api.Payments;

/// <summary>
/// Starts a payment: checks the request, stores it as an intent under the client's Idempotency-Key (with the
/// X-Request-ID it will always be sent with) before the bank hears of it, then initiates it at the bank. A second
/// request with the key gets the first one's payment, as it is now; with another request, 422. An initiation whose
/// answer never came is tried again only with the same X-Request-ID, which the bank answers with the payment it made.
/// </summary>
public sealed class PaymentInitiation(
    Psd2DbContext db, BankClients banks, PaymentUpdates updates, AuthorizationStates states, TppIdentity tpp,
    IOptions<ApiOptions> api, TimeProvider time, ILogger<PaymentInitiation> logger)
{
    /// <summary>Attempts at the bank within the client's request before leaving the payment to the worker.</summary>
    private const int Attempts = 3;

    /// <returns>The payment and whether this request created it; or the error.</returns>
    public async Task<(Payment? Payment, bool Created, ApiError? Error)> StartAsync(
        Guid clientAppId, Guid userId, string? idempotencyKey, CreatePaymentRequest request, string requestId, CancellationToken cancellationToken)
    {
        if (idempotencyKey is not { Length: >= 1 and <= 255 } || idempotencyKey.Any(c => c is < ' ' or > '~'))
        {
            return (null, false, new ApiError(StatusCodes.Status400BadRequest, "idempotency_key_required",
                "The Idempotency-Key header is required: 1 to 255 printable ASCII characters, the same on every retry of this payment."));
        }

        var (draft, invalid) = await PaymentDrafts.CheckAsync(db, banks, clientAppId, userId, request, time, cancellationToken);
        if (draft is null)
        {
            return (null, false, invalid);
        }

        var now = time.GetUtcNow();
        var payment = draft.ToPayment(clientAppId, userId, idempotencyKey, Fingerprint(userId, request), now);
        db.Payments.Add(payment);
        db.AuditEvents.Add(AuditEvent.Of(requestId, time, "payment.created", clientAppId, userId, details: new
        {
            paymentId = payment.Id, payment.InstitutionId, payment.Flow, creditorIban = PaymentUpdates.Masked(payment.CreditorIban),
        }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another request with this key stored its payment first: that is the payment.
            db.ChangeTracker.Clear();
            var first = await db.Payments.SingleAsync(p => p.ClientAppId == clientAppId && p.IdempotencyKey == idempotencyKey, cancellationToken);
            return first.RequestFingerprint.AsSpan().SequenceEqual(payment.RequestFingerprint)
                ? (await ResumeAsync(first, requestId, cancellationToken), false, null)
                : (null, false, new ApiError(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused",
                    "This Idempotency-Key was used for another payment request; use a new key for a new payment."));
        }

        return (await InitiateAsync(payment, requestId, cancellationToken), true, null);
    }

    /// <summary>
    /// A payment asked for again: one still waiting for the bank's first answer is sent again, with its X-Request-ID,
    /// unless the request that stored it (or the worker) may still be at it: then it is answered as it stands.
    /// </summary>
    private async Task<Payment> ResumeAsync(Payment payment, string requestId, CancellationToken cancellationToken) =>
        payment.Status == PaymentStatus.Initiating && payment.UpdatedAt < time.GetUtcNow() - InFlight && payment.Deadline > time.GetUtcNow()
            ? await InitiateAsync(payment, requestId, cancellationToken)
            : payment;

    /// <summary>Longer than a request's own attempts at the bank usually take (a dropped connection fails at once, a timeout after 10 s).</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(45);

    /// <summary>Sends the initiation (again, with the same X-Request-ID) and records the bank's answer; saves.</summary>
    private async Task<Payment> InitiateAsync(Payment payment, string requestId, CancellationToken cancellationToken)
    {
        var bank = banks.Payments(payment.InstitutionId);
        var order = PaymentUpdates.OrderOf(payment, api.Value.PaymentCallbackUrl);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                updates.Initiated(payment, await bank.InitiatePaymentAsync(order, cancellationToken), requestId);
                await EnsureAuthorisationUrlAsync(payment, bank, cancellationToken);
                break;
            }
            catch (ConnectorException e) when (e.IsTransient && attempt < Attempts)
            {
                logger.LogWarning(e, "Initiating payment {PaymentId} got no answer (attempt {Attempt}); sending it again with its X-Request-ID", payment.Id, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, cancellationToken);
            }
            catch (ConnectorException e) when (e.IsTransient)
            {
                // Whether the bank made the payment is not known: the worker asks again, with the same X-Request-ID.
                logger.LogWarning(e, "Initiating payment {PaymentId} got no answer; the worker will ask again", payment.Id);
                PaymentPolling.Schedule(payment, time.GetUtcNow());
                break;
            }
            catch (ConnectorException e)
            {
                logger.LogWarning(e, "The bank refused payment {PaymentId}", payment.Id);
                updates.Move(payment, PaymentStatus.Rejected, "bank_refused:" + e.BankCode, requestId);
                break;
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return payment;
    }

    /// <summary>
    /// A payment waiting for its redirect authorisation gets the URL the user's browser goes to, once (also when the
    /// worker learnt of the payment from a repeated initiation); not saved.
    /// </summary>
    public async Task EnsureAuthorisationUrlAsync(Payment payment, IPaymentConnector bank, CancellationToken cancellationToken)
    {
        if (payment is { AuthorisationUrl: null } && AwaitsRedirect(payment))
        {
            payment.AuthorisationUrl = await RedirectAsync(payment, bank, returnTo: null, cancellationToken);
        }
    }

    /// <summary>
    /// A second way to the same authorisation, for the Connect page: a URL with a state of its own, whose callback sends
    /// the browser to <paramref name="returnTo"/> instead of the client's redirect URI. The client's URL stays usable;
    /// null when the payment is not waiting for a redirect authorisation.
    /// </summary>
    public async Task<string?> AuthorisationUrlReturningToAsync(Payment payment, string returnTo, CancellationToken cancellationToken) =>
        AwaitsRedirect(payment) ? await RedirectAsync(payment, banks.Payments(payment.InstitutionId), returnTo, cancellationToken) : null;

    private static bool AwaitsRedirect(Payment payment) =>
        payment is { Status: PaymentStatus.PendingAuthorisation, ScaRedirect: not null, BankPaymentId: not null };

    private async Task<string> RedirectAsync(Payment payment, IPaymentConnector bank, string? returnTo, CancellationToken cancellationToken)
    {
        var initiated = new InitiatedPayment(payment.BankPaymentId!, payment.Product, new PaymentState(PaymentProgress.Received, payment.BankStatus ?? ""),
            payment.ScaRedirect, null);
        // The bank requires PKCE; the platform reads the payment's status from the bank rather than redeeming the code.
        var (_, challenge) = Pkce.Create();
        var state = Pkce.RandomToken();
        var redirect = await bank.PaymentRedirectAsync(initiated, new RedirectRequest(tpp.OrganizationId, api.Value.PaymentCallbackUrl, state, challenge), cancellationToken);
        await states.SaveAsync(state, new PendingPaymentAuthorization(payment.Id, returnTo));
        return redirect.Url;
    }

    /// <summary>What makes two requests the same payment: the user and every field as the client gave it but the address it came from.</summary>
    private static byte[] Fingerprint(Guid userId, CreatePaymentRequest request) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(userId.ToString() + "\n" + JsonSerializer.Serialize(request with { PsuIpAddress = null })));
}

public static class PaymentFlow
{
    public const string Redirect = "redirect";
    public const string Decoupled = "decoupled";
}
