extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Psd2.Api.Tests;

/// <summary>
/// PostgreSQL (psd2db migrated) and Redis, as the AppHost runs them, without the bank, api and worker: the real
/// stores for the api in-process (<see cref="InProcessApi"/>). Started once for the assembly's tests that need them.
/// </summary>
public sealed class RealStores : IAsyncLifetime
{
    private static readonly string[] Kept = ["postgres", "psd2db", "sandboxdb", "redis", "migrator"];
    private readonly string _stateFolder = Path.Combine(Path.GetTempPath(), "psd2-api-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;

    public string Psd2Db { get; private set; } = "";

    public string Redis { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(typeof(AppHost::Program),
            [$"--AppHost:StateFolder={_stateFolder}", "--AppHost:DisposableData=true", "--AppHost:ServiceEnvironment=Testing"],
            (options, _) => options.DisableDashboard = true, timeout.Token);
        builder.Services.AddLogging(logging => logging.AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        foreach (var resource in builder.Resources.Where(r => !Kept.Contains(r.Name) && r is not ParameterResource).ToList())
        {
            builder.Resources.Remove(resource);
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        await notifications.WaitForResourceAsync("migrator", KnownResourceStates.Finished, timeout.Token);
        Assert.Equal(0, notifications.TryGetCurrentState("migrator", out var migrator) ? migrator.Snapshot.ExitCode : null);
        Psd2Db = await _app.GetConnectionStringAsync("psd2db", timeout.Token) ?? throw new InvalidOperationException("psd2db has no connection string");
        Redis = await _app.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("redis has no connection string");
        await notifications.WaitForResourceHealthyAsync("redis", timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Directory.Exists(_stateFolder))
        {
            Directory.Delete(_stateFolder, recursive: true);
        }
    }
}
