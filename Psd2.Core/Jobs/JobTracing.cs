using System.Diagnostics;
using Hangfire.Client;
using Hangfire.Server;

namespace Psd2.Core.Jobs;

/// <summary>
/// Each job run is a trace span (<see cref="SourceName"/>); a job enqueued inside a traced operation (a user's refresh
/// request) carries its trace context, so the run continues that trace: the request, the sync, its bank calls and its
/// writes are one trace.
/// </summary>
public sealed class JobTracing : IClientFilter, IServerFilter
{
    public const string SourceName = "Psd2.Jobs";
    private const string TraceParent = "traceparent";
    private const string ActivityItem = "Psd2.Activity";
    private static readonly ActivitySource Source = new(SourceName);

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current?.Id is { } parent)
        {
            context.SetJobParameter(TraceParent, parent);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        var parent = context.GetJobParameter<string>(TraceParent);
        var job = context.BackgroundJob.Job;
        var activity = ActivityContext.TryParse(parent, null, out var parentContext)
            ? Source.StartActivity($"job {job.Type.Name}.{job.Method.Name}", ActivityKind.Consumer, parentContext)
            : Source.StartActivity($"job {job.Type.Name}.{job.Method.Name}", ActivityKind.Consumer);
        activity?.SetTag("hangfire.job.id", context.BackgroundJob.Id);
        context.Items[ActivityItem] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            if (context.Exception is { } exception && !context.ExceptionHandled)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            }

            activity.Dispose();
        }
    }
}
