using Psd2.Core.Accounts;
using Psd2.Core.Connections;

namespace Psd2.Api.Connections;

/// <param name="InstitutionId">The bank (GET /v1/institutions).</param>
/// <param name="Flow">redirect or decoupled: one of the institution's SCA approaches.</param>
/// <param name="RedirectUri">Where the browser returns (redirect flow): one of the client app's registered redirect URIs.</param>
/// <param name="PsuId">The user's identifier at the bank (decoupled flow; for BankID the 12-digit personal number).</param>
/// <param name="ValidDays">Days the consent lasts, up to the institution's maximum; 90 (or that maximum) by default.</param>
/// <param name="FrequencyPerDay">Unattended reads a day, 1 to 4; 4 by default.</param>
/// <param name="Access">[accounts], [accounts, balances] or [accounts, balances, transactions] (the default).</param>
public sealed record CreateConnectionRequest(
    string? InstitutionId, string? Flow, string? RedirectUri = null, string? PsuId = null, int? ValidDays = null, int? FrequencyPerDay = null,
    List<string>? Access = null)
{
    public ConnectionRequest ToRequest() => new(InstitutionId, Flow, RedirectUri, PsuId, ValidDays, FrequencyPerDay, Access);
}

/// <summary>A renewal: everything not given is taken from the connection being renewed.</summary>
public sealed record RenewConnectionRequest(
    string? Flow = null, string? RedirectUri = null, string? PsuId = null, int? ValidDays = null, int? FrequencyPerDay = null, List<string>? Access = null);

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
