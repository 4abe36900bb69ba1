using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Psd2.AppHost.Hosting;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

[Collection(AppCollection.Name)]
public sealed class ResourcesTests(AppFixture fixture)
{
    private readonly Psd2.AppHost.Testing.DistributedTestApp _app = fixture.App;

    [Fact]
    public void EveryResourceIsHealthyAndTheMigratorFinished()
    {
        var names = _app.App.Resources.Select(r => r.Name).ToList();
        Assert.Equal(["postgres", "redis", "sandboxbank", "migrator", "api", "worker"], names);
        foreach (var resource in _app.App.Resources.Where(r => r.Name != "migrator"))
        {
            Assert.Equal(ResourceState.Running, resource.State);
            Assert.Equal(ResourceHealth.Healthy, resource.Health);
            Assert.NotNull(resource.ProcessId);
        }

        Assert.Equal(ResourceState.Finished, _app["migrator"].State);
        Assert.Equal(0, _app["migrator"].ExitCode);
    }

    [Theory]
    [InlineData("api", "http")]
    [InlineData("worker", "http")]
    [InlineData("sandboxbank", "psu")]
    public async Task EachServiceAnswersHealthAliveAndInfo(string service, string endpoint)
    {
        using var client = _app.CreateHttpClient(service, endpoint);

        using var health = await client.GetAsync("/health");
        using var alive = await client.GetAsync("/alive");
        var info = await client.GetFromJsonAsync<JsonElement>("/info");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(service, info.GetProperty("service").GetString());
        Assert.Equal("Testing", info.GetProperty("environment").GetString());
    }

    [Theory]
    [InlineData("api", new[] { "psd2db", "redis" })]
    [InlineData("worker", new[] { "psd2db", "redis" })]
    [InlineData("sandboxbank", new[] { "sandboxdb" })]
    public async Task HealthReportsTheDatabasesAndCachesEachServiceUses(string service, string[] dependencies)
    {
        using var client = _app.CreateHttpClient(service, service == "sandboxbank" ? "psu" : "http");

        var report = await client.GetFromJsonAsync<JsonElement>("/health");

        var checks = report.GetProperty("checks");
        foreach (var dependency in dependencies)
        {
            Assert.Equal("Healthy", checks.GetProperty(dependency).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task ResourcesFileDescribesTheRunningApp()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(_app.App.ResourcesFilePath));
        var root = document.RootElement;

        var api = root.GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "api");
        Assert.Equal("running", api.GetProperty("state").GetString());
        Assert.Equal("healthy", api.GetProperty("health").GetString());
        Assert.Equal(_app["api"].ProcessId, api.GetProperty("processId").GetInt32());
        Assert.Equal(_app.GetEndpoint("api").ToString().TrimEnd('/'), api.GetProperty("endpoints").GetProperty("http").GetString());
        Assert.StartsWith("http://127.0.0.1:", root.GetProperty("dashboard").GetProperty("url").GetString(), StringComparison.Ordinal);
        foreach (var certificate in root.GetProperty("certificates").EnumerateObject())
        {
            Assert.True(File.Exists(certificate.Value.GetString()), $"{certificate.Name} file is missing");
        }

        Assert.Equal(_app.GetConnectionString("psd2db"), root.GetProperty("connectionStrings").GetProperty("psd2db").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_app.App.ResourcesFilePath));
    }

    [Fact]
    public async Task KilledWorkerIsReportedExitedAndCanBeRestartedAlone()
    {
        var apiPid = _app["api"].ProcessId;
        var workerPid = _app["worker"].ProcessId!.Value;

        Process.GetProcessById(workerPid).Kill();
        await _app.WaitForStateAsync("worker", ResourceState.Exited, Deadline.In(15));

        Assert.NotNull(_app["worker"].ExitCode);
        Assert.Contains("exited with code", string.Join('\n', _app["worker"].Log.Tail(5)), StringComparison.Ordinal);
        var snapshot = await File.ReadAllTextAsync(_app.App.ResourcesFilePath);
        Assert.Contains("\"exited\"", snapshot, StringComparison.Ordinal);

        await _app.RestartAsync("worker");
        await _app.WaitForHealthyAsync("worker", Deadline.In(30));

        Assert.NotEqual(workerPid, _app["worker"].ProcessId);
        Assert.Equal(1, _app["worker"].Restarts);
        Assert.Equal(apiPid, _app["api"].ProcessId);
        using var client = _app.CreateHttpClient("worker");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}
