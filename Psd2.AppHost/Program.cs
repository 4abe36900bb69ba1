using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Psd2.AppHost;
using Psd2.AppHost.Hosting;
using Psd2.AppHost.Telemetry;

// `dotnet run --project Psd2.AppHost` starts the whole app and its dashboard; Ctrl+C stops all of it.
// Settings: AppHost:StateFolder (default <repo>/.psd2), AppHost:DashboardPort (default 18888), AppHost:OtlpPort (default 18890),
// AppHost:Dashboard:MaxSpansPerResource / MaxLogRecordsPerResource / MaxMetricPointsPerResource (default 10000 each),
// ConnectionStrings:psd2db / sandboxdb / redis to use servers started elsewhere.
var configuration = new ConfigurationBuilder()
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();

var options = new AppHostOptions
{
    StateFolder = Path.GetFullPath(configuration["AppHost:StateFolder"] ?? Path.Combine(BuildInfo.RepositoryRoot, ".psd2")),
    DashboardPort = configuration.GetValue("AppHost:DashboardPort", 18888),
    OtlpPort = configuration.GetValue("AppHost:OtlpPort", 18890),
    TelemetryLimits = TelemetryLimitsConfiguration.Read(configuration.GetSection("AppHost:Dashboard")),
    ExternalConnectionStrings = configuration.GetSection("ConnectionStrings").GetChildren()
        .Where(c => c.Value is { Length: > 0 })
        .ToDictionary(c => c.Key, c => c.Value!),
};

DistributedApplication app;
try
{
    app = Psd2AppModel.Build(options);
}
catch (MissingPrerequisiteException missing)
{
    Console.Error.WriteLine(missing.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
// Ctrl+C, `kill` or a terminal closing: let the orchestrator stop the children in order instead of dying mid-way.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopGracefully);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopGracefully);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, StopGracefully);

await using (app)
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    await app.StartAsync(stop.Token);
    try
    {
        await app.WaitForAllHealthyAsync(stop.Token);
        StartupReport.Print(app, clock.Elapsed);
    }
    catch (ResourceFailedException failed)
    {
        Console.Error.WriteLine(failed.Message);
        StartupReport.Print(app, clock.Elapsed);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }

    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("Stopping...");
    }
}

return 0;

void StopGracefully(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
