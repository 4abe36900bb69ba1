using System.Diagnostics;
using Hangfire.Server;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;

namespace Psd2.Worker.Scheduling;

/// <summary>
/// Counts every recurring job's runs and failures in psd2db, with its last run and next fire time, for the api's
/// scheduler view (<c>GET /v1/scheduler/jobs</c>); Hangfire's own dashboard shows each run.
/// </summary>
public sealed class JobStatsFilter(IServiceScopeFactory scopes, WorkerIdentity worker, ILogger<JobStatsFilter> logger) : IServerFilter
{
    private const string StartedItem = "Psd2.StartedAt";

    public void OnPerforming(PerformingContext context) => context.Items[StartedItem] = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());

    public void OnPerformed(PerformedContext context)
    {
        var job = context.GetJobParameter<string>("RecurringJobId");
        if (job is null || !context.Items.TryGetValue(StartedItem, out var item) || item is not (DateTimeOffset startedAt, long started))
        {
            return;
        }

        var failed = context.Exception is not null && !context.ExceptionHandled && context.Exception is not OperationCanceledException;
        var finishedAt = startedAt + Stopwatch.GetElapsedTime(started);
        var outcome = failed ? "failed" : "succeeded";
        // The exception's type only: messages can carry data the logs keep to themselves.
        var error = failed ? (context.Exception!.InnerException ?? context.Exception).GetType().Name : null;
        try
        {
            var nextFireAt = context.Connection.GetRecurringJobs([job]).SingleOrDefault()?.NextExecution is { } next
                ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            using var scope = scopes.CreateScope();
            scope.ServiceProvider.GetRequiredService<Psd2DbContext>().Database.ExecuteSql($"""
                INSERT INTO scheduler_job_stats AS s (job, runs, failures, last_started_at, last_finished_at, last_outcome, last_error, last_worker, next_fire_at)
                VALUES ({job}, 1, {(failed ? 1 : 0)}, {startedAt}, {finishedAt}, {outcome}, {error}, {worker.Name}, {nextFireAt})
                ON CONFLICT (job) DO UPDATE SET runs = s.runs + 1, failures = s.failures + excluded.failures,
                    last_started_at = excluded.last_started_at, last_finished_at = excluded.last_finished_at, last_outcome = excluded.last_outcome,
                    last_error = excluded.last_error, last_worker = excluded.last_worker, next_fire_at = excluded.next_fire_at
                """);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or DbUpdateException or InvalidOperationException)
        {
            logger.LogWarning(e, "Recording the run of job {Job} failed", job);
        }
    }
}
