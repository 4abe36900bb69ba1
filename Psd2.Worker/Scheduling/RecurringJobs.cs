using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using Psd2.Core.Jobs;

namespace Psd2.Worker.Scheduling;

/// <summary>A job the worker runs on a schedule; one instance per run, in a scope of its own.</summary>
public interface IRecurringWorkerJob
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>One recurring job a feature declares: its id, queue and interval.</summary>
public sealed record RecurringWorkerJob(Type JobType, string Id, string Queue, Func<WorkerOptions, TimeSpan> Interval);

/// <summary>
/// The recurring jobs every feature declared, handed to Hangfire when the worker starts (every replica does it; the
/// update is idempotent), and those no longer declared removed. Hangfire's scheduler, on whichever replica holds its lock, enqueues each at its interval.
/// </summary>
public sealed class RecurringJobs(IEnumerable<RecurringWorkerJob> jobs, IRecurringJobManager manager, JobStorage storage, IOptions<WorkerOptions> options)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A job a previous version declared and this one does not is removed, so it stops firing.
        using (var connection = storage.GetConnection())
        {
            foreach (var stale in connection.GetRecurringJobs().Select(j => j.Id).Except(jobs.Select(j => j.Id)))
            {
                manager.RemoveIfExists(stale);
            }
        }

        foreach (var job in jobs)
        {
            var run = new Hangfire.Common.Job(job.JobType, job.JobType.GetMethod(nameof(IRecurringWorkerJob.RunAsync))!, [CancellationToken.None], job.Queue);
            manager.AddOrUpdate(job.Id, run, Cron(job.Interval(options.Value)), new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The cron expression (seconds included when needed) that fires every <paramref name="interval"/>.</summary>
    public static string Cron(TimeSpan interval) =>
        TryCron(interval, out var cron) ? cron : throw new ArgumentException($"{interval} is not whole seconds dividing a minute, whole minutes dividing an hour, or whole hours dividing a day.");

    public static bool TryCron(TimeSpan interval, out string cron)
    {
        var seconds = interval.Ticks / TimeSpan.TicksPerSecond;
        cron = interval.Ticks % TimeSpan.TicksPerSecond != 0 || seconds <= 0 ? ""
            : seconds < 60 ? (60 % seconds == 0 ? $"*/{seconds} * * * * *" : "")
            : seconds < 3600 ? (seconds % 60 == 0 && 3600 % seconds == 0 ? $"0 */{seconds / 60} * * * *" : "")
            : seconds <= 86400 && seconds % 3600 == 0 && 86400 % seconds == 0 ? $"0 0 */{seconds / 3600} * * *" : "";
        return cron.Length > 0;
    }
}

public static class RecurringJobsExtensions
{
    /// <summary>Declares a recurring job (registered as scoped, run on <paramref name="queue"/> every <paramref name="interval"/>).</summary>
    public static void AddRecurringJob<TJob>(this IHostApplicationBuilder builder, string id, Func<WorkerOptions, TimeSpan> interval, string queue = JobQueues.Maintenance)
        where TJob : class, IRecurringWorkerJob
    {
        builder.Services.AddScoped<TJob>();
        builder.Services.AddSingleton(new RecurringWorkerJob(typeof(TJob), id, queue, interval));
    }
}
