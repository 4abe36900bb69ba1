using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.Accounts;
using Psd2.Core.Connections;

namespace Psd2.Core.Sync;

public static class SyncExtensions
{
    /// <summary>
    /// The sync lifecycle, registered once for api and worker: tokens, consent checks, the account and connection syncs,
    /// the caches they invalidate, and the user-present sync job.
    /// </summary>
    public static IServiceCollection AddSyncLifecycle(this IServiceCollection services)
    {
        services.AddScoped<ConnectionTokens>();
        services.AddScoped<ConsentChecks>();
        services.AddSingleton<AccountSync>();
        services.AddScoped<ConnectionSync>();
        services.AddSingleton<IAccountCache, AccountVersions>();
        services.AddScoped<UserPresentSyncJob>();
        return services;
    }
}
