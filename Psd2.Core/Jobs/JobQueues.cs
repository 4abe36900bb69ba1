namespace Psd2.Core.Jobs;

/// <summary>
/// The background job queues, by purpose. A worker takes from them in this order, so someone waiting (a user-present
/// sync) goes before the unattended backlog, and webhooks and upkeep have workers of their own.
/// </summary>
public static class JobQueues
{
    /// <summary>Syncs an end user asked for and is waiting on.</summary>
    public const string Interactive = "interactive";

    /// <summary>Unattended refreshes, one job per connection, enqueued by the dispatcher.</summary>
    public const string Syncs = "syncs";

    public const string Webhooks = "webhooks";

    /// <summary>The recurring jobs: planner, dispatcher, token refresh, consent checks.</summary>
    public const string Maintenance = "maintenance";
}
