using System.Diagnostics;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>Start-up and shutdown of a whole app of its own (not the shared one).</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task StoppingTheAppStopsEveryServiceGracefullyAndLeavesNoProcessBehind()
    {
        var app = await TestApp.StartAsync(Deadline.In(180));
        var processIds = new[] { "postgres", "redis", "sandboxbank", "api", "worker" }.Select(name => app.ProcessId(name)!.Value).ToList();
        var serverProcesses = processIds.SelectMany(Descendants).ToList();
        // PostgreSQL runs under a wrapper that turns DCP's SIGTERM into a fast shutdown: the server is its descendant.
        var postgresServer = Descendants(app.ProcessId("postgres")!.Value).Where(pid => CommandLine(pid).Contains("/bin/postgres", StringComparison.Ordinal)).ToList();

        await app.StopAsync();
        var logs = new[] { "sandboxbank", "api", "worker" }.ToDictionary(service => service, service => File.ReadAllText(app.LogFiles[service]));
        await app.DisposeAsync();

        Assert.NotEmpty(postgresServer);
        Assert.All(processIds.Concat(serverProcesses), pid => Assert.False(IsAlive(pid), $"process {pid} is still running"));
        // A service that got SIGTERM (not SIGKILL) runs its shutdown and says so.
        foreach (var service in new[] { "sandboxbank", "api", "worker" })
        {
            Assert.Contains("Application is shutting down", logs[service], StringComparison.Ordinal);
        }
    }

    private static List<int> Descendants(int pid)
    {
        var children = File.Exists($"/proc/{pid}/task/{pid}/children")
            ? File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];
        return [.. children, .. children.SelectMany(Descendants)];
    }

    private static string CommandLine(int pid) => File.Exists($"/proc/{pid}/cmdline") ? File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ') : "";

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
