using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Api.Connections;
using Psd2.Core.Banking;
using Psd2.Core.ClientApps;
using Psd2.Core.Payments;
using Psd2.Core.Persistence;

namespace Psd2.Api.Payments;

/// <summary>A payment request found sound: what will be stored as the payment's intent.</summary>
public sealed record PaymentDraft(
    string InstitutionId, Guid? DebtorAccountId, string DebtorIban, string CreditorName, string CreditorIban, decimal Amount, string Currency,
    string? Remittance, DateOnly? RequestedExecutionDate, bool Instant, string Flow, string? RedirectUri, string? PsuId, string PsuIpAddress)
{
    public Payment ToPayment(Guid clientAppId, Guid userId, string idempotencyKey, byte[] fingerprint, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(), ClientAppId = clientAppId, UserId = userId, IdempotencyKey = idempotencyKey, RequestFingerprint = fingerprint,
        InstitutionId = InstitutionId, Product = Instant ? PaymentProduct.InstantSepaCreditTransfer : PaymentProduct.SepaCreditTransfer, Flow = Flow,
        PsuId = PsuId, PsuIpAddress = PsuIpAddress, RedirectUri = RedirectUri, DebtorAccountId = DebtorAccountId, DebtorIban = DebtorIban, CreditorName = CreditorName,
        CreditorIban = CreditorIban, Amount = Amount, Currency = Currency, Remittance = Remittance, RequestedExecutionDate = RequestedExecutionDate,
        Status = PaymentStatus.Initiating, BankRequestId = Guid.NewGuid(), CreatedAt = now, UpdatedAt = now, StatusChangedAt = now,
        Deadline = PaymentPolling.DeadlineOf(RequestedExecutionDate, now),
    };
}

/// <summary>Checks a payment request field by field, against the institution, the user's accounts and the client app's redirect URIs.</summary>
public static partial class PaymentDrafts
{
    public static async Task<(PaymentDraft? Draft, ApiError? Error)> CheckAsync(
        Psd2DbContext db, BankClients banks, Guid clientAppId, Guid userId, CreatePaymentRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        string institutionId;
        string debtorIban;
        if (request.DebtorAccountId is { } accountId)
        {
            var account = await db.Accounts.OwnedBy(clientAppId).SingleOrDefaultAsync(a => a.Id == accountId && a.UserId == userId, cancellationToken);
            if (account is null)
            {
                return Invalid("debtorAccountId", "No such account of this user.");
            }

            (institutionId, debtorIban) = (account.InstitutionId, account.Iban);
        }
        else if (request.InstitutionId is null || Ibans.Normalise(request.DebtorIban) is not { } iban)
        {
            return Invalid("debtorAccountId", "Give debtorAccountId, one of the user's accounts, or institutionId and a valid debtorIban.");
        }
        else
        {
            (institutionId, debtorIban) = (request.InstitutionId, iban);
        }

        if (!banks.Institutions.TryGetValue(institutionId, out var institution) || !institution.Payments)
        {
            return (null, new ApiError(StatusCodes.Status400BadRequest, "payments_not_supported", "This institution offers no payment initiation (GET /v1/institutions: payments)."));
        }

        if (request.CreditorName?.Trim() is not { Length: >= 1 and <= 70 } creditorName || creditorName.Any(char.IsControl))
        {
            return Invalid("creditorName", "The payee's name: 1 to 70 characters.");
        }

        if (Ibans.Normalise(request.CreditorIban) is not { } creditorIban)
        {
            return Invalid("creditorIban", "A valid IBAN.");
        }

        if (request.Amount is null || !AmountFormat().IsMatch(request.Amount)
            || decimal.Parse(request.Amount, CultureInfo.InvariantCulture) is var amount && amount is <= 0 or > 999_999_999.99m)
        {
            return Invalid("amount", "A positive decimal string with at most two decimals, e.g. \"125.50\".");
        }

        if (request.Currency is null || !CurrencyFormat().IsMatch(request.Currency))
        {
            return Invalid("currency", "An ISO 4217 code in capitals, e.g. EUR.");
        }

        if (request.Remittance is { } remittance && (remittance.Length > 140 || remittance.Any(char.IsControl)))
        {
            return Invalid("remittance", "Up to 140 characters.");
        }

        var instant = request.Instant ?? false;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (request.RequestedExecutionDate is { } date && (instant || date < today || date > today.AddDays(365)))
        {
            return Invalid("requestedExecutionDate", "A day from today to a year ahead, and only for a standard (not instant) transfer.");
        }

        var flow = request.Flow ?? PaymentFlow.Redirect;
        if (flow is not (PaymentFlow.Redirect or PaymentFlow.Decoupled) || !institution.ScaApproaches.Contains(flow))
        {
            return (null, new ApiError(StatusCodes.Status400BadRequest, "flow_not_supported", $"flow must be one of the institution's SCA approaches: {string.Join(", ", institution.ScaApproaches)}."));
        }

        if (flow == PaymentFlow.Redirect && !await db.IsRegisteredAsync(clientAppId, request.RedirectUri, cancellationToken))
        {
            return (null, RegisteredRedirectUris.NotAllowed);
        }

        if (flow == PaymentFlow.Decoupled && !ConnectionStarter.IsPsuId(request.PsuId))
        {
            return Invalid("psuId", "The decoupled flow needs psuId, the user's identifier at the bank (for BankID, the 12-digit personal number).");
        }

        if (request.PsuIpAddress is null || !IPAddress.TryParse(request.PsuIpAddress, out _))
        {
            return Invalid("psuIpAddress", "The user's IP address: banks initiate payments only with the user present.");
        }

        return (new PaymentDraft(institutionId, request.DebtorAccountId, debtorIban, creditorName, creditorIban, amount, request.Currency, request.Remittance,
            request.RequestedExecutionDate, instant, flow, flow == PaymentFlow.Redirect ? request.RedirectUri : null,
            flow == PaymentFlow.Decoupled ? request.PsuId : null, request.PsuIpAddress), null);
    }

    private static (PaymentDraft?, ApiError?) Invalid(string field, string message) => (null, ApiError.Invalid(field, message));

    [GeneratedRegex(@"^[0-9]{1,9}(\.[0-9]{1,2})?$")]
    private static partial Regex AmountFormat();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyFormat();

}
