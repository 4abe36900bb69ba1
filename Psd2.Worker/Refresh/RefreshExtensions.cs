using Psd2.Core.Accounts;
using Psd2.Core.Connections;
using Psd2.Core.Refresh;
using Psd2.Core.Sync;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Refresh;

public static class RefreshExtensions
{
    /// <summary>Unattended refreshes: a planner gives each connection its slots, a dispatcher runs them inside the daily budget.</summary>
    public static void AddUnattendedRefresh(this WebApplicationBuilder builder)
    {
        builder.Services.AddRefreshCalendar();
        builder.Services.AddSingleton<RefreshPlanner>();
        builder.Services.AddScoped<RefreshBudgetStore>();
        builder.Services.AddSingleton<BankRateLimiter>();
        builder.Services.AddSingleton<RefreshDispatcher>();
        builder.Services.AddScoped<ConnectionTokens>();
        builder.Services.AddScoped<ConsentChecks>();
        builder.Services.AddSingleton<AccountSync>();
        builder.Services.AddScoped<ConnectionSync>();
        builder.Services.AddSingleton<IAccountCache, AccountVersions>();
        builder.AddWorkerJob<RefreshPlannerJob>(RefreshPlannerJob.Name, o => o.PlannerInterval, "Gives connections without a plan their next refresh slot and consent check.");
        builder.AddWorkerJob<RefreshDispatcherJob>(RefreshDispatcherJob.Name, o => o.DispatcherInterval, "Runs due unattended refreshes inside each consent's daily budget.");
    }
}
