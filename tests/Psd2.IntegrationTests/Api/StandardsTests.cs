using System.Globalization;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// One customer at two banks of different standards (Berlin Group, UK Open Banking), connected through the same
/// redirect flow of the platform: the money the platform stores from each is the same, modulo the identifiers each
/// standard assigns.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StandardsTests(AppFixture fixture) : IDisposable
{
    private readonly BankTpp _berlinGroup = new(fixture.App);
    private readonly BankTpp _openBanking = new(fixture.App, bank: "ukbank");

    [Fact]
    public async Task TheSameSeededMoneyIsTheSameNormalisedTransactionsWhateverTheStandard()
    {
        var seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var connections = new Dictionary<string, Guid>
        {
            ["sandboxbank"] = await client.ActiveRedirectConnectionAsync(_berlinGroup, "sandboxbank", await _berlinGroup.CreatePsuAsync(accounts: 2, seed: seed)),
            ["ukbank"] = await client.ActiveRedirectConnectionAsync(_openBanking, "ukbank", await _openBanking.CreatePsuAsync(accounts: 2, seed: seed)),
        };
        foreach (var (bank, id) in connections)
        {
            var run = await client.SyncAsync(id, TimeSpan.FromSeconds(120));
            Assert.True(run.GetProperty("status").GetString() == "succeeded", $"seed {seed}: the sync at {bank} ended {run}");
        }

        var accounts = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts")).EnumerateArray().ToList();
        var (berlinGroup, openBanking) = (AccountsOf(accounts, connections["sandboxbank"]), AccountsOf(accounts, connections["ukbank"]));
        Assert.Equal(2, berlinGroup.Count);
        Assert.Equal(berlinGroup.Select(a => (a.Name, a.Currency)), openBanking.Select(a => (a.Name, a.Currency)));

        // The banks keep their days in different zones, so the newest day may not have begun at both: it is left out.
        var before = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        for (var i = 0; i < berlinGroup.Count; i++)
        {
            var expected = await MoneyAsync(client, berlinGroup[i].Id, before);
            var actual = await MoneyAsync(client, openBanking[i].Id, before);
            Assert.True(expected.Count > 0, $"seed {seed}: account {berlinGroup[i].Name} has no transactions before {before}");
            Assert.True(expected.SequenceEqual(actual),
                $"seed {seed}, account {berlinGroup[i].Name}: Berlin Group and UK Open Banking differ, first at "
                + expected.Zip(actual).FirstOrDefault(p => p.First != p.Second) + $" ({expected.Count} vs {actual.Count} transactions)");
        }
    }

    private static List<(Guid Id, string? Name, string Currency)> AccountsOf(List<JsonElement> accounts, Guid connectionId) =>
        [.. accounts.Where(a => a.GetProperty("connectionId").GetGuid() == connectionId)
            .Select(a => (a.GetProperty("id").GetGuid(), a.GetProperty("name").GetString(), a.GetProperty("currency").GetString()!))
            .OrderBy(a => a.Item2, StringComparer.Ordinal)];

    /// <summary>What a transaction is as money, in a stable order: everything the normalised model holds but the bank's identifiers.</summary>
    private static async Task<List<string>> MoneyAsync(ApiTestClient client, Guid accountId, DateOnly before) =>
        [.. (await ApiTestClient.AllTransactionsAsync(client.Api, accountId, 500))
            .Where(t => DateOnly.Parse((t.GetProperty("bookingDate").GetString() ?? t.GetProperty("valueDate").GetString())!, CultureInfo.InvariantCulture) < before)
            .Select(t => string.Join(" | ", new[] { "amount", "currency", "bookingDate", "valueDate", "status", "counterpartyName", "remittance" }
                .Select(field => t.GetProperty(field).ToString())))
            .Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        _berlinGroup.Dispose();
        _openBanking.Dispose();
    }
}
