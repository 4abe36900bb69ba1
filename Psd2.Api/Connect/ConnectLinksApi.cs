using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Psd2.Api.ClientApps;
using Psd2.Core.Banking;
using Psd2.Core.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connect;

public sealed record CreateConnectLinkRequest(string? RedirectUri, int? ValidDays = null, int? FrequencyPerDay = null, List<string>? Access = null);

/// <param name="Url">The hosted Connect page to send the user's browser to; it works once, until <paramref name="ExpiresAt"/>.</param>
public sealed record ConnectLinkResponse(string Url, DateTimeOffset ExpiresAt);

/// <summary>Connect links: a client app hands its user a link to the hosted Connect page instead of building its own.</summary>
public static class ConnectLinksApi
{
    public static void MapConnectLinksApi(this RouteGroupBuilder v1) =>
        v1.MapPost("/users/{userId:guid}/connect-links", CreateAsync).WithTags("Connect").WithName("CreateConnectLink")
            .WithSummary("A single-use link, valid for 15 minutes, to the hosted Connect page where the user picks a bank and signs in; the browser ends at redirectUri.");

    private static async Task<Results<Created<ConnectLinkResponse>, ApiProblem<NotFound404>, ApiProblem<BadRequest400>>> CreateAsync(
        Guid userId, CreateConnectLinkRequest request, Caller caller, Psd2DbContext db, ConnectLinks links,
        IOptions<InstitutionOptions> institutions, IOptions<ApiOptions> api, TimeProvider time, CancellationToken cancellationToken)
    {
        var clientAppId = caller.ClientAppId;
        if (!await db.Users.OwnedBy(clientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        var allowed = await db.ClientApps.Where(a => a.Id == clientAppId).Select(a => a.RedirectUris).SingleAsync(cancellationToken);
        if (request.RedirectUri is null || !allowed.Contains(request.RedirectUri, StringComparer.Ordinal))
        {
            return ApiProblems.BadRequest("redirect_uri_not_allowed", "redirectUri must be one of the client app's registered redirect URIs.");
        }

        var maxDays = institutions.Value.Banks.Values.Max(b => b.MaxConsentDays);
        if (request.ValidDays is < 1 || request.ValidDays > maxDays)
        {
            return ApiProblems.Invalid("validDays", $"Between 1 and {maxDays}; a bank with a shorter maximum refuses more than its own.");
        }

        if (request.FrequencyPerDay is < 1 or > 4)
        {
            return ApiProblems.Invalid("frequencyPerDay", "Between 1 and 4.");
        }

        var access = ConnectionAccess.Normalise(request.Access);
        if (access is null)
        {
            return ApiProblems.Invalid("access", "One of [accounts], [accounts, balances] or [accounts, balances, transactions].");
        }

        var (token, link) = await links.CreateAsync(clientAppId, userId, request.RedirectUri, request.ValidDays, request.FrequencyPerDay, access);
        db.AuditEvents.Add(AuditRecords.For(caller, time, "connect_link.created", userId, details: new { link.ExpiresAt }));
        await db.SaveChangesAsync(cancellationToken);
        var url = $"{api.Value.PublicBaseUrl.TrimEnd('/')}/connect/{token}";
        return TypedResults.Created((string?)null, new ConnectLinkResponse(url, link.ExpiresAt));
    }
}
