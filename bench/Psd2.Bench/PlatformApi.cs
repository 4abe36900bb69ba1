using Psd2.IntegrationTests.Harness;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.ClientApps;
using Psd2.Core.Persistence;

namespace Psd2.Bench;

/// <summary>
/// The platform's api as a fintech's backend calls it: a client app and key of its own, one end user, a decoupled
/// connection and a user-present refresh.
/// </summary>
public sealed class PlatformApi : IDisposable
{
    private const string PsuIpAddress = "192.0.2.10";

    private PlatformApi(HttpClient api, Guid userId)
    {
        Api = api;
        UserId = userId;
    }

    public HttpClient Api { get; }

    public Guid UserId { get; }

    public static async Task<PlatformApi> CreateAsync(TestApp app, CancellationToken cancellationToken)
    {
        var key = await CreateClientAppAsync(app, cancellationToken);
        var api = app.CreateHttpClient("api");
        api.Timeout = TimeSpan.FromMinutes(10);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var user = await api.PostAsJsonAsync("/v1/users", new { externalReference = "bench-" + Guid.NewGuid().ToString("N")[..8] }, cancellationToken);
        var userId = (await SandboxTpp.Expect(user, HttpStatusCode.Created, cancellationToken)).GetProperty("id").GetGuid();
        return new PlatformApi(api, userId);
    }

    /// <summary>Connects the PSU through the decoupled flow and waits for the bank's approval.</summary>
    public async Task<Guid> ConnectDecoupledAsync(string personalNumber, CancellationToken cancellationToken)
    {
        using var created = await Api.PostAsJsonAsync($"/v1/users/{UserId}/connections",
            new { institutionId = "sandboxbank", flow = "decoupled", psuId = personalNumber }, cancellationToken);
        var id = (await SandboxTpp.Expect(created, HttpStatusCode.Created, cancellationToken)).GetProperty("id").GetGuid();
        var connection = await WaitAsync($"/v1/connections/{id}", c => c.GetProperty("status").GetString() != "awaiting_decoupled_authorisation", TimeSpan.FromMinutes(2), cancellationToken);
        var status = connection.GetProperty("status").GetString();
        return status == "active" ? id : throw new InvalidOperationException($"Connection {id} is {status}, not active.");
    }

    /// <summary>A user-present refresh, waited for to the end: the finished sync run.</summary>
    public async Task<JsonElement> SyncAsync(Guid connectionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var started = await Api.PostAsJsonAsync($"/v1/connections/{connectionId}/refresh", new { psuIpAddress = PsuIpAddress }, cancellationToken);
        var run = await SandboxTpp.Expect(started, HttpStatusCode.Accepted, cancellationToken);
        return await WaitAsync($"/v1/sync-runs/{run.GetProperty("id").GetGuid()}",
            r => r.GetProperty("status").GetString() is not ("queued" or "running"), timeout, cancellationToken);
    }

    /// <summary>
    /// A client for load on the api: the same key, plain HTTP/1.1 keep-alive, at most <paramref name="connections"/>
    /// connections so that each worker keeps one.
    /// </summary>
    public HttpClient CreateLoadClient(TestApp app, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = app.GetEndpoint("api"),
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.Authorization = Api.DefaultRequestHeaders.Authorization;
        return client;
    }

    public void Dispose() => Api.Dispose();

    private async Task<JsonElement> WaitAsync(string path, Func<JsonElement, bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await Api.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            var body = await SandboxTpp.Expect(response, HttpStatusCode.OK, cancellationToken);
            if (done(body))
            {
                return body;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"GET {path} did not settle within {timeout.TotalSeconds:0} s: {body}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>A client app of the bench's own, created as the api's <c>clientapps create</c> command does; its key.</summary>
    private static async Task<string> CreateClientAppAsync(TestApp app, CancellationToken cancellationToken)
    {
        await using var db = new Psd2DbContext(new DbContextOptionsBuilder<Psd2DbContext>().UseNpgsql(app.GetConnectionString("psd2db")).Options);
        return (await new ClientAppAdmin(db, TimeProvider.System).CreateAsync("bench", [], cancellationToken)).ApiKey.Key;
    }
}
