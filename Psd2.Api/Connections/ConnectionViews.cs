using Psd2.Core.Accounts;
using Psd2.Core.Connections;

namespace Psd2.Api.Connections;

public sealed record CreateConnectionRequest(
    string? InstitutionId, string? Flow, string? RedirectUri, string? PsuId, int? ValidDays, int? FrequencyPerDay, List<string>? Access)
{
    public ConnectionRequest ToRequest() => new(InstitutionId, Flow, RedirectUri, PsuId, ValidDays, FrequencyPerDay, Access);
}

/// <summary>A renewal: everything not given is taken from the connection being renewed.</summary>
public sealed record RenewConnectionRequest(string? Flow, string? RedirectUri, string? PsuId, int? ValidDays, int? FrequencyPerDay, List<string>? Access);

public sealed record ConnectionAccount(Guid Id, string Iban, string Currency, string? Name);

/// <summary>A connection as clients see it; the statuses and reasons are documented in README.</summary>
public sealed record ConnectionResponse(
    Guid Id, Guid UserId, string InstitutionId, string Flow, IReadOnlyList<string> Access, string Status, string? StatusReason, DateTimeOffset StatusChangedAt,
    DateOnly? ValidUntil, DateTimeOffset CreatedAt, DateTimeOffset? AuthorisedAt, DateTimeOffset? ConsentCheckedAt,
    DateTimeOffset? LastSyncedAt, DateTimeOffset? NextRefreshAt, Guid? RenewsConnectionId, Guid? ReplacedByConnectionId,
    IReadOnlyList<ConnectionAccount> Accounts, string? AuthorisationUrl = null, string? RefreshReason = null)
{
    public static ConnectionResponse Of(Connection c, IEnumerable<Account> accounts, string? authorisationUrl = null) => new(
        c.Id, c.UserId, c.InstitutionId, c.Flow, c.Access, c.Status, c.StatusReason, c.StatusChangedAt, c.ValidUntil, c.CreatedAt, c.AuthorisedAt,
        c.ConsentCheckedAt, c.LastSyncedAt, c.NextRefreshAt, c.RenewsConnectionId, c.ReplacedByConnectionId,
        accounts.Where(a => a.ConnectionId == c.Id).OrderBy(a => a.Iban).ThenBy(a => a.Currency)
            .Select(a => new ConnectionAccount(a.Id, a.Iban, a.Currency, a.Name)).ToList(),
        authorisationUrl, c.RefreshReason);
}
