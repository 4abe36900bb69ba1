using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Foundation;

[Collection(AppCollection.Name)]
public sealed class ResourcesTests(AppFixture fixture)
{
    private readonly TestApp _app = fixture.App;

    [Fact]
    public void EveryResourceIsHealthyAndTheMigratorFinished()
    {
        Assert.Equal(["postgres", "psd2db", "sandboxdb", "ukbankdb", "stetbankdb", "redis", "sandboxbank", "ukbank", "stetbank", "migrator", "api", "worker"], _app.ResourceNames);
        foreach (var name in _app.ResourceNames.Where(n => n != "migrator"))
        {
            var snapshot = _app.Snapshot(name);
            Assert.Equal(KnownResourceStates.Running, snapshot.State?.Text);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, snapshot.HealthStatus);
        }

        Assert.All(["postgres", "redis", "sandboxbank", "ukbank", "stetbank", "api", "worker"], name => Assert.NotNull(_app.ProcessId(name)));
        Assert.Equal(KnownResourceStates.Finished, _app.Snapshot("migrator").State?.Text);
        Assert.Equal(0, _app.Snapshot("migrator").ExitCode);
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
    [InlineData("api", new[] { "PostgreSql", "StackExchange.Redis" })]
    [InlineData("worker", new[] { "PostgreSql", "StackExchange.Redis" })]
    [InlineData("sandboxbank", new[] { "PostgreSql" })]
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
        var path = Path.Combine(_app.StateFolder, "resources.json");
        // The file follows the notifications; wait until it has caught up with the healthy api.
        var root = await Eventually.Holds(async ct =>
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path, ct));
            return document.RootElement.Clone();
        }, root => Resource(root, "api") is { } entry && entry.GetProperty("health").GetString() == "Healthy", Eventually.Seconds(30), "the api healthy in resources.json");

        var api = Resource(root, "api")!.Value;
        Assert.Equal("Running", api.GetProperty("state").GetString());
        Assert.Equal(_app.ProcessId("api"), api.GetProperty("processId").GetInt32());
        Assert.Equal(_app.GetEndpoint("api").ToString().TrimEnd('/'), api.GetProperty("endpoints").GetProperty("http").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("dashboard").ValueKind);
        foreach (var certificate in root.GetProperty("certificates").EnumerateObject())
        {
            Assert.True(File.Exists(certificate.Value.GetString()), $"{certificate.Name} file is missing");
        }

        Assert.Equal(_app.GetConnectionString("psd2db"), root.GetProperty("connectionStrings").GetProperty("psd2db").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task KilledWorkerIsReportedExitedAndCanBeRestartedAlone()
    {
        var apiPid = _app.ProcessId("api");
        var workerPid = _app.ProcessId("worker")!.Value;

        await _app.KillAsync("worker");

        Assert.NotNull(_app.Snapshot("worker").ExitCode);
        await _app.StartResourceAsync("worker");
        await _app.WaitForHealthyAsync("worker", Deadline.In(60));

        Assert.NotEqual(workerPid, _app.ProcessId("worker"));
        Assert.Equal(apiPid, _app.ProcessId("api"));
        using var client = _app.CreateHttpClient("worker");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    private static JsonElement? Resource(JsonElement root, string name) =>
        root.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("name").GetString() == name).Select(r => (JsonElement?)r).FirstOrDefault();
}
