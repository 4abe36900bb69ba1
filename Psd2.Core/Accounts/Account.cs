using Psd2.Core.ClientApps;

namespace Psd2.Core.Accounts;

/// <summary>
/// A user's account at an institution. Its id is the platform's and stays the same across consents (renewal,
/// reconnection): the account is known by user, institution, IBAN and currency, and the connection that reads it
/// now is only a pointer.
/// </summary>
public sealed class Account : IClientAppOwned
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public Guid UserId { get; set; }
    public required string InstitutionId { get; set; }
    public Guid? ConnectionId { get; set; }
    /// <summary>The bank's resourceId under the current consent.</summary>
    public required string BankResourceId { get; set; }
    public required string Iban { get; set; }
    public required string Currency { get; set; }
    public string? Name { get; set; }
    public string? Product { get; set; }
    public string? OwnerName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSyncedAt { get; set; }
}
