using Microsoft.Extensions.Options;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Infrastructure;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Time;
using static Psd2.SandboxBank.OAuth.AuthorizeEndpoints;
using static Psd2.SandboxBank.Pages.PageResults;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// STET's authorisation request: plain query parameters and no consent made beforehand, so the bank creates it here,
/// for the client the request names. It opens every account of the PSU to the account list and nothing more until
/// the TPP's PUT /consents; recurring, valid MaxConsentDays, four unattended reads a day, redirect SCA. Until the
/// redirect_uri is proven to be one the TPP registered, errors stay on the bank's page (an open redirector
/// otherwise); after that the TPP's redirect_uri hears of them (RFC 6749 section 4.1.2.1).
/// </summary>
public sealed class StetAuthorizations(ConsentStore consents, BankClock clock, IOptionsMonitor<BankOptions> options)
{
    private static readonly HashSet<string> OfferedScopes = [StetScopes.Aisp, StetScopes.ExtendedTransactionHistory];

    public async Task<(AuthorizationRequest?, IResult?)> ReadAsync(HttpRequest request)
    {
        var query = request.Query;
        string Single(string name) => query[name] is { Count: 1 } value ? value.ToString() : "";

        var clientId = Single("client_id");
        if (clientId.Length is 0 or > 100)
        {
            return (null, Message("Request not valid", "The request needs client_id: the organizationIdentifier of the TPP's QWAC.", 400));
        }

        var redirectUri = Single("redirect_uri");
        if (!options.CurrentValue.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return (null, Message("Request not valid", "redirect_uri is not one the TPP registered with the bank.", 400));
        }

        var state = Single("state");
        if (state.Length is 0 or > 512)
        {
            return Refuse(redirectUri, null, "invalid_request", "state is required");
        }

        if (Single("response_type") != "code")
        {
            return Refuse(redirectUri, state, "unsupported_response_type", null);
        }

        var challenge = Single("code_challenge");
        if (Single("code_challenge_method") != "S256" || !Pkce.IsWellFormedChallenge(challenge))
        {
            return Refuse(redirectUri, state, "invalid_request", "PKCE with code_challenge_method S256 is required");
        }

        var scopes = Single("scope").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Contains(StetScopes.Aisp) || scopes.Any(s => !OfferedScopes.Contains(s)))
        {
            return Refuse(redirectUri, state, "invalid_scope", "scope must include aisp; extended_transaction_history is the only other scope offered");
        }

        var bank = options.CurrentValue;
        var now = clock.GetUtcNow();
        var today = clock.Today;
        var consent = new Consent(
            Secrets.NewId(), clientId, ConsentStatus.Received, new AccountAccess(AvailableAccounts: "allAccounts"), Recurring: true,
            today.AddDays(bank.MaxConsentDays), FrequencyPerDay: 4, CombinedService: false, ScaApproach.Redirect, PsuId: null,
            redirectUri, NokRedirectUri: null, now, today,
            StetTerms: new StetConsentTerms(scopes.Contains(StetScopes.ExtendedTransactionHistory)));
        var authorisation = new Authorisation(Secrets.NewId(), consent.ConsentId, ScaApproach.Redirect, ScaStatus.Received, null, now, null, null, false);
        await consents.CreateAsync(consent, authorisation, request.HttpContext.RequestAborted);
        return (new AuthorizationRequest(consent, redirectUri, state, challenge), null);
    }

    private static (AuthorizationRequest?, IResult?) Refuse(string redirectUri, string? state, string error, string? description)
    {
        var parameters = new List<(string, string)> { ("error", error) };
        if (description is not null)
        {
            parameters.Add(("error_description", description));
        }

        if (state is not null)
        {
            parameters.Add(("state", state));
        }

        return (null, Results.Redirect(Callback(redirectUri, [.. parameters])));
    }
}
