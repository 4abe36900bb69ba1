using System.Net;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Core.Connections;
using Psd2.Core.Jobs;
using Psd2.Core.Persistence;
using Psd2.Core.Security;
using Psd2.Core.Sync;
using Psd2.ServiceDefaults.RequestIds;

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

    public static void MapSyncApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/connections/{connectionId:guid}/refresh", RefreshAsync).WithTags("Sync").WithName("RefreshConnection")
            .WithSummary("Syncs the connection's accounts, balances and transactions now, with the end user present (psuIpAddress): uses none of the daily unattended budget.");
        app.MapGet("/v1/connections/{connectionId:guid}/sync-runs", ListAsync).WithTags("Sync").WithName("ListSyncRuns");
        app.MapGet("/v1/sync-runs/{syncRunId:guid}", GetAsync).WithTags("Sync").WithName("GetSyncRun");
    }

    private static async Task<IResult> RefreshAsync(
        Guid connectionId, RefreshRequest request, HttpContext context, Psd2DbContext db, ConnectionSync sync, IBackgroundJobClient jobs, TokenProtector protector)
    {
        var connection = await db.Connections.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == connectionId && c.ClientAppId == context.ClientAppId(), context.RequestAborted);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        if (request.PsuIpAddress is null || !IPAddress.TryParse(request.PsuIpAddress, out var ip))
        {
            return ApiProblems.Invalid("psuIpAddress", "The end user's IP address (IPv4 or IPv6): the bank then counts the read as user-present.");
        }

        if (connection.Status is not (ConnectionStatus.Active or ConnectionStatus.RenewalDue))
        {
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "connection_not_active", $"The connection is {connection.Status}; only an active one can be synced.");
        }

        var run = sync.Queue(connection, userPresent: true, context.RequestId());
        await db.SaveChangesAsync(context.RequestAborted);
        UserPresentSyncJob.Enqueue(jobs, protector, run, ip.ToString());
        return TypedResults.Accepted($"/v1/sync-runs/{run.Id}", SyncRunResponse.Of(run));
    }

    private static async Task<IResult> GetAsync(Guid syncRunId, HttpContext context, Psd2DbContext db) =>
        await db.SyncRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == syncRunId && r.ClientAppId == context.ClientAppId(), context.RequestAborted) is { } run
            ? TypedResults.Ok(SyncRunResponse.Of(run))
            : ApiProblems.NotFound("sync run");

    private static async Task<IResult> ListAsync(Guid connectionId, HttpContext context, Psd2DbContext db)
    {
        var clientAppId = context.ClientAppId();
        if (!await db.Connections.AnyAsync(c => c.Id == connectionId && c.ClientAppId == clientAppId, context.RequestAborted))
        {
            return ApiProblems.NotFound("connection");
        }

        var runs = await db.SyncRuns.AsNoTracking().Where(r => r.ConnectionId == connectionId)
            .OrderByDescending(r => r.CreatedAt).Take(50).ToListAsync(context.RequestAborted);
        return TypedResults.Ok(runs.Select(SyncRunResponse.Of).ToList());
    }
}
