using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Api.Audit;

public sealed record AuditEventResponse(long Id, DateTimeOffset OccurredAt, string Type, string? RequestId, Guid? UserId, Guid? ConnectionId);

public sealed record AuditEventPage(IReadOnlyList<AuditEventResponse> Items, string? NextCursor);

/// <summary>The client app's own audit trail, oldest first, paged by the event id; filterable by user and connection.</summary>
public static class AuditApi
{
    public static void MapAuditApi(this RouteGroupBuilder v1) =>
        v1.MapGet("/audit-events", ListAsync).WithTags("Audit").WithName("ListAuditEvents")
            .WithSummary("The client app's audit events (connection created, authorised, revoked; users created and deleted), oldest first.");

    /// <param name="limit">Events per page, 1 to 500; 100 by default.</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    /// <param name="userId">Only this user's events.</param>
    /// <param name="connectionId">Only this connection's events.</param>
    private static async Task<Results<Ok<AuditEventPage>, ApiProblem<BadRequest400>>> ListAsync(
        Caller caller, Psd2DbContext db, int? limit, string? cursor, Guid? userId, Guid? connectionId, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 500)
        {
            return ApiProblems.Invalid("limit", "Between 1 and 500.");
        }

        long after = 0;
        if (cursor is not null && !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return ApiProblems.BadRequest("cursor_invalid", "The cursor is not one this API issued.");
        }

        var query = db.AuditEvents.AsNoTracking().Where(e => e.ClientAppId == caller.ClientAppId && e.Id > after);
        if (userId is not null)
        {
            query = query.Where(e => e.UserId == userId);
        }

        if (connectionId is not null)
        {
            query = query.Where(e => e.ConnectionId == connectionId);
        }

        var size = limit ?? 100;
        var page = await query.OrderBy(e => e.Id).Take(size + 1)
            .Select(e => new AuditEventResponse(e.Id, e.OccurredAt, e.Type, e.RequestId, e.UserId, e.ConnectionId))
            .ToListAsync(cancellationToken);
        var next = page.Count > size ? page[size - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new AuditEventPage(page.Take(size).ToList(), next));
    }
}
