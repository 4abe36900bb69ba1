using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;
using Quartz;

namespace Psd2.Worker.Scheduling;

/// <summary>Counts every job's runs and failures in psd2db, with its last run and next fire time, for the api's scheduler view.</summary>
public sealed class JobStatsListener(IServiceScopeFactory scopes, WorkerIdentity worker, ILogger<JobStatsListener> logger) : IJobListener
{
    public string Name => "job-stats";

    public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken)
    {
        var failed = jobException is not null;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
            var job = context.JobDetail.Key.Name;
            DateTimeOffset startedAt = context.FireTimeUtc;
            var finishedAt = startedAt + context.JobRunTime;
            var outcome = failed ? "failed" : "succeeded";
            // The exception's type only: messages can carry data the logs keep to themselves.
            var error = jobException?.InnerException?.GetType().Name ?? jobException?.GetType().Name;
            DateTimeOffset? nextFireAt = context.NextFireTimeUtc;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO scheduler_job_stats AS s (job, runs, failures, last_started_at, last_finished_at, last_outcome, last_error, last_worker, next_fire_at)
                VALUES ({job}, 1, {(failed ? 1 : 0)}, {startedAt}, {finishedAt}, {outcome}, {error}, {worker.Name}, {nextFireAt})
                ON CONFLICT (job) DO UPDATE SET runs = s.runs + 1, failures = s.failures + excluded.failures,
                    last_started_at = excluded.last_started_at, last_finished_at = excluded.last_finished_at, last_outcome = excluded.last_outcome,
                    last_error = excluded.last_error, last_worker = excluded.last_worker, next_fire_at = excluded.next_fire_at
                """, cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or DbUpdateException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Recording the run of job {Job} failed", context.JobDetail.Key.Name);
        }
    }

    public ValueTask JobProgressChanged(IJobExecutionContext context, Quartz.Extensibility.FireInstanceProgress progress, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
