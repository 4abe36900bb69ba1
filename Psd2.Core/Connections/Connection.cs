namespace Psd2.Core.Connections;

/// <summary>A user's bank connection: the consent held at the bank for them and the tokens that use it.</summary>
public sealed class Connection
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public Guid UserId { get; set; }
    public required string InstitutionId { get; set; }
    public required string Flow { get; set; }
    public required string Status { get; set; }
    public string? StatusReason { get; set; }
    /// <summary>Where the end user's browser goes after the bank (redirect flow), from the client's allow-list.</summary>
    public string? RedirectUri { get; set; }
    public string? PsuId { get; set; }
    public int FrequencyPerDay { get; set; }
    public DateOnly RequestedValidUntil { get; set; }
    public string? BankConsentId { get; set; }
    /// <summary>The validity the bank granted, which may be shorter than requested.</summary>
    public DateOnly? ValidUntil { get; set; }
    public byte[]? AccessTokenCipher { get; set; }
    public byte[]? RefreshTokenCipher { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? AuthorisedAt { get; set; }
}

/// <summary>The statuses clients see (documented in README).</summary>
public static class ConnectionStatus
{
    public const string PendingAuthorisation = "pending_authorisation";
    public const string AwaitingDecoupledAuthorisation = "awaiting_decoupled_authorisation";
    public const string Active = "active";
    public const string RenewalDue = "renewal_due";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
    public const string Rejected = "rejected";
    public const string Failed = "failed";
}

public static class ConnectionFlow
{
    public const string Redirect = "redirect";
    public const string Decoupled = "decoupled";
}
