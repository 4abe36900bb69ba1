using Psd2.AppHost.Hosting;

namespace Psd2.AppHost;

/// <summary>The table printed once the app is up: every resource with its state and URLs, and where to look next.</summary>
internal static class StartupReport
{
    public static void Print(DistributedApplication app, TimeSpan elapsed)
    {
        var snapshot = app.Resources.Select(ResourceSnapshot.Of).ToList();
        var nameWidth = Math.Max(8, snapshot.Max(r => r.Name.Length));
        Console.WriteLine();
        Console.WriteLine($"{"RESOURCE".PadRight(nameWidth)}  {"STATE",-14}  {"HEALTH",-9}  ENDPOINTS");
        foreach (var r in snapshot)
        {
            var endpoints = string.Join("  ", r.Endpoints.Select(e => $"{e.Key}={e.Value}"));
            Console.WriteLine($"{r.Name.PadRight(nameWidth)}  {r.State.ToString().ToLowerInvariant(),-14}  {r.Health.ToString().ToLowerInvariant(),-9}  {endpoints}");
        }

        Console.WriteLine();
        Console.WriteLine($"Up in {elapsed.TotalSeconds:0.0} s.");
        Console.WriteLine($"Dashboard:  {app.DashboardLoginUrl}");
        Console.WriteLine($"OTLP:       {app.OtlpEndpoint} (http/protobuf, loopback only)");
        Console.WriteLine($"State:      {app.ResourcesFilePath}");
        Console.WriteLine("Press Ctrl+C to stop everything.");
        Console.WriteLine();
    }
}
