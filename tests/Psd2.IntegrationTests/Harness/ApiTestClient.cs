using System.Net;
using System.Text.Json;
using Npgsql;

namespace Psd2.IntegrationTests.Harness;

/// <summary>A client app of the test's own with one end user, calling the api as a fintech's backend would.</summary>
internal sealed class ApiTestClient : IDisposable
{
    public const string ClientReturn = "https://client.example/bank-return";
    private readonly TestApp _app;

    private ApiTestClient(TestApp app, HttpClient api, Guid userId)
    {
        _app = app;
        Api = api;
        UserId = userId;
    }

    public HttpClient Api { get; }

    public Guid UserId { get; }

    public static async Task<ApiTestClient> CreateAsync(TestApp app)
    {
        var client = await ClientAppCli.CreateAsync(app, ClientReturn);
        var api = ClientAppCli.ApiClient(app, client.Key);
        using var user = await api.PostAsJsonAsync("/v1/users", new { externalReference = "u-" + Guid.NewGuid().ToString("N")[..8] });
        return new ApiTestClient(app, api, (await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    /// <summary>Starts a connection and asserts the api accepted it.</summary>
    public async Task<JsonElement> ConnectAsync(object body, string? path = null)
    {
        using var response = await Api.PostAsJsonAsync(path ?? $"/v1/users/{UserId}/connections", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public Task<JsonElement> ConnectDecoupledAsync(string personalNumber) =>
        ConnectAsync(new { institutionId = "sandboxbank", flow = "decoupled", psuId = personalNumber });

    public Task<JsonElement> GetConnectionAsync(Guid id) => Api.GetFromJsonAsync<JsonElement>($"/v1/connections/{id}");

    /// <summary>Waits for the platform's poller to take a decoupled connection out of awaiting_decoupled_authorisation.</summary>
    public Task<JsonElement> WaitWhileAwaitingAsync(Guid id, TimeSpan? timeout = null) =>
        Eventually.Holds(_ => GetConnectionAsync(id), c => c.GetProperty("status").GetString() != "awaiting_decoupled_authorisation",
            timeout ?? TimeSpan.FromSeconds(40), $"connection {id} to leave awaiting_decoupled_authorisation");

    /// <summary>
    /// An active connection through the redirect flow: the user's browser signs in and approves at the bank, which sends
    /// it back to the api's callback, which sends it on to the client app.
    /// </summary>
    public async Task<Guid> ActiveRedirectConnectionAsync(BankTpp bank, string institutionId, TestPsu psu)
    {
        var started = await ConnectAsync(new { institutionId, flow = "redirect", redirectUri = ClientReturn });
        using var signIn = await bank.Browser.GetAsync(started.GetProperty("authorisationUrl").GetString());
        var page = await signIn.Content.ReadAsStringAsync();
        Assert.True(signIn.StatusCode == HttpStatusCode.OK, $"{institutionId}'s sign-in answered {(int)signIn.StatusCode}: {page[..Math.Min(page.Length, 500)]}");
        using var approval = await bank.SubmitFormAsync(page, new() { ["personalNumber"] = psu.PersonalNumber });
        using var decided = await bank.SubmitFormAsync(await approval.Content.ReadAsStringAsync(), new() { ["decision"] = "approve" });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        await SeenSecrets.AddCallbackAsync(_app, decided.Headers.Location!);
        using var browser = _app.CreateHttpClient("api", followRedirects: false);
        using var back = await browser.GetAsync(decided.Headers.Location);
        var id = started.GetProperty("id").GetGuid();
        Assert.Equal($"{ClientReturn}?connectionId={id}&outcome=active", back.Headers.Location?.ToString());
        await SeenSecrets.AddTokensAsync(_app, id);
        return id;
    }

    /// <summary>Every page of a transaction list through nextCursor; every page but the last is full.</summary>
    public static async Task<List<JsonElement>> AllTransactionsAsync(HttpClient api, Guid accountId, int limit)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        for (var pages = 0; pages < 5_000; pages++)
        {
            var url = $"/v1/accounts/{accountId}/transactions?limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await api.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
            var page = JsonDocument.Parse(body).RootElement;
            var pageItems = page.GetProperty("items").EnumerateArray().Select(t => t.Clone()).ToList();
            items.AddRange(pageItems);
            cursor = page.GetProperty("nextCursor").GetString();
            if (cursor is null)
            {
                Assert.True(pageItems.Count <= limit);
                return items;
            }

            Assert.Equal(limit, pageItems.Count);
        }

        throw new InvalidOperationException("The cursor never ended.");
    }

    /// <summary>An active connection through the decoupled flow (a PSU who approves after the bank's delay).</summary>
    public async Task<JsonElement> ActiveDecoupledConnectionAsync(TestPsu psu)
    {
        var started = await ConnectDecoupledAsync(psu.PersonalNumber);
        var connection = await WaitWhileAwaitingAsync(started.GetProperty("id").GetGuid());
        Assert.Equal("active", connection.GetProperty("status").GetString());
        return connection;
    }

    /// <summary>The consent id the platform holds at the bank for a connection (clients never need it; tests check the bank with it).</summary>
    public async Task<string?> BankConsentIdAsync(Guid connectionId)
    {
        await using var db = new NpgsqlConnection(_app.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT bank_consent_id FROM connections WHERE id = $1", db) { Parameters = { new() { Value = connectionId } } };
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Refreshes with the user present and waits for the sync run to finish.</summary>
    public async Task<JsonElement> SyncAsync(Guid connectionId, TimeSpan? timeout = null)
    {
        using var started = await Api.PostAsJsonAsync($"/v1/connections/{connectionId}/refresh", new { psuIpAddress = BankData.PsuIp });
        var text = await started.Content.ReadAsStringAsync();
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{(int)started.StatusCode}: {text}");
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
        return await WaitForSyncRunAsync(Api, id, timeout);
    }

    /// <summary>Waits for a sync run to end (succeeded, partial or failed) and returns it.</summary>
    public static Task<JsonElement> WaitForSyncRunAsync(HttpClient api, Guid syncRunId, TimeSpan? timeout = null) =>
        Eventually.Holds(ct => api.GetFromJsonAsync<JsonElement>($"/v1/sync-runs/{syncRunId}", ct), r => r.GetProperty("status").GetString() is not ("queued" or "running"),
            timeout ?? TimeSpan.FromSeconds(60), $"sync run {syncRunId} to end");

    public static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    public void Dispose() => Api.Dispose();
}
