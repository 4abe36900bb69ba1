extern alias AppHost;

using Aspire.Hosting.ApplicationModel;
using Psd2.IntegrationTests.Harness;

namespace Psd2.Api.Tests;

/// <summary>
/// PostgreSQL (psd2db migrated) and Redis, as the AppHost runs them, without the banks, api and worker: the real
/// stores for the api in-process (<see cref="InProcessApi"/>). Started once for the assembly's tests that need them.
/// </summary>
public sealed class RealStores : IAsyncLifetime
{
    private PartialAppHost? _app;

    public string Psd2Db { get; private set; } = "";

    public string Redis { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _app = await PartialAppHost.StartAsync(typeof(AppHost::Program), ["postgres", "psd2db", "redis", "migrator"], timeout.Token);
        await _app.Notifications.WaitForResourceAsync("migrator", KnownResourceStates.Finished, timeout.Token);
        Assert.Equal(0, _app.Notifications.TryGetCurrentState("migrator", out var migrator) ? migrator.Snapshot.ExitCode : null);
        Psd2Db = await _app.ConnectionStringAsync("psd2db", timeout.Token);
        Redis = await _app.ConnectionStringAsync("redis", timeout.Token);
        await _app.Notifications.WaitForResourceHealthyAsync("redis", timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
