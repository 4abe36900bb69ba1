namespace Psd2.Core.Refresh;

/// <summary>The unattended reads taken from a connection's budget on one bank day (never more than <see cref="Allowed"/>).</summary>
public sealed class RefreshBudget
{
    public Guid ConnectionId { get; set; }
    public DateOnly BankDay { get; set; }
    public int Used { get; set; }
    public int Allowed { get; set; }
}

/// <summary>One piece of scheduled work the worker did for a connection, as clients see it in its schedule.</summary>
public sealed class ConnectionJobRun
{
    public Guid Id { get; set; }
    public Guid ConnectionId { get; set; }
    /// <summary><see cref="ConnectionJobKind"/>.</summary>
    public required string Kind { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    /// <summary><c>succeeded</c>, <c>failed</c> or <c>skipped</c>.</summary>
    public required string Outcome { get; set; }
    public string? ErrorCode { get; set; }
    public Guid? SyncRunId { get; set; }
    /// <summary>The worker replica that ran it.</summary>
    public required string Worker { get; set; }
}

public static class ConnectionJobKind
{
    public const string Refresh = "refresh";
    public const string TokenRefresh = "token_refresh";
    public const string ConsentCheck = "consent_check";
}

public static class JobOutcome
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
}

/// <summary>A scheduler job's counts and last run, across every worker replica.</summary>
public sealed class SchedulerJobStat
{
    public required string Job { get; set; }
    public long Runs { get; set; }
    public long Failures { get; set; }
    public DateTimeOffset? LastStartedAt { get; set; }
    public DateTimeOffset? LastFinishedAt { get; set; }
    public string? LastOutcome { get; set; }
    public string? LastError { get; set; }
    public string? LastWorker { get; set; }
    /// <summary>When its trigger fires next, as the replica that ran it last saw it.</summary>
    public DateTimeOffset? NextFireAt { get; set; }
}
