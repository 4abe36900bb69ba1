extern alias AppHost;

using Psd2.IntegrationTests.Harness;

namespace Psd2.SandboxBank.Tests;

/// <summary>
/// PostgreSQL with an empty sandboxdb, as the AppHost runs it (its own server binaries, throwaway data), without
/// the services: the bank's real store for the bank in-process. The bank migrates and seeds it itself on start.
/// </summary>
public sealed class BankDatabase : IAsyncDisposable
{
    private PartialAppHost? _app;

    public string ConnectionString { get; private set; } = "";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _app = await PartialAppHost.StartAsync(typeof(AppHost::Program), ["postgres", "sandboxdb"], cancellationToken);
        await _app.Notifications.WaitForResourceHealthyAsync("sandboxdb", cancellationToken);
        ConnectionString = await _app.ConnectionStringAsync("sandboxdb", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
