using System.Net;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Accounts;

/// <summary>A request allowed to read account data: its consent and the accounts the consent covers.</summary>
public sealed record AisGrant(Consent Consent, IReadOnlyList<ConsentedAccount> Accounts)
{
    public ConsentedAccount? Account(string resourceId) => Accounts.FirstOrDefault(a => a.ResourceId == resourceId);
}

/// <summary>
/// The checks before any account read, in the order a TPP can act on them: Consent-ID names this TPP's consent,
/// the bearer token was issued for that consent and is live, the consent is valid today, and (for reads without
/// the PSU present) the day's frequencyPerDay budget for this endpoint and account is not used up.
/// </summary>
public sealed class AisAccess(ConsentStore consents, AccessCounter counter, BankClock clock)
{
    public async Task<AisGrant> AuthorizeAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (request.Headers["Consent-ID"] is not { Count: 1 } consentHeader || consentHeader.ToString().Length is 0 or > 100)
        {
            throw TppError.FormatError("The Consent-ID header is required.", "Consent-ID").AsException();
        }

        if (request.Headers["PSU-IP-Address"] is { Count: > 0 } ip && !IPAddress.TryParse(ip.ToString(), out _))
        {
            throw TppError.FormatError("PSU-IP-Address must be an IPv4 or IPv6 address.", "PSU-IP-Address").AsException();
        }

        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && authorization.Length <= 200
            ? authorization["Bearer ".Length..].Trim()
            : "";
        var (consent, token, accounts) = await consents.FindForReadAsync(consentHeader.ToString(), bearer, cancellationToken);
        if (consent is null || consent.TppId != context.Tpp().OrganizationId)
        {
            throw TppError.ConsentUnknown().AsException();
        }

        if (bearer.Length == 0)
        {
            throw TppError.TokenInvalid("A bearer access token is required.").AsException();
        }

        if (token is null || token.TppId != consent.TppId)
        {
            throw TppError.TokenInvalid("The access token is unknown.").AsException();
        }

        if (token.ConsentId != consent.ConsentId)
        {
            throw TppError.TokenInvalid("The access token was issued for another consent.").AsException();
        }

        // RFC 8705, as the OAuth metadata advertises: a token is good only over the certificate it was issued over.
        if (!CertificateBinding.Matches(token.CertificateThumbprint, context))
        {
            throw TppError.TokenInvalid("The access token is bound to another certificate than this connection's.").AsException();
        }

        // The consent's own state first: a TPP can act on CONSENT_EXPIRED, while refreshing would not help.
        var today = clock.Today;
        if (consent.UsableOn(today) is { } unusable)
        {
            throw unusable.AsException();
        }

        if (token.Revoked)
        {
            throw TppError.TokenInvalid("The access token is revoked.").AsException();
        }

        if (token.ExpiresAt <= clock.GetUtcNow())
        {
            throw TppError.TokenExpired().AsException();
        }

        if (consent.LastActionDate < today)
        {
            await consents.TouchAsync(consent.ConsentId, today, cancellationToken);
        }

        return new AisGrant(consent, accounts);
    }

    /// <summary>
    /// Counts an unattended read. A read with PSU-IP-Address is the PSU's own on a recurring consent and is free;
    /// a one-off consent counts every read. Only the first page of a list counts: following _links.next is the same read.
    /// </summary>
    public async Task CountAsync(HttpContext context, AisGrant grant, string endpoint, string resourceId)
    {
        var consent = grant.Consent;
        if (consent.Recurring && context.Request.Headers.ContainsKey("PSU-IP-Address"))
        {
            return;
        }

        var today = clock.Today;
        if (!await counter.TryTakeAsync(consent.ConsentId, today, endpoint, resourceId, consent.FrequencyPerDay, context.RequestAborted))
        {
            var untilTomorrow = clock.StartOf(today.AddDays(1)) - clock.GetUtcNow();
            throw new TppError(429, "ACCESS_EXCEEDED", $"The {consent.FrequencyPerDay} unattended reads of this bank day are used up.")
            {
                RetryAfterSeconds = (int)Math.Ceiling(untilTomorrow.TotalSeconds),
            }.AsException();
        }
    }
}
