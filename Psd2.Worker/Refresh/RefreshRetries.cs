using Hangfire.States;
using Microsoft.Extensions.Options;
using Psd2.Core.Jobs;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

/// <summary>
/// Hangfire's retry for <see cref="UnattendedRefreshJob"/>, on the worker's settings: a failed attempt is scheduled again
/// after <see cref="WorkerOptions.RefreshRetryDelayBefore"/> up to <see cref="WorkerOptions.RefreshRetries"/> times, then
/// the job stays Failed. The job reads the same count (<see cref="JobRetries"/>) to know whether it is the last attempt.
/// </summary>
public sealed class RefreshRetries(IOptions<WorkerOptions> options) : IElectStateFilter
{
    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed || context.BackgroundJob.Job?.Type != typeof(UnattendedRefreshJob))
        {
            return;
        }

        var retries = context.GetJobParameter<int>(JobRetries.Parameter);
        if (retries >= options.Value.RefreshRetries)
        {
            return;
        }

        context.SetJobParameter(JobRetries.Parameter, retries + 1);
        context.CandidateState = new ScheduledState(options.Value.RefreshRetryDelayBefore(retries))
        {
            Reason = $"Retry {retries + 1} of {options.Value.RefreshRetries}: {failed.Exception.Message}",
        };
    }
}
