using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Worker;

/// <summary>
/// An app of its own for the worker's tests: two worker replicas, api and worker on the test clock, and scheduling
/// knobs short enough that simulated bank days pass in seconds. Its clock only ever moves forward, so it is not
/// shared with the other tests.
/// </summary>
public sealed class WorkerAppFixture : AppFixture
{
    /// <summary>How often each connection's consent status is read here.</summary>
    public static readonly TimeSpan ConsentCheckInterval = TimeSpan.FromSeconds(15);

    /// <summary>How long a replica holds what it claimed (<c>Worker:Lease</c>): what a killed one held is free after it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);

    protected override void Configure(TestAppSettings settings)
    {
        settings.WorkerReplicas = 2;
        settings.TestClock = true;
        settings.ServiceSettings = new Dictionary<string, string>
        {
            ["Worker__PlannerInterval"] = "00:00:01",
            ["Worker__DispatcherInterval"] = "00:00:01",
            ["Worker__TokenRefreshInterval"] = "00:00:02",
            ["Worker__ConsentCheckJobInterval"] = "00:00:01",
            // No payments here: their follow-up stays out of the way of the jobs these tests time (the maintenance queue is shared).
            ["Worker__PaymentStatusInterval"] = "00:00:30",
            ["Worker__Lease"] = Lease.ToString(),
            ["Worker__RefreshRetryDelay"] = "00:00:01",
            ["Refresh__ConsentCheckInterval"] = ConsentCheckInterval.ToString(),
            ["Refresh__TokenRefreshAhead"] = "00:01:00",
        };
    }
}

[CollectionDefinition(Name)]
public sealed class WorkerCollection : ICollectionFixture<WorkerAppFixture>
{
    public const string Name = "worker";
}
