using Hangfire.Server;

namespace Psd2.Core.Jobs;

/// <summary>How many times Hangfire has retried the running job, read from its storage (the parameter snapshot a run starts with can be stale).</summary>
public static class JobRetries
{
    /// <summary>Hangfire's name for the count, which its retry filters keep and its dashboard shows.</summary>
    public const string Parameter = "RetryCount";

    public static int SoFar(PerformContext context) =>
        int.TryParse(context.Connection.GetJobParameter(context.BackgroundJob.Id, Parameter)?.Trim('"'), out var retries) ? retries : 0;
}
