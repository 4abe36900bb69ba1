namespace Psd2.Worker.Scheduling;

/// <summary>Which replica did something: recorded with leases, job runs, job statistics, and in its Hangfire servers' names.</summary>
public sealed record WorkerIdentity(string Name)
{
    public static WorkerIdentity ThisProcess() => new($"{Environment.MachineName}:{Environment.ProcessId}");
}
