using Hangfire.States;
using Microsoft.Extensions.Options;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

/// <summary>
/// Hangfire's retry for <see cref="UnattendedRefreshJob"/>, on the worker's settings: a failed attempt is scheduled again
/// after <see cref="WorkerOptions.RefreshRetryDelayBefore"/> up to <see cref="WorkerOptions.RefreshRetries"/> times, then
/// the job stays Failed. The job reads the same <see cref="RetryCount"/> parameter to know whether it is the last attempt.
/// </summary>
public sealed class RefreshRetries(IOptions<WorkerOptions> options) : IElectStateFilter
{
    /// <summary>Hangfire's own name for the number of retries so far, shown on the dashboard's job page.</summary>
    public const string RetryCount = "RetryCount";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed || context.BackgroundJob.Job?.Type != typeof(UnattendedRefreshJob))
        {
            return;
        }

        var retries = context.GetJobParameter<int>(RetryCount);
        if (retries >= options.Value.RefreshRetries)
        {
            return;
        }

        context.SetJobParameter(RetryCount, retries + 1);
        context.CandidateState = new ScheduledState(options.Value.RefreshRetryDelayBefore(retries))
        {
            Reason = $"Retry {retries + 1} of {options.Value.RefreshRetries}: {failed.Exception.Message}",
        };
    }
}
