using Microsoft.EntityFrameworkCore;
using Psd2.Api.Banking;
using Psd2.Api.ClientApps;
using Psd2.Core.Accounts;
using Psd2.Core.Banking;
using Psd2.Core.Connections;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.ServiceDefaults.RequestIds;

namespace Psd2.Api.Connections;

/// <summary>Bank connections of a client app's users: started, read, checked at the bank, renewed and deleted.</summary>
public static class ConnectionsApi
{
    public static void MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/users/{userId:guid}/connections", CreateAsync).WithTags("Connections").WithName("CreateConnection")
            .WithSummary("Creates a consent at the bank: returns where to send the user (redirect) or starts BankID on the user's phone (decoupled).");
        app.MapGet("/v1/users/{userId:guid}/connections", ListAsync).WithTags("Connections").WithName("ListConnections");
        var connections = app.MapGroup("/v1/connections/{connectionId:guid}").WithTags("Connections");
        connections.MapGet("/", GetAsync).WithName("GetConnection");
        connections.MapPost("/verify", VerifyAsync).WithName("VerifyConnection")
            .WithSummary("Reads the consent's status at the bank now (free of the daily access budget) and updates the connection.");
        connections.MapPost("/renew", RenewAsync).WithName("RenewConnection")
            .WithSummary("Starts a new consent and SCA for the same user and bank; once authorised, the old consent is terminated and account ids stay.");
        connections.MapDelete("/", DeleteAsync).WithName("DeleteConnection")
            .WithSummary("Terminates the consent at the bank, then keeps the connection as revoked, or with purge=true erases it and its accounts.");
    }

    private static async Task<IResult> CreateAsync(Guid userId, CreateConnectionRequest request, HttpContext context, Psd2DbContext db, ConnectionStarter starter)
    {
        var clientAppId = context.ClientAppId();
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.ClientAppId == clientAppId, context.RequestAborted))
        {
            return ApiProblems.NotFound("user");
        }

        return Started(await starter.StartAsync(clientAppId, userId, request.ToRequest(), context.RequestId(), context.RequestAborted));
    }

    private static async Task<IResult> RenewAsync(Guid connectionId, RenewConnectionRequest? request, HttpContext context, Psd2DbContext db, ConnectionStarter starter)
    {
        var connection = await FindAsync(db, context, connectionId);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        if (connection.ReplacedByConnectionId is not null
            || connection.Status is not (ConnectionStatus.Active or ConnectionStatus.RenewalDue or ConnectionStatus.Expired or ConnectionStatus.Revoked))
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "connection_not_renewable",
                "Only an active, renewal_due, expired or revoked connection that has not been renewed already can be renewed.");
        }

        var flow = request?.Flow ?? connection.Flow;
        var renewal = new ConnectionRequest(
            connection.InstitutionId, flow, request?.RedirectUri ?? connection.RedirectUri,
            request?.PsuId ?? (flow == connection.Flow ? connection.PsuId : null), request?.ValidDays, request?.FrequencyPerDay ?? connection.FrequencyPerDay,
            request?.Access ?? connection.Access);
        return Started(await starter.StartAsync(connection.ClientAppId, connection.UserId, renewal, context.RequestId(), context.RequestAborted, renews: connection));
    }

    private static IResult Started((StartedConnection? Started, ApiError? Error) result) => result switch
    {
        ({ } started, _) => TypedResults.Created($"/v1/connections/{started.Connection.Id}", ConnectionResponse.Of(started.Connection, [], started.AuthorisationUrl)),
        (_, var error) => ApiProblems.Problem(error!),
    };

    private static async Task<IResult> VerifyAsync(Guid connectionId, HttpContext context, Psd2DbContext db, ConsentChecks checks)
    {
        var connection = await FindAsync(db, context, connectionId);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        try
        {
            await checks.CheckAsync(connection, context.RequestId(), context.RequestAborted);
        }
        catch (Exception e) when (BankCalls.IsBankFailure(e, context.RequestAborted))
        {
            return ApiProblems.Problem(BankCalls.Describe(e));
        }

        return TypedResults.Ok(await ViewAsync(db, connection, context.RequestAborted));
    }

    private static async Task<IResult> DeleteAsync(
        Guid connectionId, bool? purge, HttpContext context, Psd2DbContext db, BankClients banks, IAccountCache cache, TimeProvider time)
    {
        var connection = await FindAsync(db, context, connectionId);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        // The consent goes first: if the bank cannot be reached, nothing changes and the client can retry.
        if (ConsentTermination.HoldsConsent(connection))
        {
            try
            {
                await ConsentTermination.TerminateAsync(banks.Client(connection.InstitutionId), connection, context.RequestAborted);
            }
            catch (Exception e) when (BankCalls.IsBankFailure(e, context.RequestAborted))
            {
                return ApiProblems.Problem(BankCalls.Describe(e) with { Title = "The consent could not be terminated at the bank; nothing was changed. Try again." });
            }

            db.AuditEvents.Add(AuditRecords.For(context, time, "connection.revoked", connection.ClientAppId, connection.UserId, connection.Id));
        }

        if (!connection.IsFinal)
        {
            connection.SetStatus(ConnectionStatus.Revoked, "deleted_by_client", time.GetUtcNow());
            db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
        }

        List<Guid> purged = [];
        if (purge == true)
        {
            purged = await db.Accounts.Where(a => a.ConnectionId == connection.Id).Select(a => a.Id).ToListAsync(context.RequestAborted);
            await db.Accounts.Where(a => a.ConnectionId == connection.Id).ExecuteDeleteAsync(context.RequestAborted);
            db.Connections.Remove(connection);
        }
        else
        {
            connection.AccessTokenCipher = null;
            connection.RefreshTokenCipher = null;
            connection.NextPollAt = null;
        }

        db.AuditEvents.Add(AuditRecords.For(context, time, "connection.deleted", connection.ClientAppId, connection.UserId, connection.Id, new { purged = purge == true }));
        await db.SaveChangesAsync(context.RequestAborted);
        await cache.InvalidateAsync(purged, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> GetAsync(Guid connectionId, HttpContext context, Psd2DbContext db) =>
        await FindAsync(db, context, connectionId, tracked: false) is { } connection
            ? TypedResults.Ok(await ViewAsync(db, connection, context.RequestAborted))
            : ApiProblems.NotFound("connection");

    private static async Task<IResult> ListAsync(Guid userId, HttpContext context, Psd2DbContext db)
    {
        var clientAppId = context.ClientAppId();
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.ClientAppId == clientAppId, context.RequestAborted))
        {
            return ApiProblems.NotFound("user");
        }

        var connections = await db.Connections.AsNoTracking().Where(c => c.UserId == userId && c.ClientAppId == clientAppId)
            .OrderBy(c => c.CreatedAt).ToListAsync(context.RequestAborted);
        var accounts = await db.Accounts.AsNoTracking().Where(a => a.UserId == userId && a.ClientAppId == clientAppId).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(connections.Select(c => ConnectionResponse.Of(c, accounts)).ToList());
    }

    /// <summary>The caller's own connection; another client app's is as unknown as a missing one.</summary>
    private static Task<Connection?> FindAsync(Psd2DbContext db, HttpContext context, Guid connectionId, bool tracked = true)
    {
        var query = tracked ? db.Connections : db.Connections.AsNoTracking();
        return query.SingleOrDefaultAsync(c => c.Id == connectionId && c.ClientAppId == context.ClientAppId(), context.RequestAborted);
    }

    private static async Task<ConnectionResponse> ViewAsync(Psd2DbContext db, Connection connection, CancellationToken cancellationToken) =>
        ConnectionResponse.Of(connection, await db.Accounts.AsNoTracking().Where(a => a.ConnectionId == connection.Id).ToListAsync(cancellationToken));
}
