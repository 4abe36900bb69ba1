using Hangfire;
using Psd2.Core.Refresh;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

/// <summary>Plans connections that have no next refresh slot or consent check yet (new, renewed, or back from a failure).</summary>
[AutomaticRetry(Attempts = 0)] // the next firing is the retry
public sealed class RefreshPlannerJob(RefreshPlanner planner, ILogger<RefreshPlannerJob> logger) : IRecurringWorkerJob
{
    public const string Name = "refresh-planner";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await planner.PlanAsync(replanAll: false, cancellationToken);
        if (result.Planned > 0)
        {
            logger.LogInformation("Planned {Connections} connections in {RoundTrips} round trips", result.Planned, result.RoundTrips);
        }
    }
}
