namespace Psd2.AppHost.Hosting;

/// <summary>Lifecycle of a resource, in Aspire's words.</summary>
public enum ResourceState
{
    /// <summary>Waiting for the resources it depends on.</summary>
    Waiting,
    Starting,
    Running,
    /// <summary>A run-to-completion resource (the migrator) exited with code 0.</summary>
    Finished,
    /// <summary>The process ended on its own: a crash, or a one-shot that failed.</summary>
    Exited,
    FailedToStart,
    Stopping,
    /// <summary>Stopped on request; can be started again.</summary>
    Stopped,
}

public enum ResourceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>What a resource waits for before it starts.</summary>
public enum WaitCondition
{
    Healthy,
    Completed,
}
