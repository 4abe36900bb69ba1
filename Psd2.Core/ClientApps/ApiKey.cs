namespace Psd2.Core.ClientApps;

/// <summary>
/// A client app's credential. Only a hash of the secret is kept; the key is shown once at creation.
/// Two active keys per app allow rotation without downtime.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    /// <summary>The public, non-secret part of the key, used to find it.</summary>
    public required string Prefix { get; set; }
    public required byte[] SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
