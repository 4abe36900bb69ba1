using Psd2.Core.Refresh;
using Quartz;

namespace Psd2.Worker.Refresh;

/// <summary>Plans connections that have no next refresh slot or consent check yet (new, renewed, or back from a failure).</summary>
[DisallowConcurrentExecution]
public sealed class RefreshPlannerJob(RefreshPlanner planner, ILogger<RefreshPlannerJob> logger) : IJob
{
    public const string Name = "refresh-planner";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var result = await planner.PlanAsync(replanAll: false, cancellationToken);
        if (result.Planned > 0)
        {
            logger.LogInformation("Planned {Connections} connections in {RoundTrips} round trips", result.Planned, result.RoundTrips);
        }
    }
}

/// <summary>
/// Runs due unattended refreshes. Not <c>DisallowConcurrentExecution</c>: every replica may dispatch at once, since
/// claims never overlap; one replica runs one dispatch loop at a time (<see cref="RefreshDispatcher"/>).
/// </summary>
public sealed class RefreshDispatcherJob(RefreshDispatcher dispatcher) : IJob
{
    public const string Name = "refresh-dispatcher";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await dispatcher.DispatchAsync(cancellationToken);
}
