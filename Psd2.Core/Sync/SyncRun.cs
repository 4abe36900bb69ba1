using Psd2.Core.ClientApps;

namespace Psd2.Core.Sync;

/// <summary>One sync of a connection's accounts: when, what it changed, and how it ended.</summary>
public sealed class SyncRun : IClientAppOwned
{
    public Guid Id { get; set; }
    public Guid ClientAppId { get; set; }
    public Guid ConnectionId { get; set; }
    /// <summary>Run with the end user present (PSU-IP-Address sent, so it uses none of the daily budget).</summary>
    public bool UserPresent { get; set; }
    /// <summary>The platform request that asked for the run; bank calls are logged with it beside their own X-Request-ID.</summary>
    public string? RequestId { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int AccountsSynced { get; set; }
    public int AccountsFailed { get; set; }
    public int TransactionsAdded { get; set; }
    public int TransactionsUpdated { get; set; }
    public int TransactionsRemoved { get; set; }
    public string? ErrorCode { get; set; }
    /// <summary>When the bank allows the next unattended read, after it answered that the budget is spent.</summary>
    public DateTimeOffset? NextAllowedAt { get; set; }
}

public static class SyncRunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    /// <summary>Some accounts synced, some failed; the failed ones kept their previous data.</summary>
    public const string PartiallyFailed = "partially_failed";
    public const string Failed = "failed";
}
