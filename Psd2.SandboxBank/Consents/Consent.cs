using Psd2.SandboxBank.BerlinGroup;

namespace Psd2.SandboxBank.Consents;

public static class ConsentStatus
{
    public const string Received = "received";
    public const string Rejected = "rejected";
    public const string Valid = "valid";
    public const string RevokedByPsu = "revokedByPsu";
    public const string Expired = "expired";
    public const string TerminatedByTpp = "terminatedByTpp";
}

public static class ScaStatus
{
    public const string Received = "received";
    public const string Started = "started";
    public const string Finalised = "finalised";
    public const string Failed = "failed";

    public static bool IsFinal(string status) => status is Finalised or Failed;
}

public static class ScaApproach
{
    public const string Redirect = "REDIRECT";
    public const string Decoupled = "DECOUPLED";
}

public sealed record Consent(
    string ConsentId,
    string TppId,
    string Status,
    AccountAccess Access,
    bool Recurring,
    DateOnly ValidUntil,
    int FrequencyPerDay,
    bool CombinedService,
    string ScaApproach,
    string? PsuId,
    string? RedirectUri,
    string? NokRedirectUri,
    DateTimeOffset CreatedAt,
    DateOnly LastActionDate,
    UkConsentTerms? UkTerms = null,
    DateTimeOffset? StatusUpdatedAt = null,
    StetConsentTerms? StetTerms = null)
{
    /// <summary>The status as of a bank day: a consent past its validUntil is expired whatever it was.</summary>
    public string StatusOn(DateOnly today) =>
        Status is ConsentStatus.Valid or ConsentStatus.Received && today > ValidUntil ? ConsentStatus.Expired : Status;

    /// <summary>Whether the consent may be used on this day, or the error that says why not.</summary>
    public TppError? UsableOn(DateOnly today) => StatusOn(today) switch
    {
        ConsentStatus.Valid => null,
        ConsentStatus.Expired => TppError.ConsentExpired(),
        ConsentStatus.Received => TppError.ConsentInvalid("The consent is not yet authorised by the PSU."),
        ConsentStatus.Rejected => TppError.ConsentInvalid("The PSU rejected the consent."),
        ConsentStatus.RevokedByPsu => TppError.ConsentInvalid("The PSU revoked the consent."),
        _ => TppError.ConsentInvalid("The consent was terminated by the TPP."),
    };
}

/// <summary>
/// What a UK Open Banking consent asked for in that standard's terms: its permissions decide the access (instead of
/// <see cref="Consent.Access"/>), and it expires at an instant rather than at the end of a bank day.
/// </summary>
public sealed record UkConsentTerms(
    IReadOnlyList<string> Permissions,
    DateTimeOffset ExpirationDateTime,
    DateTimeOffset? TransactionFromDateTime,
    DateTimeOffset? TransactionToDateTime);

/// <summary>
/// What a STET consent holds beyond the shared consent: the bank creates it at /oauth2/authorize with every account
/// of the PSU listable and nothing else, the TPP's PUT /consents then names the accounts for balances and
/// transactions; <paramref name="ExtendedTransactionHistory"/> is whether the scope of that name was granted.
/// </summary>
public sealed record StetConsentTerms(bool ExtendedTransactionHistory);

/// <summary>An SCA of a consent or, with <paramref name="PaymentId"/> and no consent, of a payment.</summary>
public sealed record Authorisation(
    string AuthorisationId,
    string? ConsentId,
    string ScaApproach,
    string ScaStatus,
    string? PersonalNumber,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? LastPolledAt,
    bool TokensIssued,
    string? PaymentId = null);

/// <summary>An account a valid consent covers, with what it may read.</summary>
public sealed record ConsentedAccount(string ResourceId, bool Balances, bool Transactions);
