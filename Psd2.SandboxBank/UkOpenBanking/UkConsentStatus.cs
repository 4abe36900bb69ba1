using Psd2.SandboxBank.Consents;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>The consent statuses of v4.0 (OBReadConsentResponse1 Data.Status) and how the bank's consent states map to them.</summary>
public static class UkConsentStatus
{
    public const string AwaitingAuthorisation = "AWAU";
    public const string Rejected = "RJCT";
    public const string Authorised = "AUTH";
    public const string Expired = "EXPD";
    public const string Cancelled = "CANC";

    /// <summary>The status now: a live consent past its ExpirationDateTime is expired whatever it was.</summary>
    public static string Of(Consent consent, DateTimeOffset now, DateOnly today)
    {
        var status = consent.StatusOn(today);
        if (status is ConsentStatus.Received or ConsentStatus.Valid && consent.UkTerms is { } terms && now >= terms.ExpirationDateTime)
        {
            return Expired;
        }

        return status switch
        {
            ConsentStatus.Received => AwaitingAuthorisation,
            ConsentStatus.Valid => Authorised,
            ConsentStatus.Rejected => Rejected,
            ConsentStatus.Expired => Expired,
            _ => Cancelled, // revoked by the PSU or deleted by the TPP
        };
    }

    /// <summary>When the status last changed: an expiry by time happened at the expiration instant.</summary>
    public static DateTimeOffset UpdatedAt(Consent consent, string status) =>
        status == Expired && consent.UkTerms is { } terms && consent.Status is ConsentStatus.Received or ConsentStatus.Valid
            ? terms.ExpirationDateTime
            : consent.StatusUpdatedAt ?? consent.CreatedAt;

    public static string Describe(string status) => status switch
    {
        AwaitingAuthorisation => "The consent is not yet authorised by the PSU.",
        Rejected => "The PSU rejected the consent.",
        Expired => "The consent has expired.",
        Cancelled => "The consent was revoked by the PSU or deleted by the TPP.",
        _ => "The consent is authorised.",
    };
}
