using System.Globalization;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>
/// One customer at three banks of different standards and countries (a Swedish Berlin Group bank, a British UK Open
/// Banking one, a French STET one), connected through the same redirect flow of the platform: the money the platform
/// stores from each is the same, modulo the identifiers each standard assigns and the country each bank presents its
/// accounts in (its IBANs, and kronor shown as pounds or euros).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class StandardsTests(AppFixture fixture) : IDisposable
{
    private readonly Dictionary<string, BankTpp> _banks = new[] { "sandboxbank", "ukbank", "stetbank" }.ToDictionary(bank => bank, bank => new BankTpp(fixture.App, bank: bank));

    /// <summary>Each bank's country: what its accounts' IBANs start with, and the currency it shows the Swedish bank's kronor in.</summary>
    private static readonly Dictionary<string, (string IbanCountry, string Kronor)> Countries = new()
    {
        ["sandboxbank"] = ("SE", "SEK"),
        ["ukbank"] = ("GB", "GBP"),
        ["stetbank"] = ("FR", "EUR"),
    };

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
        // A Finland resident's accounts at the Swedish bank are Finnish, in euros.
        Assert.All(berlinGroup, a => Assert.True(a.Iban.StartsWith(Countries["sandboxbank"].IbanCountry, StringComparison.Ordinal) || (a.Iban.StartsWith("FI", StringComparison.Ordinal) && a.Currency == "EUR"), a.Iban));

        // The banks keep their days in different zones, so the newest day may not have begun at all: it is left out.
        var before = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-2);
        var expected = new List<List<Money>>();
        foreach (var account in berlinGroup)
        {
            expected.Add(await MoneyAsync(client, account.Id, before));
            Assert.True(expected[^1].Count > 0, $"seed {seed}: account {account.Name} has no transactions before {before}");
            Assert.All(expected[^1], t => Assert.Equal(account.Currency, t.Currency));
        }

        foreach (var bank in new[] { "ukbank", "stetbank" })
        {
            var other = AccountsOf(accounts, connections[bank]);
            Assert.Equal(berlinGroup.Select(a => (a.Name, Presented(bank, a.Currency))), other.Select(a => (a.Name, a.Currency)));
            Assert.All(other, a => Assert.StartsWith(Countries[bank].IbanCountry, a.Iban, StringComparison.Ordinal));
            for (var i = 0; i < berlinGroup.Count; i++)
            {
                var presented = expected[i].Select(t => Line(t with { Currency = Presented(bank, t.Currency) })).Order(StringComparer.Ordinal).ToList();
                var actual = (await MoneyAsync(client, other[i].Id, before)).Select(Line).Order(StringComparer.Ordinal).ToList();
                Assert.True(presented.SequenceEqual(actual),
                    $"seed {seed}, account {berlinGroup[i].Name}: Berlin Group and {bank} differ, first at "
                    + presented.Zip(actual).FirstOrDefault(p => p.First != p.Second) + $" ({presented.Count} vs {actual.Count} transactions)");
            }
        }
    }

    /// <summary>The currency <paramref name="bank"/> shows an account of the Swedish bank in: its own for kronor, any other as it is.</summary>
    private static string Presented(string bank, string swedishCurrency) => swedishCurrency == "SEK" ? Countries[bank].Kronor : swedishCurrency;

    private static List<(Guid Id, string? Name, string Currency, string Iban)> AccountsOf(List<JsonElement> accounts, Guid connectionId) =>
        [.. accounts.Where(a => a.GetProperty("connectionId").GetGuid() == connectionId)
            .Select(a => (a.GetProperty("id").GetGuid(), a.GetProperty("name").GetString(), a.GetProperty("currency").GetString()!, a.GetProperty("iban").GetString()!))
            .OrderBy(a => a.Item2, StringComparer.Ordinal)];

    /// <summary>What a transaction is as money: everything the normalised model holds but the bank's identifiers.</summary>
    private static async Task<List<Money>> MoneyAsync(ApiTestClient client, Guid accountId, DateOnly before) =>
        [.. (await ApiTestClient.AllTransactionsAsync(client.Api, accountId, 500))
            .Where(t => DateOnly.Parse((t.GetProperty("bookingDate").GetString() ?? t.GetProperty("valueDate").GetString())!, CultureInfo.InvariantCulture) < before)
            .Select(t => new Money(t.GetProperty("amount").ToString(), t.GetProperty("currency").GetString()!,
                string.Join(" | ", new[] { "bookingDate", "valueDate", "status", "counterpartyName", "remittance" }.Select(field => t.GetProperty(field).ToString()))))];

    private static string Line(Money t) => $"{t.Amount} | {t.Currency} | {t.Rest}";

    private sealed record Money(string Amount, string Currency, string Rest);

    public void Dispose()
    {
        foreach (var tpp in _banks.Values)
        {
            tpp.Dispose();
        }
    }
}
