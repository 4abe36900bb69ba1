using System.Diagnostics;
using Psd2.AppHost.Hosting;
using Psd2.AppHost.Testing;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

/// <summary>Start-up and shutdown of a whole app of its own (not the shared one).</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task DisposingTheAppLeavesNoProcessBehind()
    {
        var app = await DistributedTestApp.StartAsync(Deadline.In(180));
        var processIds = app.App.Resources.Where(r => r.ProcessId is not null).Select(r => r.ProcessId!.Value).ToList();
        var postgresPid = app["postgres"].ProcessId!.Value;
        var postgresChildren = ChildrenOf(postgresPid);

        await app.DisposeAsync();

        Assert.Equal(5, processIds.Count);
        Assert.NotEmpty(postgresChildren);
        Assert.All(processIds.Concat(postgresChildren), pid => Assert.False(IsAlive(pid), $"process {pid} is still running"));
    }

    [Fact]
    public async Task MissingRedisIsReportedWithTheDebianPackageAndNothingIsStarted()
    {
        var stateFolder = Path.Combine(Path.GetTempPath(), "psd2-missing-" + Guid.NewGuid().ToString("N")[..8]);
        var output = Path.Combine(BuildInfo.RepositoryRoot, "Psd2.AppHost", "bin", BuildInfo.Configuration, "net10.0");
        var dotnet = Environment.ProcessPath!;
        var start = new ProcessStartInfo(dotnet)
        {
            ArgumentList = { Path.Combine(output, "Psd2.AppHost.dll"), "--AppHost:StateFolder", stateFolder, "--AppHost:DashboardPort", "0", "--AppHost:OtlpPort", "0" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            // A PATH without redis-server; PostgreSQL is still found under /usr/lib/postgresql.
            Environment = { ["PATH"] = Path.GetDirectoryName(dotnet)! },
        };
        try
        {
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync(Deadline.In(60));

            Assert.Equal(2, process.ExitCode);
            Assert.Contains("apt-get install -y redis-server", await errors, StringComparison.Ordinal);
            Assert.DoesNotContain("running", await stdout, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(stateFolder, "resources.json")));
        }
        finally
        {
            if (Directory.Exists(stateFolder))
            {
                Directory.Delete(stateFolder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task PostgresOrphanedByAKilledAppHostIsStoppedByTheNextStart()
    {
        var stateFolder = Path.Combine(Path.GetTempPath(), "psd2-orphan-" + Guid.NewGuid().ToString("N")[..8]);
        var output = Path.Combine(BuildInfo.RepositoryRoot, "Psd2.AppHost", "bin", BuildInfo.Configuration, "net10.0");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            ArgumentList = { Path.Combine(output, "Psd2.AppHost.dll"), "--AppHost:StateFolder", stateFolder, "--AppHost:DashboardPort", "0", "--AppHost:OtlpPort", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var orphans = new List<int>();
        try
        {
            using (var first = Process.Start(start)!)
            {
                first.BeginOutputReadLine();
                first.BeginErrorReadLine();
                var resourcesFile = Path.Combine(stateFolder, "resources.json");
                var deadline = Deadline.In(60);
                // Wait until every long-running resource has its process, so none starts after the pids are read and escapes the cleanup.
                while (!File.Exists(resourcesFile) || !EveryServiceStarted(File.ReadAllText(resourcesFile)))
                {
                    await Task.Delay(100, deadline);
                }

                using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(resourcesFile));
                orphans.AddRange(document.RootElement.GetProperty("resources").EnumerateArray()
                    .Where(r => r.GetProperty("processId").ValueKind == System.Text.Json.JsonValueKind.Number)
                    .Select(r => r.GetProperty("processId").GetInt32()));
                first.Kill();
                await first.WaitForExitAsync(deadline);
            }

            await using var second = await DistributedTestApp.StartAsync(Deadline.In(120), settings => settings.StateFolder = stateFolder);

            Assert.Equal(ResourceState.Running, second["postgres"].State);
            Assert.Contains("left running by an earlier AppHost", string.Join('\n', second["postgres"].Log.Tail(200)), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var pid in orphans.Where(IsAlive))
            {
                Process.GetProcessById(pid).Kill();
            }

            Directory.Delete(stateFolder, recursive: true);
        }
    }

    private static bool EveryServiceStarted(string resourcesJson)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(resourcesJson);
            return document.RootElement.GetProperty("resources").EnumerateArray().All(r =>
                r.GetProperty("name").GetString() == "migrator"
                    ? r.GetProperty("state").GetString() == "finished"
                    : r.GetProperty("processId").ValueKind == System.Text.Json.JsonValueKind.Number);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static List<int> ChildrenOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

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
