using System.Net;
using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Worker;

/// <summary>Connections for worker tests: one client app of the test's own, a user and a sandbox PSU per connection.</summary>
internal static class WorkerTestData
{
    public sealed record Live(Guid Id, string ConsentId);

    /// <summary>Active decoupled connections, one user each (PSUs with one account).</summary>
    public static async Task<List<Live>> ConnectAsync(TestApp app, ApiTestClient client, BankTpp bank, int count, int? validDays = null)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            var psu = await bank.CreatePsuAsync(accounts: 1);
            using var user = await client.Api.PostAsJsonAsync("/v1/users", new { externalReference = "w-" + Guid.NewGuid().ToString("N")[..10] });
            var userId = (await user.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var response = await client.Api.PostAsJsonAsync($"/v1/users/{userId}/connections",
                new { institutionId = "sandboxbank", flow = "decoupled", psuId = psu.PersonalNumber, validDays });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, text);
            return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
        }));
        var live = new List<Live>();
        foreach (var id in started)
        {
            var connection = await client.WaitWhileAwaitingAsync(id, TimeSpan.FromSeconds(90));
            Assert.Equal("active", connection.GetProperty("status").GetString());
            live.Add(new Live(id, (await client.BankConsentIdAsync(id))!));
        }

        await SeenSecrets.AddTokensAsync(app, live[0].Id);
        return live;
    }

    public static async Task<T?> ScalarAsync<T>(TestApp app, string sql, params object[] values)
    {
        await using var db = new NpgsqlConnection(app.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull or null ? default : (T)result;
    }

    /// <summary>
    /// Waits until the worker has done everything due at <paramref name="now"/> for these connections: each has its
    /// next refresh planned after now and none is held by a replica.
    /// </summary>
    public static async Task QuiesceAsync(TestApp app, IReadOnlyList<Live> connections, DateTimeOffset now, int seconds = 90)
    {
        var ids = connections.Select(c => c.Id).ToArray();
        await Eventually.Holds(_ => ScalarAsync<long>(app, """
            SELECT count(*) FROM connections WHERE id = ANY($1) AND status IN ('active', 'renewal_due')
              AND (next_refresh_at IS NULL OR next_refresh_at <= $2 OR lease_until IS NOT NULL)
            """, ids, now), busy => busy == 0, Eventually.Seconds(seconds), $"no connection due or held at {now:O} (last seen: how many were)", every: TimeSpan.FromMilliseconds(250));
    }

    public static Task<JsonElement> WaitForStatusAsync(ApiTestClient client, Guid id, string status, int seconds) =>
        Eventually.Holds(_ => client.GetConnectionAsync(id), c => c.GetProperty("status").GetString() == status, Eventually.Seconds(seconds),
            $"connection {id} to be {status}", every: TimeSpan.FromMilliseconds(250));

    /// <summary>The bank's counts of unattended reads for a consent on one bank day, by endpoint and account.</summary>
    public static async Task<List<(string Endpoint, string Resource, int Count)>> AccessCountsAsync(BankTpp bank, string consentId, DateOnly day)
    {
        var counts = await bank.Admin.GetFromJsonAsync<JsonElement>($"/sandbox/access-counts?consentId={consentId}&day={day:yyyy-MM-dd}");
        return counts.EnumerateArray().Select(c => (c.GetProperty("endpoint").GetString()!, c.GetProperty("resourceId").GetString()!, c.GetProperty("count").GetInt32())).ToList();
    }
}
