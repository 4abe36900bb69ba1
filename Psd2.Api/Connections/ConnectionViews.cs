using Psd2.Core.Connections;

namespace Psd2.Api.Connections;

public sealed record CreateConnectionRequest(string? InstitutionId, string? Flow, string? RedirectUri, int? ValidDays, int? FrequencyPerDay);

public sealed record ConnectionResponse(
    Guid Id, Guid UserId, string InstitutionId, string Flow, string Status, string? StatusReason,
    DateOnly? ValidUntil, DateTimeOffset CreatedAt, DateTimeOffset? AuthorisedAt, string? AuthorisationUrl = null)
{
    public static ConnectionResponse Of(Connection c, string? authorisationUrl = null) =>
        new(c.Id, c.UserId, c.InstitutionId, c.Flow, c.Status, c.StatusReason, c.ValidUntil, c.CreatedAt, c.AuthorisedAt, authorisationUrl);
}
