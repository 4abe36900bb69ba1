using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.ClientApps;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;
using Psd2.Core.Refresh;

namespace Psd2.Api.Schedules;

public sealed record ConnectionJobRunResponse(string Kind, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Outcome, string? ErrorCode, Guid? SyncRunId);

/// <summary>What the worker does for one connection: its next unattended refresh, today's budget, its consent checks, and how its last runs went.</summary>
public sealed record ConnectionScheduleResponse(
    Guid ConnectionId, string Status, DateTimeOffset? NextRefreshAt, string? RefreshReason, DateOnly BankDay, int ReadsUsedToday, int ReadsAllowedToday,
    DateTimeOffset? NextConsentCheckAt, DateTimeOffset? ConsentCheckedAt, DateTimeOffset? LastSyncedAt,
    IReadOnlyList<ConnectionJobRunResponse> LastRuns, ConnectionJobRunResponse? LastFailure);

public sealed record SchedulerJobResponse(
    string Job, long Runs, long Failures, DateTimeOffset? LastStartedAt, DateTimeOffset? LastFinishedAt, string? LastOutcome, string? LastError, DateTimeOffset? NextFireAt);

/// <summary>The worker's schedules as clients see them: per connection (their own only), and the scheduler's jobs overall.</summary>
public static class SchedulesApi
{
    private const int RunsShown = 20;

    public static void AddSchedules(this WebApplicationBuilder builder)
    {
        builder.Services.AddRefreshCalendar();
    }

    public static void MapSchedulesApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/connections/{connectionId:guid}/schedule", GetConnectionScheduleAsync).WithTags("Schedules").WithName("GetConnectionSchedule")
            .WithSummary("The connection's next unattended refresh, the unattended reads used and allowed on the bank's current day, its consent checks, and the worker's last runs for it.");
        v1.MapGet("/scheduler/jobs", ListJobsAsync).WithTags("Schedules").WithName("ListSchedulerJobs")
            .WithSummary("The worker's scheduled jobs: runs, failures, last and next fire times, across every worker replica.");
    }

    private static async Task<Results<Ok<ConnectionScheduleResponse>, ApiProblem<NotFound404>>> GetConnectionScheduleAsync(
        Guid connectionId, Caller caller, Psd2DbContext db, RefreshCalendar calendar, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = await db.Connections.AsNoTracking().OwnedBy(caller.ClientAppId).SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is null)
        {
            return ApiProblems.NotFound("connection");
        }

        var bankDay = calendar.For(connection.InstitutionId).Days.DayOf(time.GetUtcNow());
        var budget = await db.RefreshBudgets.AsNoTracking().SingleOrDefaultAsync(b => b.ConnectionId == connectionId && b.BankDay == bankDay, cancellationToken);
        var runs = await db.ConnectionJobRuns.AsNoTracking().Where(r => r.ConnectionId == connectionId)
            .OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(RunsShown).ToListAsync(cancellationToken);
        var lastFailure = await db.ConnectionJobRuns.AsNoTracking().Where(r => r.ConnectionId == connectionId && r.Outcome == JobOutcome.Failed)
            .OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new ConnectionScheduleResponse(
            connection.Id, connection.Status, connection.NextRefreshAt, connection.RefreshReason, bankDay, budget?.Used ?? 0, budget?.Allowed ?? connection.FrequencyPerDay,
            connection.NextConsentCheckAt, connection.ConsentCheckedAt, connection.LastSyncedAt,
            runs.Select(View).ToList(), lastFailure is null ? null : View(lastFailure)));
    }

    private static async Task<Ok<List<SchedulerJobResponse>>> ListJobsAsync(Psd2DbContext db, CancellationToken cancellationToken)
    {
        var jobs = await db.SchedulerJobStats.AsNoTracking().OrderBy(s => s.Job).ToListAsync(cancellationToken);
        return TypedResults.Ok(jobs.Select(s => new SchedulerJobResponse(s.Job, s.Runs, s.Failures, s.LastStartedAt, s.LastFinishedAt, s.LastOutcome, s.LastError, s.NextFireAt)).ToList());
    }

    private static ConnectionJobRunResponse View(ConnectionJobRun r) => new(r.Kind, r.StartedAt, r.FinishedAt, r.Outcome, r.ErrorCode, r.SyncRunId);
}
