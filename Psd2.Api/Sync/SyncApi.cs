using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Core.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Jobs;
using Psd2.Core.Persistence;
using Psd2.Core.Security;
using Psd2.Core.Sync;

namespace Psd2.Api.Sync;

public sealed record RefreshRequest(string? PsuIpAddress);

public sealed record SyncRunResponse(
    Guid Id, Guid ConnectionId, string Status, bool UserPresent, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    int AccountsSynced, int AccountsFailed, int TransactionsAdded, int TransactionsUpdated, int TransactionsRemoved, string? ErrorCode, DateTimeOffset? NextAllowedAt)
{
    public static SyncRunResponse Of(SyncRun r) => new(
        r.Id, r.ConnectionId, r.Status, r.UserPresent, r.CreatedAt, r.StartedAt, r.FinishedAt, r.AccountsSynced, r.AccountsFailed,
        r.TransactionsAdded, r.TransactionsUpdated, r.TransactionsRemoved, r.ErrorCode, r.NextAllowedAt);
}

/// <summary>Refreshing a connection's data with the end user present, and reading how sync runs went.</summary>
public static class SyncApi
{
    public static void AddSync(this WebApplicationBuilder builder)
    {
        builder.Services.AddSyncLifecycle();
        // Only enqueues: the worker runs the syncs. A few connections suffice for creating jobs.
        builder.AddBackgroundJobs(connections: 4);
    }

    public static void MapSyncApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/connections/{connectionId:guid}/refresh", RefreshAsync).WithTags("Sync").WithName("RefreshConnection")
            .WithSummary("Syncs the connection's accounts, balances and transactions now, with the end user present (psuIpAddress): uses none of the daily unattended budget.");
        v1.MapGet("/connections/{connectionId:guid}/sync-runs", ListAsync).WithTags("Sync").WithName("ListSyncRuns")
            .WithSummary("The connection's last 50 sync runs, newest first.");
        v1.MapGet("/sync-runs/{syncRunId:guid}", GetAsync).WithTags("Sync").WithName("GetSyncRun").WithSummary("One sync run: its status and what it changed.");
    }

    private static async Task<Results<Accepted<SyncRunResponse>, ApiProblem<NotFound404>, ApiProblem<BadRequest400>, ApiProblem<Conflict409>>> RefreshAsync(
        Guid connectionId, RefreshRequest request, Caller caller, Psd2DbContext db, ConnectionSync sync, IBackgroundJobClient jobs, TokenProtector protector,
        CancellationToken cancellationToken)
    {
        var connection = await db.Connections.AsNoTracking().OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        if (request.PsuIpAddress is null || !IPAddress.TryParse(request.PsuIpAddress, out var ip))
        {
            return ApiProblems.Invalid("psuIpAddress", "The end user's IP address (IPv4 or IPv6): the bank then counts the read as user-present.");
        }

        if (!connection.IsLive)
        {
            return ApiProblems.Conflict("connection_not_active", $"The connection is {connection.Status}; only an active one can be synced.");
        }

        var run = sync.Queue(connection, userPresent: true, caller.RequestId);
        await db.SaveChangesAsync(cancellationToken);
        UserPresentSyncJob.Enqueue(jobs, protector, run, ip.ToString());
        return TypedResults.Accepted($"/v1/sync-runs/{run.Id}", SyncRunResponse.Of(run));
    }

    private static async Task<Results<Ok<SyncRunResponse>, ApiProblem<NotFound404>>> GetAsync(
        Guid syncRunId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken) =>
        await db.SyncRuns.AsNoTracking().OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(r => r.Id == syncRunId, cancellationToken) is { } run
            ? TypedResults.Ok(SyncRunResponse.Of(run))
            : ApiProblems.NotFound("sync run");

    private static async Task<Results<Ok<List<SyncRunResponse>>, ApiProblem<NotFound404>>> ListAsync(
        Guid connectionId, Caller caller, Psd2DbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Connections.OwnedBy(caller.ClientAppId).AnyAsync(c => c.Id == connectionId, cancellationToken))
        {
            return ApiProblems.NotFound("connection");
        }

        var runs = await db.SyncRuns.AsNoTracking().Where(r => r.ConnectionId == connectionId)
            .OrderByDescending(r => r.CreatedAt).Take(50).ToListAsync(cancellationToken);
        return TypedResults.Ok(runs.Select(SyncRunResponse.Of).ToList());
    }
}
