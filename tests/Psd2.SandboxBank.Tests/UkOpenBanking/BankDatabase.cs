extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>
/// PostgreSQL with an empty sandboxdb, as the AppHost runs it (its own server binaries, throwaway data), without
/// the services: the bank's real store for the bank in-process. The bank migrates and seeds it itself on start.
/// </summary>
public sealed class BankDatabase : IAsyncDisposable
{
    private static readonly string[] Kept = ["postgres", "psd2db", "sandboxdb"];
    private readonly string _stateFolder = Path.Combine(Path.GetTempPath(), "psd2-bank-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private DistributedApplication? _app;

    public string ConnectionString { get; private set; } = "";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(typeof(AppHost::Program),
            [$"--AppHost:StateFolder={_stateFolder}", "--AppHost:DisposableData=true", "--AppHost:ServiceEnvironment=Testing"],
            (options, _) => options.DisableDashboard = true, cancellationToken);
        builder.Services.AddLogging(logging => logging.AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        foreach (var resource in builder.Resources.Where(r => !Kept.Contains(r.Name) && r is not ParameterResource).ToList())
        {
            builder.Resources.Remove(resource);
        }

        _app = await builder.BuildAsync(cancellationToken);
        await _app.StartAsync(cancellationToken);
        await _app.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync("sandboxdb", cancellationToken);
        ConnectionString = await _app.GetConnectionStringAsync("sandboxdb", cancellationToken)
            ?? throw new InvalidOperationException("sandboxdb has no connection string");
    }

    public async ValueTask DisposeAsync()
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
