using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

public static class RefreshExtensions
{
    /// <summary>
    /// Unattended refreshes: a planner gives each connection its slots, a dispatcher claims the due ones and enqueues one
    /// job per connection, which runs inside the daily budget.
    /// </summary>
    public static void AddUnattendedRefresh(this WebApplicationBuilder builder)
    {
        builder.Services.AddSyncLifecycle();
        builder.Services.AddRefreshCalendar();
        builder.Services.AddSingleton<RefreshPlanner>();
        builder.Services.AddScoped<RefreshBudgetStore>();
        builder.Services.AddSingleton<BankRateLimiter>();
        builder.Services.AddScoped<UnattendedRefreshJob>();
        builder.AddRecurringJob<RefreshPlannerJob>(RefreshPlannerJob.Name, o => o.PlannerInterval);
        builder.AddRecurringJob<RefreshDispatcher>(RefreshDispatcher.Name, o => o.DispatcherInterval);
    }
}
