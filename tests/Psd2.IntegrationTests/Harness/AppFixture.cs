using Psd2.AppHost.Testing;

// One app for the whole run, shared through the collection; the machine has two cores, so test classes
// run one after another rather than fighting over them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Psd2.IntegrationTests.Harness;

/// <summary>Starts the whole app once per test run, through the AppHost's harness, and stops it at the end.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    private DistributedTestApp? _app;

    public DistributedTestApp App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _app = await DistributedTestApp.StartAsync(timeout.Token);
        Console.WriteLine($"Harness: whole app healthy in {_app.StartupTime.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}
