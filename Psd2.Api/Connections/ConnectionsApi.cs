using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.Banking;
using Psd2.Api.ClientApps;
using Psd2.Core.Security;
using Psd2.Core.Accounts;
using Psd2.Core.Banking;
using Psd2.Core.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;

namespace Psd2.Api.Connections;

/// <summary>Bank connections of a client app's users: started, read, checked at the bank, renewed and deleted.</summary>
public static class ConnectionsApi
{
    public static void MapConnectionsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/users/{userId:guid}/connections", CreateAsync).WithTags("Connections").WithName("CreateConnection")
            .WithSummary("Creates a consent at the bank: returns where to send the user (redirect) or starts BankID on the user's phone (decoupled).");
        v1.MapGet("/users/{userId:guid}/connections", ListAsync).WithTags("Connections").WithName("ListConnections")
            .WithSummary("The user's connections, oldest first.");
        var connections = v1.MapGroup("/connections/{connectionId:guid}").WithTags("Connections");
        connections.MapGet("/", GetAsync).WithName("GetConnection").WithSummary("One connection, with its accounts.");
        connections.MapPost("/verify", VerifyAsync).WithName("VerifyConnection")
            .WithSummary("Reads the consent's status at the bank now (free of the daily access budget) and updates the connection.");
        connections.MapPost("/renew", RenewAsync).WithName("RenewConnection")
            .WithSummary("Starts a new consent and SCA for the same user and bank; once authorised, the old consent is terminated and account ids stay.");
        connections.MapDelete("/", DeleteAsync).WithName("DeleteConnection")
            .WithSummary("Terminates the consent at the bank, then keeps the connection as revoked, or with purge=true erases it and its accounts.");
    }

    private static async Task<Results<Created<ConnectionResponse>, ApiProblem<NotFound404>, ApiProblem<BadRequest400, Unprocessable422, BadGateway502>>> CreateAsync(
        Guid userId, CreateConnectionRequest request, Caller caller, Psd2DbContext db, ConnectionStarter starter, CancellationToken cancellationToken)
    {
        if (!await db.Users.OwnedBy(caller.ClientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        var (started, error) = await starter.StartAsync(caller.ClientAppId, userId, request.ToRequest(), caller.RequestId, cancellationToken);
        return started is null ? new ApiProblem<BadRequest400, Unprocessable422, BadGateway502>(error!) : Created(started);
    }

    private static async Task<Results<Created<ConnectionResponse>, ApiProblem<NotFound404>, ApiProblem<Conflict409>, ApiProblem<BadRequest400, Unprocessable422, BadGateway502>>> RenewAsync(
        Guid connectionId, RenewConnectionRequest? request, Caller caller, Psd2DbContext db, ConnectionStarter starter, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        if (connection.ReplacedByConnectionId is not null || !(connection.IsLive || connection.Status is ConnectionStatus.Expired or ConnectionStatus.Revoked))
        {
            return ApiProblems.Conflict("connection_not_renewable",
                "Only an active, renewal_due, expired or revoked connection that has not been renewed already can be renewed.");
        }

        var flow = request?.Flow ?? connection.Flow;
        var renewal = new ConnectionRequest(
            connection.InstitutionId, flow, request?.RedirectUri ?? connection.RedirectUri,
            request?.PsuId ?? (flow == connection.Flow ? connection.PsuId : null), request?.ValidDays, request?.FrequencyPerDay ?? connection.FrequencyPerDay,
            request?.Access ?? connection.Access);
        var (started, error) = await starter.StartAsync(connection.ClientAppId, connection.UserId, renewal, caller.RequestId, cancellationToken, renews: connection);
        return started is null ? new ApiProblem<BadRequest400, Unprocessable422, BadGateway502>(error!) : Created(started);
    }

    private static Created<ConnectionResponse> Created(StartedConnection started) =>
        TypedResults.Created($"/v1/connections/{started.Connection.Id}", ConnectionResponse.Of(started.Connection, [], started.AuthorisationUrl));

    private static async Task<Results<Ok<ConnectionResponse>, ApiProblem<NotFound404>, ApiProblem<Unprocessable422, BadGateway502>>> VerifyAsync(
        Guid connectionId, Caller caller, Psd2DbContext db, ConsentChecks checks, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        try
        {
            await checks.CheckAsync(connection, caller.RequestId, cancellationToken);
        }
        catch (ConnectorException e)
        {
            return new ApiProblem<Unprocessable422, BadGateway502>(BankCalls.Describe(e));
        }

        return TypedResults.Ok(await ViewAsync(db, connection, cancellationToken));
    }

    private static async Task<Results<NoContent, ApiProblem<NotFound404>, ApiProblem<Unprocessable422, BadGateway502>>> DeleteAsync(
        Guid connectionId, bool? purge, Caller caller, Psd2DbContext db, BankClients banks, TokenProtector protector, IAccountCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        // The consent goes first: if the bank cannot be reached, nothing changes and the client can retry.
        if (ConsentTermination.HoldsConsent(connection))
        {
            try
            {
                await ConsentTermination.TerminateAsync(banks.Connector(connection.InstitutionId), protector.ConsentOf(connection), cancellationToken);
            }
            catch (ConnectorException e)
            {
                return new ApiProblem<Unprocessable422, BadGateway502>(
                    BankCalls.Describe(e) with { Title = "The consent could not be terminated at the bank; nothing was changed. Try again." });
            }

            db.AuditEvents.Add(AuditRecords.For(caller, time, "connection.revoked", connection.UserId, connection.Id));
        }

        if (!connection.IsFinal)
        {
            connection.SetStatus(ConnectionStatus.Revoked, "deleted_by_client", time.GetUtcNow());
            db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
        }

        List<Guid> purged = [];
        if (purge == true)
        {
            purged = await db.Accounts.Where(a => a.ConnectionId == connection.Id).Select(a => a.Id).ToListAsync(cancellationToken);
            await db.Accounts.Where(a => a.ConnectionId == connection.Id).ExecuteDeleteAsync(cancellationToken);
            db.Connections.Remove(connection);
        }
        else
        {
            connection.AccessTokenCipher = null;
            connection.RefreshTokenCipher = null;
            connection.NextPollAt = null;
        }

        db.AuditEvents.Add(AuditRecords.For(caller, time, "connection.deleted", connection.UserId, connection.Id, new { purged = purge == true }));
        await db.SaveChangesAsync(cancellationToken);
        await cache.InvalidateAsync(purged, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ConnectionResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid connectionId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken) =>
        await db.Connections.AsNoTracking().OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken) is { } connection
            ? TypedResults.Ok(await ViewAsync(db, connection, cancellationToken))
            : ApiProblems.NotFound("connection");

    private static async Task<Results<Ok<List<ConnectionResponse>>, ApiProblem<NotFound404>>> ListAsync(
        Guid userId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Users.OwnedBy(caller.ClientAppId).AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return ApiProblems.NotFound("user");
        }

        var connections = await db.Connections.AsNoTracking().OwnedBy(caller.ClientAppId).Where(c => c.UserId == userId)
            .OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken);
        var accounts = await db.Accounts.AsNoTracking().OwnedBy(caller.ClientAppId).Where(a => a.UserId == userId).ToListAsync(cancellationToken);
        return TypedResults.Ok(connections.Select(c => ConnectionResponse.Of(c, accounts)).ToList());
    }

    private static async Task<ConnectionResponse> ViewAsync(Psd2DbContext db, Connection connection, CancellationToken cancellationToken) =>
        ConnectionResponse.Of(connection, await db.Accounts.AsNoTracking().Where(a => a.ConnectionId == connection.Id).ToListAsync(cancellationToken));
}
