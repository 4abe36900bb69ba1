using System.Globalization;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// One customer at three banks of different standards (Berlin Group, UK Open Banking, STET), connected through the
/// same redirect flow of the platform: the money the platform stores from each is the same, modulo the identifiers
/// each standard assigns.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StandardsTests(AppFixture fixture) : IDisposable
{
    private readonly Dictionary<string, BankTpp> _banks = new[] { "sandboxbank", "ukbank", "stetbank" }.ToDictionary(bank => bank, bank => new BankTpp(fixture.App, bank: bank));

    [Fact]
    public async Task TheSameSeededMoneyIsTheSameNormalisedTransactionsWhateverTheStandard()
    {
        var seed = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        var connections = new Dictionary<string, Guid>();
        foreach (var (bank, tpp) in _banks)
        {
            connections[bank] = await client.ActiveRedirectConnectionAsync(tpp, bank, await tpp.CreatePsuAsync(accounts: 2, seed: seed));
        }

        foreach (var (bank, id) in connections)
        {
            var run = await client.SyncAsync(id, TimeSpan.FromSeconds(120));
            Assert.True(run.GetProperty("status").GetString() == "succeeded", $"seed {seed}: the sync at {bank} ended {run}");
        }

        var accounts = (await client.Api.GetFromJsonAsync<JsonElement>($"/v1/users/{client.UserId}/accounts")).EnumerateArray().ToList();
        var berlinGroup = AccountsOf(accounts, connections["sandboxbank"]);
        Assert.Equal(2, berlinGroup.Count);

        // The banks keep their days in different zones, so the newest day may not have begun at all: it is left out.
        var before = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        var expected = new List<List<string>>();
        foreach (var account in berlinGroup)
        {
            expected.Add(await MoneyAsync(client, account.Id, before));
            Assert.True(expected[^1].Count > 0, $"seed {seed}: account {account.Name} has no transactions before {before}");
        }

        foreach (var bank in new[] { "ukbank", "stetbank" })
        {
            var other = AccountsOf(accounts, connections[bank]);
            Assert.Equal(berlinGroup.Select(a => (a.Name, a.Currency)), other.Select(a => (a.Name, a.Currency)));
            for (var i = 0; i < berlinGroup.Count; i++)
            {
                var actual = await MoneyAsync(client, other[i].Id, before);
                Assert.True(expected[i].SequenceEqual(actual),
                    $"seed {seed}, account {berlinGroup[i].Name}: Berlin Group and {bank} differ, first at "
                    + expected[i].Zip(actual).FirstOrDefault(p => p.First != p.Second) + $" ({expected[i].Count} vs {actual.Count} transactions)");
            }
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
        foreach (var tpp in _banks.Values)
        {
            tpp.Dispose();
        }
    }
}
