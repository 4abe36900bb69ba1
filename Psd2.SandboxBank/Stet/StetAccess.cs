using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Consents;
using Psd2.SandboxBank.OAuth;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.Tls;

namespace Psd2.SandboxBank.Stet;

/// <summary>A read allowed by a STET token: the consent it came with, its terms and the accounts it covers.</summary>
public sealed record StetGrant(Consent Consent, StetConsentTerms Terms, IReadOnlyList<ConsentedAccount> Accounts)
{
    public ConsentedAccount? Account(string resourceId) => Accounts.FirstOrDefault(a => a.ResourceId == resourceId);
}

/// <summary>
/// The bearer checks of the STET dialect, in the order a TPP can act on them: a token is presented, known, this
/// TPP's, from a PSU's authorisation and bound to this connection's certificate (else 401); its consent in force
/// (else 403 naming why: revoked by the PSU, expired, terminated by the TPP); the token itself live (else 401).
/// The consent's state comes before the token's because every token of an ended consent is revoked with it, and
/// only the consent says why. Reads without the PSU present then take from the day's four.
/// </summary>
public sealed class StetAccess(TokenStore tokens, ConsentStore consents, AccessCounter counter, BankClock clock)
{
    public async Task<StetGrant> AuthorizeAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var authorization = context.Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && authorization.Length <= 200
            ? authorization["Bearer ".Length..].Trim()
            : "";
        if (bearer.Length == 0)
        {
            throw StetError.Unauthorized("access token missing").AsException();
        }

        var token = await tokens.FindBearerAsync(bearer, cancellationToken);
        if (token is not { Kind: PresentedToken.AccessKind, ConsentId: { } consentId } || token.TppId != context.Tpp().OrganizationId)
        {
            throw StetError.Unauthorized("access token unknown").AsException();
        }

        // RFC 8705, as the OAuth metadata advertises: a token is good only over the certificate it was issued over.
        if (!CertificateBinding.Matches(token.CertificateThumbprint, context))
        {
            throw StetError.Unauthorized("access token bound to another certificate").AsException();
        }

        var (consent, _, accounts) = await consents.FindForReadAsync(consentId, bearer, cancellationToken);
        if (consent?.StetTerms is not { } terms || consent.TppId != token.TppId)
        {
            throw StetError.Unauthorized("access token unknown").AsException();
        }

        var today = clock.Today;
        if (Unusable(consent.StatusOn(today)) is { } reason)
        {
            throw StetError.Forbidden(reason).AsException();
        }

        if (token.Revoked)
        {
            throw StetError.Unauthorized("access token revoked").AsException();
        }

        if (token.ExpiresAt <= clock.GetUtcNow())
        {
            throw StetError.Unauthorized("access token expired").AsException();
        }

        if (consent.LastActionDate < today)
        {
            await consents.TouchAsync(consent.ConsentId, today, cancellationToken);
        }

        return new StetGrant(consent, terms, accounts);
    }

    /// <summary>
    /// Counts a read made without the PSU (no PSU-IP-Address), per endpoint and account per bank day, as the other
    /// dialects count them; over the consent's four a day it is 429 with Retry-After until the next day. Only the
    /// first page of a list counts: following _links.next is the same read.
    /// </summary>
    public async Task CountAsync(HttpContext context, StetGrant grant, string endpoint, string resourceId)
    {
        if (StetRequests.IsPsuPresent(context.Request))
        {
            return;
        }

        var consent = grant.Consent;
        var today = clock.Today;
        if (!await counter.TryTakeAsync(consent.ConsentId, today, endpoint, resourceId, consent.FrequencyPerDay, context.RequestAborted))
        {
            var untilTomorrow = clock.StartOf(today.AddDays(1)) - clock.GetUtcNow();
            throw new StetError(429, $"the {consent.FrequencyPerDay} unattended reads of this bank day are used up")
            {
                RetryAfterSeconds = (int)Math.Ceiling(untilTomorrow.TotalSeconds),
            }.AsException();
        }
    }

    /// <summary>The stable message of a consent that may not be read, or null when it may.</summary>
    private static string? Unusable(string status) => status switch
    {
        ConsentStatus.Valid => null,
        ConsentStatus.RevokedByPsu => "consent revoked by the PSU",
        ConsentStatus.Expired => "consent expired",
        ConsentStatus.TerminatedByTpp => "consent terminated by the TPP",
        ConsentStatus.Rejected => "consent rejected by the PSU",
        _ => "consent not approved by the PSU",
    };
}
