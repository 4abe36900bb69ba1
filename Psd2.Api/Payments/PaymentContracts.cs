using Psd2.Core.Payments;

namespace Psd2.Api.Payments;

/// <summary>A payment from one of the user's accounts, authorised by the user at their bank.</summary>
/// <param name="DebtorAccountId">The user's account it is paid from (GET /v1/users/{userId}/accounts); or give institutionId and debtorIban.</param>
/// <param name="InstitutionId">The bank of debtorIban, when the account is not one the platform holds.</param>
/// <param name="Amount">A decimal string with at most two decimals, e.g. "125.50".</param>
/// <param name="Currency">ISO 4217, e.g. EUR or SEK.</param>
/// <param name="Remittance">What the payee sees, up to 140 characters.</param>
/// <param name="RequestedExecutionDate">A future day to execute on (not for instant payments).</param>
/// <param name="Instant">An instant SEPA credit transfer instead of a standard one.</param>
/// <param name="Flow">redirect or decoupled: one of the institution's SCA approaches.</param>
/// <param name="RedirectUri">Where the browser returns (redirect flow): one of the client app's registered redirect URIs.</param>
/// <param name="PsuId">The user's identifier at the bank (decoupled flow; for BankID the 12-digit personal number).</param>
/// <param name="PsuIpAddress">The user's IP address: banks initiate payments only with the user present.</param>
public sealed record CreatePaymentRequest(
    Guid? DebtorAccountId, string? InstitutionId, string? DebtorIban, string? CreditorName, string? CreditorIban, string? Amount, string? Currency,
    string? Remittance = null, DateOnly? RequestedExecutionDate = null, bool? Instant = null, string? Flow = null, string? RedirectUri = null,
    string? PsuId = null, string? PsuIpAddress = null);

/// <summary>A payment as clients see it; the statuses and reasons are documented in README.</summary>
/// <param name="CreditorIban">Masked: its country, check digits and last four characters.</param>
/// <param name="AuthorisationUrl">Where to send the user's browser while the payment awaits a redirect authorisation.</param>
public sealed record PaymentResponse(
    Guid Id, Guid UserId, string InstitutionId, string Flow, bool Instant, Guid? DebtorAccountId, string DebtorIban, string CreditorName,
    string CreditorIban, string Amount, string Currency, string? Remittance, DateOnly? RequestedExecutionDate, string Status, string? StatusReason,
    DateTimeOffset StatusChangedAt, DateTimeOffset CreatedAt, string? AuthorisationUrl)
{
    public static PaymentResponse Of(Payment p) => new(
        p.Id, p.UserId, p.InstitutionId, p.Flow, p.Product == PaymentProduct.InstantSepaCreditTransfer, p.DebtorAccountId, PaymentUpdates.Masked(p.DebtorIban),
        p.CreditorName, PaymentUpdates.Masked(p.CreditorIban), p.Amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), p.Currency,
        p.Remittance, p.RequestedExecutionDate, p.Status, p.StatusReason, p.StatusChangedAt, p.CreatedAt,
        p.Status == PaymentStatus.PendingAuthorisation ? p.AuthorisationUrl : null);
}

/// <summary>A page of the user's payments, newest first.</summary>
/// <param name="NextCursor">Gives the next page; null on the last.</param>
public sealed record PaymentPage(IReadOnlyList<PaymentResponse> Items, string? NextCursor);
