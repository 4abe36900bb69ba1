using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Psd2.Api.Accounts;
using Psd2.Core.Accounts;
using Psd2.IntegrationTests.Harness;
using StackExchange.Redis;

namespace Psd2.IntegrationTests.Api;

/// <summary>Reading synced accounts, balances and transactions through the API, and its Redis cache of them.</summary>
[Collection(AppCollection.Name)]
public sealed class AccountDataTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task AccountsBalancesAndTransactionsEqualTheBanksOwnData()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 2);
        var connectionId = await SyncedConnectionAsync(client, psu);
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-730);
        var ours = await _bank.ConnectAsync(psu);
        var bankAccounts = await BankData.AccountsAsync(_bank, ours);

        var accounts = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts");

        Assert.Equal(psu.Ibans.Order(StringComparer.Ordinal), accounts.EnumerateArray().Select(a => a.GetProperty("iban").GetString()!));
        foreach (var account in accounts.EnumerateArray())
        {
            var accountId = account.GetProperty("id").GetGuid();
            var iban = account.GetProperty("iban").GetString()!;
            var resourceId = psu.AccountIds[psu.Ibans.ToList().IndexOf(iban)];
            var bankAccount = bankAccounts.Single(b => b.GetProperty("iban").GetString() == iban);
            Assert.Equal("sandboxbank", account.GetProperty("institutionId").GetString());
            Assert.Equal(connectionId, account.GetProperty("connectionId").GetGuid());
            Assert.Equal(client.UserId, account.GetProperty("userId").GetGuid());
            foreach (var field in new[] { "currency", "name", "product", "ownerName" })
            {
                Assert.Equal(bankAccount.GetProperty(field).GetString(), account.GetProperty(field).GetString());
            }

            Assert.Equal(JsonValueKind.String, account.GetProperty("lastSyncedAt").ValueKind);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(account.GetRawText()), await client.Api.GetFromJsonAsync<JsonNode>($"/v1/accounts/{accountId}")));

            AssertSameBalances(await BankData.BalancesAsync(_bank, ours, resourceId), await client.Api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{accountId}/balances"));

            var bank = await BankData.TransactionsWithStatusAsync(_bank, ours, resourceId, from);
            var api = await ApiTestClient.AllTransactionsAsync(client.Api, accountId, limit: 100);
            Assert.Equal(bank.Count, api.Count);
            var byBankId = api.ToDictionary(t => t.GetProperty("bankTransactionId").GetString()!);
            foreach (var (status, expected) in bank)
            {
                var actual = byBankId[expected.GetProperty("transactionId").GetString()!];
                AssertSameTransaction(status, expected, actual);
                Assert.Equal(accountId, actual.GetProperty("accountId").GetGuid());
                Assert.False(actual.TryGetProperty("raw", out _));
            }

            AssertNewestFirst(api);

            // One transaction read alone: the same fields, and the bank's own JSON for it.
            foreach (var (_, expected) in bank.Where(t => t.Status == "pending").Take(1).Concat(bank.Where(t => t.Status == "booked").Take(1)))
            {
                var listed = byBankId[expected.GetProperty("transactionId").GetString()!];
                var single = (await client.Api.GetFromJsonAsync<JsonNode>($"/v1/accounts/{accountId}/transactions/{listed.GetProperty("id").GetGuid()}"))!.AsObject();
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.GetRawText()), single["raw"]));
                single.Remove("raw");
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(listed.GetRawText()), single));
            }
        }
    }

    [Fact]
    public async Task BadFiltersLimitsAndCursorsAreRefused()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        await SyncedConnectionAsync(client, await _bank.CreatePsuAsync(accounts: 2));
        var accounts = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();
        var path = $"/v1/accounts/{accounts[0]}/transactions";
        var cursor = (await client.Api.GetFromJsonAsync<JsonElement>(path + "?limit=5")).GetProperty("nextCursor").GetString()!;
        var otherAccountsCursor = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{accounts[1]}/transactions?limit=5")).GetProperty("nextCursor").GetString()!;
        var edited = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];

        foreach (var query in new[] { "limit=0", "limit=501", "limit=ten", "limit=-1", "dateFrom=2024-02-30", "dateTo=yesterday", "status=settled",
            "minAmount=12,50", "minAmount=10&maxAmount=-10", "dateFrom=2025-02-01&dateTo=2025-01-01", "text=" + new string('x', 101) })
        {
            using var response = await client.Api.GetAsync($"{path}?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, query);
            Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(response));
        }

        foreach (var query in new[] { $"limit=5&cursor={edited}", $"limit=5&cursor={otherAccountsCursor}", $"limit=5&status=booked&cursor={cursor}",
            "cursor=", "cursor=bm90LWEtY3Vyc29y", $"cursor={cursor}x" })
        {
            using var response = await client.Api.GetAsync($"{path}?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, query);
            Assert.Equal("cursor_invalid", await ApiTestClient.CodeAsync(response));
        }

        using var valid = await client.Api.GetAsync($"{path}?limit=7&cursor={cursor}");
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task AnotherClientAppsAccountIsNotFoundOnEveryAccountEndpoint()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        await SyncedConnectionAsync(client, await _bank.CreatePsuAsync(accounts: 2));
        var accounts = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts")).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()).ToList();
        var transactionId = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{accounts[0]}/transactions?limit=1")).GetProperty("items")[0].GetProperty("id").GetGuid();
        var paths = new[]
        {
            $"/v1/users/{client.UserId}/accounts", $"/v1/accounts/{accounts[0]}", $"/v1/accounts/{accounts[0]}/balances",
            $"/v1/accounts/{accounts[0]}/transactions", $"/v1/accounts/{accounts[0]}/transactions?limit=1",
            $"/v1/accounts/{accounts[0]}/transactions/{transactionId}",
        };

        // The owner reads everything first, so the cache holds these answers when the other app asks.
        foreach (var path in paths)
        {
            using var response = await client.Api.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, path);
        }

        foreach (var path in paths.Append($"/v1/accounts/{Guid.NewGuid()}/transactions").Append($"/v1/accounts/{Guid.NewGuid()}/balances"))
        {
            using var response = await other.Api.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, path);
            Assert.Equal("not_found", await ApiTestClient.CodeAsync(response));
        }

        // A transaction is only found under its own account.
        using var elsewhere = await client.Api.GetAsync($"/v1/accounts/{accounts[1]}/transactions/{transactionId}");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task RepeatedReadsComeFromRedisUntilTheAccountIsInvalidated()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        await SyncedConnectionAsync(client, await _bank.CreatePsuAsync(accounts: 1));
        var accountId = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts"))[0].GetProperty("id").GetGuid();
        var page = $"/v1/accounts/{accountId}/transactions?limit=20&status=booked";
        var balances = $"/v1/accounts/{accountId}/balances";
        using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.App.GetConnectionString("redis"));
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        Assert.Empty(server.Keys(pattern: AccountCache.EntryKeyPrefix(accountId) + "*"));

        var pageRead = await BytesAsync(client.Api, page);
        var balancesRead = await BytesAsync(client.Api, balances);

        // Both answers are in Redis as the bytes sent; a repeated read, and one that bypasses the cache, give the same bytes.
        var keys = server.Keys(pattern: AccountCache.EntryKeyPrefix(accountId) + "*").ToList();
        Assert.Equal(2, keys.Count);
        var stored = await Task.WhenAll(keys.Select(async k => (byte[])(await redis.GetDatabase().StringGetAsync(k))!));
        Assert.Contains(stored, s => s.AsSpan().SequenceEqual(pageRead));
        Assert.Contains(stored, s => s.AsSpan().SequenceEqual(balancesRead));
        Assert.All(keys, k => Assert.InRange(redis.GetDatabase().KeyTimeToLive(k)!.Value, TimeSpan.FromMinutes(9), AccountCache.Lifetime));
        Assert.Equal(pageRead, await BytesAsync(client.Api, page));
        Assert.Equal(pageRead, await BytesAsync(client.Api, page, bypassCache: true));
        Assert.Equal(balancesRead, await BytesAsync(client.Api, balances, bypassCache: true));

        // The data changes underneath, as a sync changes it: reads keep the cached answers until the account is invalidated.
        var changed = "Changed " + Guid.NewGuid().ToString("N")[..8];
        var transactionId = JsonDocument.Parse(pageRead).RootElement.GetProperty("items")[3].GetProperty("id").GetGuid();
        await ExecuteAsync("UPDATE transactions SET remittance = $2 WHERE id = $1", transactionId, changed);
        await ExecuteAsync("UPDATE balances SET amount = amount + 1 WHERE account_id = $1", accountId);
        Assert.Equal(pageRead, await BytesAsync(client.Api, page));
        Assert.Equal(balancesRead, await BytesAsync(client.Api, balances));
        Assert.NotEqual(pageRead, await BytesAsync(client.Api, page, bypassCache: true));

        var version = (long)await redis.GetDatabase().StringGetAsync(AccountVersions.Key(accountId));
        await new AccountVersions(redis, NullLogger<AccountVersions>.Instance).InvalidateAsync([accountId]);

        Assert.Equal(version + 1, (long)await redis.GetDatabase().StringGetAsync(AccountVersions.Key(accountId)));
        var pageAfter = JsonDocument.Parse(await BytesAsync(client.Api, page)).RootElement.GetProperty("items");
        Assert.Equal(changed, pageAfter[3].GetProperty("remittance").GetString());
        var before = JsonDocument.Parse(balancesRead).RootElement.EnumerateArray().Select(b => b.GetProperty("amount").GetDecimal() + 1);
        var after = JsonDocument.Parse(await BytesAsync(client.Api, balances)).RootElement.EnumerateArray().Select(b => b.GetProperty("amount").GetDecimal());
        Assert.Equal(before, after);
        Assert.Equal(await BytesAsync(client.Api, page, bypassCache: true), await BytesAsync(client.Api, page));
    }

    [Fact]
    public async Task AnErasedUserOrAPurgedConnectionIsNotServedFromAnyCache()
    {
        using var erased = await ApiTestClient.CreateAsync(fixture.App);
        using var purged = await ApiTestClient.CreateAsync(fixture.App);
        var purgedConnection = await SyncedConnectionAsync(purged, await _bank.CreatePsuAsync(accounts: 1));
        await SyncedConnectionAsync(erased, await _bank.CreatePsuAsync(accounts: 1));

        // Each answer read twice, so it is in Redis and in the api's memory, its owner confirmed moments ago.
        var erasedPaths = await CachedPathsAsync(erased);
        var purgedPaths = await CachedPathsAsync(purged);

        using (var deleted = await erased.Api.DeleteAsync($"/v1/users/{erased.UserId}"))
        using (var deletedConnection = await purged.Api.DeleteAsync($"/v1/connections/{purgedConnection}?purge=true"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, deletedConnection.StatusCode);
        }

        foreach (var (client, path) in erasedPaths.Select(p => (erased, p)).Concat(purgedPaths.Select(p => (purged, p))))
        {
            using var response = await client.Api.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, path);
        }
    }

    private static async Task<List<string>> CachedPathsAsync(ApiTestClient client)
    {
        var accountId = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts"))[0].GetProperty("id").GetGuid();
        var paths = new List<string> { $"/v1/accounts/{accountId}/transactions?limit=10", $"/v1/accounts/{accountId}/balances" };
        foreach (var path in paths)
        {
            Assert.Equal(await BytesAsync(client.Api, path), await BytesAsync(client.Api, path));
        }

        return paths;
    }

    [Fact]
    public async Task ReadsFallBackToTheDatabaseWhileRedisIsDown()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        await SyncedConnectionAsync(client, await _bank.CreatePsuAsync(accounts: 1));
        var accountId = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts"))[0].GetProperty("id").GetGuid();
        var paths = new[] { $"/v1/accounts/{accountId}/transactions?limit=50", $"/v1/accounts/{accountId}/balances" };

        // A second api whose Redis is a port nothing listens on.
        await using var api = StandaloneService.Start("Psd2.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings__psd2db"] = fixture.App.GetConnectionString("psd2db"),
            ["ConnectionStrings__redis"] = $"127.0.0.1:{Psd2.AppHost.DirectEndpoints.FreePort()},password=unused",
            ["services__sandboxbank__https__0"] = fixture.App.GetEndpoint("sandboxbank", "https").ToString(),
        }.Concat(StandaloneService.ApiSettings(fixture.App)).ToDictionary());
        using var withoutRedis = api.CreateClient();
        withoutRedis.DefaultRequestHeaders.Authorization = client.Api.DefaultRequestHeaders.Authorization;
        await api.WaitForAliveAsync(Eventually.Seconds(60));

        foreach (var path in paths)
        {
            var expected = await BytesAsync(client.Api, path);
            Assert.Equal(expected, await BytesAsync(withoutRedis, path));
            Assert.Equal(expected, await BytesAsync(withoutRedis, path));
        }
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheReadApi()
    {
        using var api = fixture.App.CreateHttpClient("api");

        var paths = (await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");

        foreach (var (path, operationId) in new[]
        {
            ("/v1/users/{userId}/accounts", "ListAccounts"), ("/v1/accounts/{accountId}", "GetAccount"), ("/v1/accounts/{accountId}/balances", "ListBalances"),
            ("/v1/accounts/{accountId}/transactions", "ListTransactions"), ("/v1/accounts/{accountId}/transactions/{transactionId}", "GetTransaction"),
        })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.Equal(operationId, get.GetProperty("operationId").GetString());
            Assert.Equal(["Accounts"], get.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.False(string.IsNullOrEmpty(get.GetProperty("summary").GetString()));
            Assert.True(get.GetProperty("responses").TryGetProperty("200", out _), path);
        }

        var parameters = paths.GetProperty("/v1/accounts/{accountId}/transactions").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["accountId", "limit", "cursor", "dateFrom", "dateTo", "status", "minAmount", "maxAmount", "text"], parameters);
    }

    /// <summary>A connection of the client's user through the decoupled flow, synced once.</summary>
    private static async Task<Guid> SyncedConnectionAsync(ApiTestClient client, TestPsu psu)
    {
        var connectionId = (await client.ActiveDecoupledConnectionAsync(psu)).GetProperty("id").GetGuid();
        var run = await client.SyncAsync(connectionId, TimeSpan.FromSeconds(120));
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        return connectionId;
    }

    private static void AssertSameTransaction(string status, JsonElement bank, JsonElement api)
    {
        var amount = bank.GetProperty("transactionAmount");
        var bankAmount = decimal.Parse(amount.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
        // The counterparty is the other side: the creditor of money going out, the debtor of money coming in.
        var (name, account) = bankAmount < 0 ? ("creditorName", "creditorAccount") : ("debtorName", "debtorAccount");
        Assert.Equal(bankAmount, api.GetProperty("amount").GetDecimal());
        Assert.Equal(JsonValueKind.Number, api.GetProperty("amount").ValueKind);
        Assert.Equal(amount.GetProperty("currency").GetString(), api.GetProperty("currency").GetString());
        Assert.Equal(status, Status(api));
        Assert.Equal(Text(bank, "bookingDate"), Text(api, "bookingDate"));
        Assert.Equal(Text(bank, "valueDate"), Text(api, "valueDate"));
        Assert.Equal(Text(bank, name), Text(api, "counterpartyName"));
        Assert.Equal(bank.TryGetProperty(account, out var reference) ? Text(reference, "iban") : null, Text(api, "counterpartyIban"));
        Assert.Equal(Text(bank, "remittanceInformationUnstructured"), Text(api, "remittance"));
        Assert.Equal(Text(bank, "bankTransactionCode"), Text(api, "bankTransactionCode"));
        Assert.Equal(Text(bank, "transactionId"), Text(api, "bankTransactionId"));
        Assert.Equal(Text(bank, "entryReference"), Text(api, "entryReference"));
    }

    private static void AssertSameBalances(List<JsonElement> bank, JsonElement api)
    {
        Assert.Equal(bank.Count, api.GetArrayLength());
        foreach (var expected in bank)
        {
            var amount = expected.GetProperty("balanceAmount");
            var actual = api.EnumerateArray().Single(b => b.GetProperty("type").GetString() == expected.GetProperty("balanceType").GetString()
                && b.GetProperty("currency").GetString() == amount.GetProperty("currency").GetString());
            Assert.Equal(decimal.Parse(amount.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture), actual.GetProperty("amount").GetDecimal());
            Assert.Equal(Text(expected, "referenceDate"), Text(actual, "referenceDate"));
            Assert.Equal(JsonValueKind.String, actual.GetProperty("updatedAt").ValueKind);
        }
    }

    /// <summary>Newest first: sort date descending, then id descending as PostgreSQL orders uuids (byte by byte, as their text).</summary>
    private static void AssertNewestFirst(List<JsonElement> transactions)
    {
        for (var i = 1; i < transactions.Count; i++)
        {
            var (previous, current) = (transactions[i - 1], transactions[i]);
            Assert.True(SortDate(previous) > SortDate(current)
                || (SortDate(previous) == SortDate(current) && string.CompareOrdinal(Id(previous), Id(current)) > 0), $"out of order at {i}");
        }
    }

    private static string Id(JsonElement t) => t.GetProperty("id").GetString()!;

    private static string? Status(JsonElement t) => t.GetProperty("status").GetString();

    private static DateOnly SortDate(JsonElement t) => DateOnly.ParseExact(Text(t, "bookingDate") ?? Text(t, "valueDate")!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<byte[]> BytesAsync(HttpClient api, string path, bool bypassCache = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bypassCache)
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        }

        using var response = await api.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return body;
    }

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        Assert.True(await command.ExecuteNonQueryAsync() > 0, sql);
    }

    public void Dispose() => _bank.Dispose();
}
