using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Dashboard;

/// <summary>
/// What the services poll is kept out of the traces, so the dashboard's bounded store holds what matters: the
/// AppHost's health probes and lone database calls of background loops are not traced; a worker's job run is one
/// trace with the work it did.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TraceNoiseTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    [Fact]
    public async Task EachJobRunIsATraceAndNeitherProbesNorLoneDatabaseCallsAre()
    {
        using var dashboard = fixture.App.CreateDashboardClient();

        // Every job runs at least once a minute, and the token refresh job's claim is a database call inside its run.
        var jobs = await DashboardData.WaitForAsync(dashboard, "/api/traces?resource=worker&text=token-refresh&limit=50",
            found => found.EnumerateArray().Any(t => t.GetProperty("rootName").GetString() == "Quartz.Job.Execute" && t.GetProperty("spanCount").GetInt32() > 1),
            seconds: 90);
        var run = jobs.EnumerateArray().First(t => t.GetProperty("rootName").GetString() == "Quartz.Job.Execute" && t.GetProperty("spanCount").GetInt32() > 1);
        var trace = await DashboardData.WaitForSettledTraceAsync(dashboard, run.GetProperty("traceId").GetString()!, t => DashboardData.Spans(t).Any(DashboardData.IsPostgresSpan));
        var root = DashboardData.Spans(trace).First();
        Assert.Equal("token-refresh", DashboardData.Attribute(root, "quartz.job.name"));
        Assert.All(DashboardData.Spans(trace).Skip(1), s => Assert.True(s.GetProperty("depth").GetInt32() > 0));

        // By now every service has been probed many times (the AppHost checks health every second) and the worker's
        // scheduler and webhook outbox have polled psd2db many more: none of it is a trace.
        foreach (var resource in new[] { "api", "worker", "sandboxbank" })
        {
            var traces = await dashboard.GetFromJsonAsync<JsonElement>($"/api/traces?resource={resource}&limit=10000");
            foreach (var summary in traces.EnumerateArray())
            {
                var name = summary.GetProperty("rootName").GetString()!;
                Assert.False(name is "GET /health" or "GET /alive", $"{resource} traced a probe: {summary}");
                // A request's span is named for its method (HTTP spans); anything else alone in its trace is looked at.
                if (summary.GetProperty("spanCount").GetInt32() == 1 && summary.GetProperty("rootResource").GetString() == resource
                    && !HttpMethods.Any(m => name.StartsWith(m, StringComparison.Ordinal)))
                {
                    var lone = await dashboard.GetFromJsonAsync<JsonElement>($"/api/traces/{summary.GetProperty("traceId").GetString()}");
                    Assert.False(DashboardData.Spans(lone).Any(DashboardData.IsPostgresSpan), $"{resource} exported a lone database call: {lone}");
                }
            }
        }
    }

    [Fact]
    public async Task TheApisPollOfADecoupledOrderThatEndsItIsOneTraceWithTheBankAndTheDatabase()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync("ApproveAfterDelay");
        var started = await client.ConnectDecoupledAsync(psu.PersonalNumber);
        var connectionId = started.GetProperty("id").GetGuid();
        Assert.Equal("active", (await client.WaitWhileAwaitingAsync(connectionId)).GetProperty("status").GetString());
        await SeenSecrets.AddTokensAsync(fixture.App, connectionId);

        // The poll that saw the order finalised got the tokens and listed the accounts: one trace, found by the connection id.
        using var dashboard = fixture.App.CreateDashboardClient();
        var polls = await DashboardData.WaitForAsync(dashboard, $"/api/traces?resource=api&text={connectionId}&limit=50",
            found => found.EnumerateArray().Any(t => t.GetProperty("rootName").GetString() == "decoupled authorisation poll"
                && t.GetProperty("resources").EnumerateArray().Any(r => r.GetString() == "sandboxbank")));
        var poll = polls.EnumerateArray().Last(t => t.GetProperty("resources").EnumerateArray().Any(r => r.GetString() == "sandboxbank"));
        var trace = await DashboardData.WaitForSettledTraceAsync(dashboard, poll.GetProperty("traceId").GetString()!,
            t => DashboardData.Spans(t).Any(s => s.GetProperty("resource").GetString() == "sandboxbank") && DashboardData.Spans(t).Any(DashboardData.IsPostgresSpan));
        Assert.Equal(connectionId.ToString(), DashboardData.Attribute(DashboardData.Spans(trace).First(), "psd2.connection.id"));
    }

    public void Dispose() => _bank.Dispose();
}
