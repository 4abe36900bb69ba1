using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>Syncing a connection's accounts, balances and transactions into the platform's model.</summary>
[Collection(AppCollection.Name)]
public sealed class SyncTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task FirstSyncHoldsTheBanksTransactionsAndASecondSyncWritesNothing()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: 2);
        var connection = await client.ActiveDecoupledConnectionAsync(psu);
        var id = connection.GetProperty("id").GetGuid();

        var first = await client.SyncAsync(id);
        Assert.Equal("succeeded", first.GetProperty("status").GetString());
        Assert.Equal(2, first.GetProperty("accountsSynced").GetInt32());
        var before = await TransactionStateAsync(id);

        var ours = await _bank.ConnectAsync(psu);
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-730);
        var expected = 0;
        foreach (var resourceId in psu.AccountIds)
        {
            expected += (await BankData.TransactionsAsync(_bank, ours, resourceId, from)).Count;
        }

        Assert.Equal(expected, first.GetProperty("transactionsAdded").GetInt32());
        Assert.Equal(expected, before.Count);

        var second = await client.SyncAsync(id);
        Assert.Equal("succeeded", second.GetProperty("status").GetString());
        Assert.Equal((0, 0, 0), (second.GetProperty("transactionsAdded").GetInt32(), second.GetProperty("transactionsUpdated").GetInt32(), second.GetProperty("transactionsRemoved").GetInt32()));
        Assert.Equal(before, await TransactionStateAsync(id));
        Assert.NotEqual(JsonValueKind.Null, (await client.GetConnectionAsync(id)).GetProperty("lastSyncedAt").ValueKind);
    }

    [Fact]
    public async Task RefreshNeedsTheUsersIpAndAnActiveConnectionOfTheCallersOwn()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var id = (await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync())).GetProperty("id").GetGuid();

        using var noIp = await client.Api.PostAsJsonAsync($"/v1/connections/{id}/refresh", new { });
        using var badIp = await client.Api.PostAsJsonAsync($"/v1/connections/{id}/refresh", new { psuIpAddress = "not-an-ip" });
        using var foreign = await other.Api.PostAsJsonAsync($"/v1/connections/{id}/refresh", new { psuIpAddress = BankData.PsuIp });
        using (await client.Api.DeleteAsync($"/v1/connections/{id}"))
        {
        }

        using var revoked = await client.Api.PostAsJsonAsync($"/v1/connections/{id}/refresh", new { psuIpAddress = BankData.PsuIp });

        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(noIp));
        Assert.Equal("validation_failed", await ApiTestClient.CodeAsync(badIp));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, revoked.StatusCode);
        Assert.Equal("connection_not_active", await ApiTestClient.CodeAsync(revoked));
    }

    /// <summary>Every transaction of the connection's accounts as (bank id, status, updated_at): equal means nothing was written.</summary>
    private async Task<List<string>> TransactionStateAsync(Guid connectionId)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT t.bank_transaction_id, t.status, t.updated_at FROM transactions t JOIN accounts a ON a.id = t.account_id
            WHERE a.connection_id = $1 ORDER BY t.bank_transaction_id
            """, db) { Parameters = { new() { Value = connectionId } } };
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetFieldValue<DateTimeOffset>(2).ToString("O", CultureInfo.InvariantCulture)}");
        }

        return rows;
    }

    public void Dispose() => _bank.Dispose();
}
