using System.Diagnostics;
using Psd2.IntegrationTests.Harness;
using Psd2.IntegrationTests.Worker;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>Start-up and shutdown of a whole app of its own (not the shared one).</summary>
[Collection(WorkerCollection.Name)] // an app of its own, in turn with the worker's tests rather than a third collection beside them
public sealed class LifecycleTests
{
    [Fact]
    public async Task StoppingTheAppStopsEveryServiceGracefullyAndLeavesNoProcessBehind()
    {
        var app = await TestApp.StartAsync(Deadline.In(180));
        var processIds = new[] { "postgres", "redis", "sandboxbank", "ukbank", "stetbank", "api", "worker" }.Select(name => app.ProcessId(name)!.Value).ToList();
        var serverProcesses = processIds.SelectMany(Descendants).ToList();
        // PostgreSQL runs under a wrapper that turns DCP's SIGTERM into a fast shutdown: the server is its descendant.
        var postgresServer = Descendants(app.ProcessId("postgres")!.Value).Where(pid => CommandLine(pid).Contains("/bin/postgres", StringComparison.Ordinal)).ToList();

        // A service stopped as DCP stops it (SIGTERM, SIGKILL only after a grace period) runs its shutdown and exits 0.
        var stopped = new Dictionary<string, (int? ExitCode, string Log)>();
        foreach (var service in new[] { "worker", "api", "sandboxbank", "ukbank", "stetbank" })
        {
            await app.StopResourceAsync(service);
            await app.WaitForStateAsync(service, Deadline.In(60), Aspire.Hosting.ApplicationModel.KnownResourceStates.TerminalStates);
            await Eventually.True(() => File.ReadAllText(app.LogFiles[service]).Contains("Application is shutting down", StringComparison.Ordinal),
                Eventually.Seconds(30), $"{service}'s log to say it shuts down");
            stopped[service] = (app.Snapshot(service).ExitCode, string.Join('\n', app.LogTail(service, 10)));
        }

        await app.DisposeAsync();

        Assert.NotEmpty(postgresServer);
        Assert.All(processIds.Concat(serverProcesses), pid => Assert.False(IsAlive(pid), $"process {pid} is still running"));
        Assert.All(stopped, s => Assert.True(s.Value.ExitCode == 0 && s.Value.Log.Contains("Application is shutting down", StringComparison.Ordinal),
            $"{s.Key} exited {s.Value.ExitCode}:\n{s.Value.Log}"));
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
