using System.Globalization;
using Microsoft.Extensions.Options;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Pages;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Sca;
using Psd2.SandboxBank.Time;
using static Psd2.SandboxBank.Pages.PageResults;

namespace Psd2.SandboxBank.Payments;

/// <summary>
/// A payment's redirect SCA on the consents' pages (<see cref="AuthorizeEndpoints"/>): /oauth2/authorize with
/// scope PIS:&lt;paymentId&gt;, the PSU signs in with BankID, sees the amount and the payee, and approves (the payment
/// is judged at once, and a code goes back to redirect_uri) or refuses (the payment is cancelled, access_denied).
/// </summary>
public sealed class PaymentAuthorization(
    PaymentStore payments, ConsentStore authorisations, LoginStore logins, TokenStore tokens, PsuDirectory psus, ScaService sca,
    BankClock clock, IOptionsMonitor<BankOptions> options)
{
    private const string Scope = "PIS:";

    public static bool IsPaymentScope(string scope) => scope.StartsWith(Scope, StringComparison.Ordinal) && scope.Length <= 100;

    public async Task<IResult> AuthorizeAsync(HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var query = request.Query;
        // Until client_id and redirect_uri are proven to belong to the payment, errors stay on the bank's page.
        var payment = query["client_id"] is { Count: 1 } clientId
            ? await payments.FindAsync(query["scope"].ToString()[Scope.Length..], clientId.ToString(), cancellationToken)
            : null;
        if (payment is null)
        {
            return Message("Request not valid", "The request names no payment of this client (scope PIS:<paymentId>, client_id).", 400);
        }

        var (redirectUri, state, challenge, error) = AuthorizeEndpoints.ReadRedirectParameters(query, payment.RedirectUri, "payment");
        if (error is not null)
        {
            return error;
        }

        if (payment.Status != TransactionStatus.Received)
        {
            return Results.Redirect(AuthorizeEndpoints.Callback(redirectUri,
                ("error", "invalid_request"), ("error_description", "the payment is not awaiting authorisation"), ("state", state)));
        }

        var authorisation = (await authorisations.ListPaymentAuthorisationsAsync(payment.PaymentId, cancellationToken))
            .LastOrDefault(a => a.ScaApproach == ScaApproach.Redirect && !ScaStatus.IsFinal(a.ScaStatus));
        if (authorisation is null)
        {
            authorisation = new Authorisation(Secrets.NewId(), null, ScaApproach.Redirect, ScaStatus.Received, null, clock.GetUtcNow(), null, null, false, payment.PaymentId);
            await authorisations.AddAuthorisationAsync(authorisation, cancellationToken);
        }

        var login = new Login(Secrets.NewId(), authorisation.AuthorisationId, payment.TppId, redirectUri, state, challenge, null,
            clock.GetUtcNow() + options.CurrentValue.LoginLifetime);
        await logins.AddAsync(login, cancellationToken);
        return Page<SignInPage>(new { Action = "/oauth2/authorize/identify", login.LoginId, Intro = Intro(payment), PersonalNumber = payment.PsuId });
    }

    /// <summary>The PSU said who they are: only the holder of the debtor account (the one named by PSU-ID, if any) may approve.</summary>
    public async Task<IResult> IdentifyAsync(string loginId, Authorisation authorisation, string personalNumber, CancellationToken cancellationToken)
    {
        var payment = await payments.FindAsync(authorisation.PaymentId!, cancellationToken);
        if (payment is null)
        {
            return Message("Request not valid", "The payment of this sign-in no longer exists.", 400);
        }

        personalNumber = personalNumber.Trim().Replace("-", "", StringComparison.Ordinal);
        var psu = PersonalNumber.IsValid(personalNumber) ? await psus.FindAsync(personalNumber, cancellationToken) : null;
        var account = psu is null ? null : (await psus.AccountsAsync(psu.PersonalNumber, cancellationToken)).FirstOrDefault(a => a.ResourceId == payment.DebtorResourceId);
        string? error = (psu, account) switch
        {
            (null, _) => "No BankID for this personal number. Check the number (12 digits).",
            _ when payment.PsuId is not null && payment.PsuId != psu.PersonalNumber => "This request was made for another person.",
            (_, null) => "You cannot pay from the account this payment names.",
            _ => null,
        };
        if (error is not null)
        {
            return Page<SignInPage>(new { Action = "/oauth2/authorize/identify", LoginId = loginId, Intro = Intro(payment), PersonalNumber = personalNumber, Error = error }, 400);
        }

        await logins.IdentifyAsync(loginId, psu!.PersonalNumber, cancellationToken);
        await authorisations.SetScaStatusAsync(authorisation.AuthorisationId, ScaStatus.Started, psu.PersonalNumber, cancellationToken);
        var details = new List<string>
        {
            $"Amount: {Amount(payment)} {payment.Currency}",
            $"To: {payment.CreditorName}, {payment.CreditorIban}",
            $"From: {account!.Name} ({account.Iban})",
        };
        if (payment.Currency != account.Currency)
        {
            details.Add($"Debited: {Amount(payment.DebitAmount)} {account.Currency}");
        }

        if (payment.Remittance is { Length: > 0 } remittance)
        {
            details.Add($"Message: {remittance}");
        }

        details.Add(payment.RequestedExecutionDate is { } date && date > clock.Today ? $"On {date:yyyy-MM-dd}" : "Now");
        return Page<BankIdPage>(new
        {
            Action = "/oauth2/authorize/decide",
            PsuName = psu.Name,
            What = $"Pay {Amount(payment)} {payment.Currency} to {payment.CreditorName}?",
            Details = (IReadOnlyList<string>)details,
            Hidden = (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { ["loginId"] = loginId },
        });
    }

    /// <summary>
    /// Approved: the payment is judged (executed, accepted for its date, or rejected for funds: the SCA itself
    /// succeeded either way) and the TPP gets a code. Refused: the payment is cancelled and the TPP gets access_denied.
    /// </summary>
    public async Task<IResult> DecideAsync(Login login, Authorisation authorisation, string decision, CancellationToken cancellationToken)
    {
        if (decision == "approve" && await sca.ApproveAsync(authorisation, login.PersonalNumber!, cancellationToken))
        {
            var code = await tokens.IssuePaymentCodeAsync(authorisation.PaymentId!, login.ClientId, login.RedirectUri, login.CodeChallenge,
                clock.GetUtcNow() + options.CurrentValue.AuthorizationCodeLifetime, cancellationToken);
            return Results.Redirect(AuthorizeEndpoints.Callback(login.RedirectUri, ("code", code), ("state", login.State)));
        }

        await sca.RejectAsync(authorisation, cancellationToken);
        var payment = await payments.FindAsync(authorisation.PaymentId!, cancellationToken);
        return Results.Redirect(AuthorizeEndpoints.Callback(payment?.NokRedirectUri ?? login.RedirectUri,
            ("error", "access_denied"), ("error_description", "the PSU did not approve the payment"), ("state", login.State)));
    }

    /// <summary>What the BankID app shows for a decoupled payment order.</summary>
    public static string Describe(Payment payment) => $"asks you to pay {Amount(payment)} {payment.Currency} to {payment.CreditorName} ({payment.CreditorIban}).";

    private static string Intro(Payment payment) =>
        $"{payment.TppId} asks to pay {Amount(payment)} {payment.Currency} to {payment.CreditorName} from your account. Sign in to review the payment.";

    private static string Amount(Payment payment) => Amount(payment.Amount);

    private static string Amount(decimal amount) => amount.ToString("N2", CultureInfo.InvariantCulture);
}
