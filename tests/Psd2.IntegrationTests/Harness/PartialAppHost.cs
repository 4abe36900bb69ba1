using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Psd2.IntegrationTests.Harness;

/// <summary>
/// The AppHost's model pared down to the resources a test keeps (its stores, as the app runs them: the machine's
/// binaries or containers, throwaway data), for tests that run a service in their own process. The state folder goes
/// with it.
/// </summary>
public sealed class PartialAppHost : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly string _stateFolder;

    private PartialAppHost(DistributedApplication app, string stateFolder)
    {
        _app = app;
        _stateFolder = stateFolder;
    }

    public ResourceNotificationService Notifications => _app.Services.GetRequiredService<ResourceNotificationService>();

    /// <param name="appHost">The AppHost's <c>Program</c> (referenced under an alias by the test projects, whose own Program it would hide).</param>
    public static async Task<PartialAppHost> StartAsync(Type appHost, IReadOnlyCollection<string> keep, CancellationToken cancellationToken)
    {
        var stateFolder = Path.Combine(Path.GetTempPath(), "psd2-partial-" + Guid.NewGuid().ToString("N")[..12]);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(appHost,
            [$"--AppHost:StateFolder={stateFolder}", "--AppHost:DisposableData=true", "--AppHost:ServiceEnvironment=Testing"],
            (options, _) => options.DisableDashboard = true, cancellationToken);
        builder.Services.AddLogging(logging => logging.AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        foreach (var resource in builder.Resources.Where(r => !keep.Contains(r.Name) && r is not ParameterResource).ToList())
        {
            builder.Resources.Remove(resource);
        }

        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        return new PartialAppHost(app, stateFolder);
    }

    public async Task<string> ConnectionStringAsync(string resource, CancellationToken cancellationToken) =>
        await _app.GetConnectionStringAsync(resource, cancellationToken) ?? throw new InvalidOperationException($"{resource} has no connection string");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Directory.Exists(_stateFolder))
        {
            Directory.Delete(_stateFolder, recursive: true);
        }
    }
}
