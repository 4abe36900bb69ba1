using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>A read allowed by an authorised consent: the consent, its terms and the accounts it covers.</summary>
public sealed record OpenBankingGrant(Consent Consent, UkConsentTerms Terms, IReadOnlyList<ConsentedAccount> Accounts)
{
    public ConsentedAccount? Account(string resourceId) => Accounts.FirstOrDefault(a => a.ResourceId == resourceId);
}

/// <summary>
/// The bearer checks of the UK dialect, in the order a TPP can act on them: a token is presented, known, this TPP's
/// and bound to this connection's certificate (else 401 without body); of the kind the resource needs (client
/// credentials for consents, the PSU's authorisation for account data); its consent authorised and not expired
/// (else 403 UK.OBIE.Resource.InvalidConsentStatus); the token itself live (else 401). Reads without the PSU
/// present then take from the consent's four a day.
/// </summary>
public sealed class OpenBankingAccess(TokenStore tokens, ConsentStore consents, AccessCounter counter, BankClock clock)
{
    /// <summary>A client-credentials token of the presenting TPP; answers its organizationIdentifier.</summary>
    public async Task<string> ClientAsync(HttpContext context)
    {
        var (token, _) = await BearerAsync(context);
        if (token.Kind != PresentedToken.ClientKind)
        {
            throw OpenBankingError.Unauthorized("Consent resources need a client-credentials access token.").AsException();
        }

        if (token.Revoked || token.ExpiresAt <= clock.GetUtcNow())
        {
            throw OpenBankingError.Unauthorized("The access token is revoked or has expired.").AsException();
        }

        return token.TppId;
    }

    /// <summary>A token from the PSU's authorisation, with its consent authorised and in force.</summary>
    public async Task<OpenBankingGrant> ConsentAsync(HttpContext context)
    {
        var (token, bearer) = await BearerAsync(context);
        if (token.Kind != PresentedToken.AccessKind || token.ConsentId is null)
        {
            throw OpenBankingError.Unauthorized("Account data needs an access token from the PSU's authorisation.").AsException();
        }

        var (consent, _, accounts) = await consents.FindForReadAsync(token.ConsentId, bearer, context.RequestAborted);
        if (consent?.UkTerms is not { } terms || consent.TppId != token.TppId)
        {
            throw OpenBankingError.Unauthorized("The access token's consent is unknown.").AsException();
        }

        // The consent's own state first: a TPP can act on an expired or revoked consent, while refreshing would not help.
        var status = UkConsentStatus.Of(consent, clock.GetUtcNow(), clock.Today);
        if (status != UkConsentStatus.Authorised)
        {
            throw OpenBankingError.InvalidConsentStatus(UkConsentStatus.Describe(status)).AsException();
        }

        if (token.Revoked)
        {
            throw OpenBankingError.Unauthorized("The access token is revoked.").AsException();
        }

        if (token.ExpiresAt <= clock.GetUtcNow())
        {
            throw OpenBankingError.Unauthorized("The access token has expired; refresh it.").AsException();
        }

        if (consent.LastActionDate < clock.Today)
        {
            await consents.TouchAsync(consent.ConsentId, clock.Today, context.RequestAborted);
        }

        return new OpenBankingGrant(consent, terms, accounts);
    }

    /// <summary>
    /// Counts a read made without the PSU (no x-fapi-customer-ip-address), per endpoint and account per bank day, as
    /// the Berlin Group dialect counts them; over the consent's four a day it is 429 with Retry-After until the next day.
    /// </summary>
    public async Task CountAsync(HttpContext context, OpenBankingGrant grant, string endpoint, string resourceId)
    {
        if (FapiHeaders.IsPsuPresent(context.Request))
        {
            return;
        }

        var consent = grant.Consent;
        var today = clock.Today;
        if (!await counter.TryTakeAsync(consent.ConsentId, today, endpoint, resourceId, consent.FrequencyPerDay, context.RequestAborted))
        {
            var untilTomorrow = clock.StartOf(today.AddDays(1)) - clock.GetUtcNow();
            throw new OpenBankingError(429, null, null, $"The {consent.FrequencyPerDay} unattended reads of this bank day are used up.")
            {
                RetryAfterSeconds = (int)Math.Ceiling(untilTomorrow.TotalSeconds),
            }.AsException();
        }
    }

    private async Task<(PresentedToken Token, string Bearer)> BearerAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && authorization.Length <= 200
            ? authorization["Bearer ".Length..].Trim()
            : "";
        if (bearer.Length == 0)
        {
            throw OpenBankingError.Unauthorized("A bearer access token is required.").AsException();
        }

        var token = await tokens.FindBearerAsync(bearer, context.RequestAborted);
        if (token is null || token.TppId != context.Tpp().OrganizationId)
        {
            throw OpenBankingError.Unauthorized("The access token is unknown.").AsException();
        }

        if (!CertificateBinding.Matches(token.CertificateThumbprint, context))
        {
            throw OpenBankingError.Unauthorized("The access token is bound to another certificate than this connection's.").AsException();
        }

        return (token, bearer);
    }
}
