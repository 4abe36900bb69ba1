using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Psd2.Api.ClientApps;
using Psd2.Api.Connections;
using Psd2.Core.Security;
using Psd2.Core.Accounts;
using Psd2.Core.Banking;
using Psd2.Core.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Events;
using Psd2.Core.Persistence;
using Psd2.Core.Users;

namespace Psd2.Api.Users;

public sealed record CreateUserRequest(string? ExternalReference);

public sealed record UserResponse(Guid Id, string ExternalReference, DateTimeOffset CreatedAt);

public sealed record UserPage(IReadOnlyList<UserResponse> Items, string? NextCursor);

/// <summary>A client app's end users: created idempotently on the app's own reference, read, listed, erased.</summary>
public static class UsersApi
{
    private const int MaxReferenceLength = 200;

    public static void MapUsersApi(this RouteGroupBuilder v1)
    {
        var users = v1.MapGroup("/users").WithTags("Users");
        users.MapPost("/", CreateAsync).WithName("CreateUser").WithSummary("Creates a user, or returns the existing one with this externalReference.");
        users.MapGet("/{userId:guid}", GetAsync).WithName("GetUser").WithSummary("One user.");
        users.MapGet("/", ListAsync).WithName("ListUsers").WithSummary("The client app's users, oldest first, paged by cursor.");
        users.MapDelete("/{userId:guid}", DeleteAsync).WithName("DeleteUser").WithSummary("Erases a user and everything held for them; an audit record without personal data stays.");
    }

    private static async Task<Results<Ok<UserResponse>, Created<UserResponse>, ApiProblem<BadRequest400>>> CreateAsync(
        CreateUserRequest request, Caller caller, Psd2DbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var reference = request.ExternalReference?.Trim();
        if (string.IsNullOrEmpty(reference))
        {
            return ApiProblems.Invalid("externalReference", $"Required, at most {MaxReferenceLength} characters.");
        }

        if (TextInput.Check("externalReference", reference, MaxReferenceLength) is { } invalid)
        {
            return new ApiProblem<BadRequest400>(invalid);
        }

        var clientAppId = caller.ClientAppId;
        if (await FindByReferenceAsync(db, clientAppId, reference, cancellationToken) is { } existing)
        {
            return TypedResults.Ok(View(existing));
        }

        var user = new EndUser { Id = Guid.NewGuid(), ClientAppId = clientAppId, ExternalReference = reference, CreatedAt = time.GetUtcNow() };
        db.Users.Add(user);
        db.AuditEvents.Add(AuditRecords.For(caller, time, "user.created", user.Id));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Two creates raced on the same reference: the other one won, and this call answers with its user.
            db.ChangeTracker.Clear();
            return TypedResults.Ok(View((await FindByReferenceAsync(db, clientAppId, reference, cancellationToken))!));
        }

        return TypedResults.Created($"/v1/users/{user.Id}", View(user));
    }

    /// <summary>One user of the client app, read straight through Npgsql: the cheapest authenticated read, and a hot one.</summary>
    private static async Task<Results<Ok<UserResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid userId, Caller caller, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT external_reference, created_at FROM users WHERE id = $1 AND client_app_id = $2");
        command.Parameters.Add(new() { Value = userId });
        command.Parameters.Add(new() { Value = caller.ClientAppId });
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        return await row.ReadAsync(cancellationToken)
            ? TypedResults.Ok(new UserResponse(userId, row.GetString(0), row.GetFieldValue<DateTimeOffset>(1)))
            : ApiProblems.NotFound("user");
    }

    /// <param name="limit">Users per page, 1 to 200; 50 by default.</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    private static async Task<Results<Ok<UserPage>, ApiProblem<BadRequest400>>> ListAsync(
        Caller caller, Psd2DbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 200)
        {
            return ApiProblems.Invalid("limit", "Between 1 and 200.");
        }

        var query = db.Users.AsNoTracking().OwnedBy(caller.ClientAppId);
        if (cursor is not null)
        {
            if (!CreatedCursor.TryRead(cursor, out var createdAt, out var id))
            {
                return ApiProblems.BadRequest("cursor_invalid", "The cursor is not one this API issued.");
            }

            query = query.Where(u => u.CreatedAt > createdAt || (u.CreatedAt == createdAt && u.Id.CompareTo(id) > 0));
        }

        var size = limit ?? 50;
        var page = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = page.Count > size ? CreatedCursor.Write(page[size - 1].CreatedAt, page[size - 1].Id) : null;
        return TypedResults.Ok(new UserPage(page.Take(size).Select(View).ToList(), next));
    }

    private static async Task<Results<NoContent, ApiProblem<NotFound404>, ApiProblem<BadGateway502>>> DeleteAsync(
        Guid userId, Caller caller, Psd2DbContext db, BankClients banks, TokenProtector protector, IAccountCache cache, TimeProvider time, CancellationToken cancellationToken)
    {
        var user = await db.Users.OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return ApiProblems.NotFound("user");
        }

        // The consents go first: if a bank cannot be reached, nothing is deleted and the client can retry.
        var connections = await db.Connections.Where(c => c.UserId == userId && c.BankConsentId != null).ToListAsync(cancellationToken);
        foreach (var connection in connections.Where(ConsentTermination.HoldsConsent))
        {
            try
            {
                await ConsentTermination.TerminateAsync(banks.Connector(connection.InstitutionId), protector.ConsentOf(connection), cancellationToken);
            }
            catch (ConnectorException)
            {
                return new ApiProblem<BadGateway502>(new(StatusCodes.Status502BadGateway, "bank_unavailable",
                    "A consent could not be revoked at the bank; nothing was deleted. Try again."));
            }

            db.AuditEvents.Add(AuditRecords.For(caller, time, "connection.revoked", user.Id, connection.Id));
            connection.SetStatus(ConnectionStatus.Revoked, "user_deleted", time.GetUtcNow());
            db.PlatformEvents.Add(ConnectionEvents.StatusChanged(time, connection));
        }

        // Erasure: the person goes, the fact that an erasure happened stays, without the external reference.
        var accounts = await db.Accounts.Where(a => a.UserId == userId).Select(a => a.Id).ToListAsync(cancellationToken);
        db.Users.Remove(user);
        db.AuditEvents.Add(AuditRecords.For(caller, time, "user.deleted", user.Id));
        await db.SaveChangesAsync(cancellationToken);
        await cache.InvalidateAsync(accounts, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static Task<EndUser?> FindByReferenceAsync(Psd2DbContext db, Guid clientAppId, string reference, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().OwnedBy(clientAppId).SingleOrDefaultAsync(u => u.ExternalReference == reference, cancellationToken);

    private static UserResponse View(EndUser user) => new(user.Id, user.ExternalReference, user.CreatedAt);
}
