using Microsoft.Extensions.Options;
using Quartz;

namespace Psd2.Worker.Scheduling;

/// <summary>One recurring job a feature declares; <see cref="SchedulingExtensions.AddScheduling"/> hands them all to Quartz.</summary>
public sealed record WorkerJob(Type JobType, string Name, Func<WorkerOptions, TimeSpan> Interval, string Description);

public static class SchedulingExtensions
{
    private const string JobsKey = "Psd2.Worker.Jobs";

    /// <summary>The Quartz instance name every replica shares: one cluster.</summary>
    public const string SchedulerName = "psd2-worker";

    /// <summary>Declares a recurring job; call before <see cref="AddScheduling"/>.</summary>
    public static void AddWorkerJob<TJob>(this WebApplicationBuilder builder, string name, Func<WorkerOptions, TimeSpan> interval, string description)
        where TJob : class, IJob
    {
        var jobs = (List<WorkerJob>)(((IHostApplicationBuilder)builder).Properties.TryGetValue(JobsKey, out var list) ? list : ((IHostApplicationBuilder)builder).Properties[JobsKey] = new List<WorkerJob>());
        jobs.Add(new WorkerJob(typeof(TJob), name, interval, description));
    }

    /// <summary>
    /// Quartz with its ADO store on psd2db, clustered: every replica uses the same instance name and its own
    /// generated id, checks in at <see cref="WorkerOptions.ClusterCheckinInterval"/>, and recovers the jobs of a
    /// replica that stops checking in. The declared jobs each get one trigger at their interval; /health includes
    /// the scheduler.
    /// </summary>
    public static void AddScheduling(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        builder.Services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(WorkerIdentity.ThisProcess());
        var connectionString = builder.Configuration.GetConnectionString("psd2db")
            ?? throw new InvalidOperationException("ConnectionStrings:psd2db is required.");
        var jobs = ((IHostApplicationBuilder)builder).Properties.TryGetValue(JobsKey, out var declared) ? (List<WorkerJob>)declared : [];

        // A named scheduler, so that its own clock stays its own: triggers, check-ins and misfires run on real time,
        // while the container's TimeProvider (business time, the test clock in tests) is left to the jobs. A jump of
        // days on the test clock must not look like a day of misfires or a cluster of dead nodes.
        builder.Services.AddQuartz(SchedulerName, q =>
        {
            q.ConfigureScheduler(s => s.InstanceName = SchedulerName);
            q.UseTimeProvider(TimeProvider.System);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(c =>
                {
                    c.CheckinInterval = options.ClusterCheckinInterval;
                    c.CheckinMisfireThreshold = options.ClusterCheckinInterval * 2;
                });
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = "qrtz_";
                    s.SchemaProvisioning = SchemaProvisioning.CreateIfMissing;
                });
            });
            q.AddJobListener<JobStatsListener>([]);
            foreach (var job in jobs)
            {
                q.AddJob(job.JobType, j => j.WithIdentity(job.Name).WithDescription(job.Description).StoreDurably().RequestRecovery());
                q.AddTrigger(t => t.WithIdentity(job.Name).ForJob(job.Name).StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(job.Interval(options)).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            }

            q.AddQuartzHealthChecks(_ => { });
        });
        builder.Services.AddQuartzHostedService(SchedulerName, o => o.WaitForJobsToComplete = true);
    }
}
