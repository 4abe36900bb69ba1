using System.Net;
using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>Client apps and their keys (made with the api's own command), and the users each app keeps apart from the others.</summary>
[Collection(AppCollection.Name)]
public sealed class ClientAppsAndUsersTests(AppFixture fixture)
{
    private readonly TestApp _app = fixture.App;

    [Fact]
    public async Task MissingWrongAndRevokedKeysAre401WithACode()
    {
        var client = await ClientAppCli.CreateAsync(_app);
        using var anonymous = _app.CreateHttpClient("api");
        using var wrong = ClientAppCli.ApiClient(_app, client.Key[..^4] + "AAAA");

        using var missing = await anonymous.GetAsync("/v1/users");
        using var bad = await wrong.GetAsync("/v1/users");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("api_key_missing", await CodeAsync(missing));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal("api_key_invalid", await CodeAsync(bad));

        var (exitCode, _, stderr) = await ClientAppCli.RunAsync(_app, "clientapps", "revoke-key", "--client-app", client.Id.ToString(), "--key", client.KeyId.ToString());
        Assert.True(exitCode == 0, stderr);
        using var revokedClient = ClientAppCli.ApiClient(_app, client.Key);
        using var revoked = await revokedClient.GetAsync("/v1/users");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task TwoKeysWorkSideBySideForRotationAndAThirdIsRefused()
    {
        var client = await ClientAppCli.CreateAsync(_app);

        var (exitCode, stdout, _) = await ClientAppCli.RunAsync(_app, "clientapps", "add-key", "--client-app", client.Id.ToString());
        var (thirdExit, _, thirdError) = await ClientAppCli.RunAsync(_app, "clientapps", "add-key", "--client-app", client.Id.ToString());

        Assert.Equal(0, exitCode);
        var second = JsonDocument.Parse(stdout).RootElement.GetProperty("key").GetString()!;
        foreach (var key in new[] { client.Key, second })
        {
            using var api = ClientAppCli.ApiClient(_app, key);
            using var response = await api.GetAsync("/v1/users");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, thirdExit);
        Assert.Contains("at most 2 active keys", thirdError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysAreStoredOnlyAsHashes()
    {
        var client = await ClientAppCli.CreateAsync(_app);
        await using var connection = new NpgsqlConnection(_app.GetConnectionString("psd2db"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT prefix, encode(secret_hash, 'escape') FROM api_keys WHERE client_app_id = $1", connection)
        {
            Parameters = { new() { Value = client.Id } },
        };
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync());
        var secret = client.Key.Split('_', 3)[2];
        Assert.DoesNotContain(secret, reader.GetString(1), StringComparison.Ordinal);
        Assert.StartsWith("psd2_" + reader.GetString(0) + "_", client.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatingAUserIsIdempotentOnTheExternalReference()
    {
        var client = await ClientAppCli.CreateAsync(_app);
        using var api = ClientAppCli.ApiClient(_app, client.Key);

        using var first = await api.PostAsJsonAsync("/v1/users", new { externalReference = "customer-42" });
        using var again = await api.PostAsJsonAsync("/v1/users", new { externalReference = "customer-42" });
        using var invalid = await api.PostAsJsonAsync("/v1/users", new { externalReference = "" });
        using var badJson = await api.PostAsync("/v1/users", new StringContent("{\"externalReference\":", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("validation_failed", await CodeAsync(invalid));
        Assert.Equal("invalid_json", await CodeAsync(badJson));
    }

    [Fact]
    public async Task AnotherClientAppsUserIsNotFoundEverywhere()
    {
        var owner = await ClientAppCli.CreateAsync(_app);
        var other = await ClientAppCli.CreateAsync(_app);
        using var ownerApi = ClientAppCli.ApiClient(_app, owner.Key);
        using var otherApi = ClientAppCli.ApiClient(_app, other.Key);
        using var created = await ownerApi.PostAsJsonAsync("/v1/users", new { externalReference = "mine" });
        var userId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var get = await otherApi.GetAsync($"/v1/users/{userId}");
        using var delete = await otherApi.DeleteAsync($"/v1/users/{userId}");
        var list = await otherApi.GetFromJsonAsync<JsonElement>("/v1/users");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        using var stillThere = await ownerApi.GetAsync($"/v1/users/{userId}");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    [Fact]
    public async Task UsersArePagedByCursorWithoutGapsOrRepeats()
    {
        var client = await ClientAppCli.CreateAsync(_app);
        using var api = ClientAppCli.ApiClient(_app, client.Key);
        for (var i = 0; i < 7; i++)
        {
            using var response = await api.PostAsJsonAsync("/v1/users", new { externalReference = $"u{i}" });
            response.EnsureSuccessStatusCode();
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<JsonElement>("/v1/users?limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("externalReference").GetString()!));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(["u0", "u1", "u2", "u3", "u4", "u5", "u6"], seen);
        using var forged = await api.GetAsync("/v1/users?cursor=bm90LWEtY3Vyc29y");
        Assert.Equal("cursor_invalid", await CodeAsync(forged));
    }

    [Fact]
    public async Task DeletingAUserErasesItAndKeepsAnAuditRecordWithoutTheReference()
    {
        var client = await ClientAppCli.CreateAsync(_app);
        using var api = ClientAppCli.ApiClient(_app, client.Key);
        using var created = await api.PostAsJsonAsync("/v1/users", new { externalReference = "erase-me@example.com" });
        var userId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var deleted = await api.DeleteAsync($"/v1/users/{userId}");
        using var gone = await api.GetAsync($"/v1/users/{userId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await using var connection = new NpgsqlConnection(_app.GetConnectionString("psd2db"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT type, request_id, coalesce(details::text, '') FROM audit_events WHERE user_id = $1 ORDER BY id", connection)
        {
            Parameters = { new() { Value = userId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<string>();
        while (await reader.ReadAsync())
        {
            events.Add(reader.GetString(0));
            Assert.False(reader.IsDBNull(1));
            Assert.DoesNotContain("erase-me", reader.GetString(2), StringComparison.Ordinal);
        }

        Assert.Equal(["user.created", "user.deleted"], events);
    }

    [Fact]
    public async Task InstitutionsListTheThreeBanksWithTheirStandardCountryAndScaApproaches()
    {
        var client = await ClientAppCli.CreateAsync(_app);
        using var api = ClientAppCli.ApiClient(_app, client.Key);

        var all = await api.GetFromJsonAsync<JsonElement>("/v1/institutions");
        var bank = await api.GetFromJsonAsync<JsonElement>("/v1/institutions/sandboxbank");
        using var unknown = await api.GetAsync("/v1/institutions/nobank");

        Assert.Equal("berlin-group", bank.GetProperty("standard").GetString());
        Assert.Equal(["redirect", "decoupled"], bank.GetProperty("scaApproaches").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(180, bank.GetProperty("maxConsentDays").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var listed = all.EnumerateArray()
            .Select(i => $"{i.GetProperty("id").GetString()} {i.GetProperty("standard").GetString()} {i.GetProperty("country").GetString()} "
                + string.Join(',', i.GetProperty("scaApproaches").EnumerateArray().Select(a => a.GetString())))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["sandboxbank berlin-group SE redirect,decoupled", "stetbank stet FR redirect", "ukbank uk-open-banking GB redirect"], listed);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();
}
