using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.Accounts;
using Psd2.Core.Persistence;

namespace Psd2.Api.Tests;

/// <summary>
/// An account's transactions read through the api in-process on real PostgreSQL and Redis, from rows written straight
/// into psd2db: every page size gives the same list, and each filter gives exactly the rows it describes.
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class TransactionsTests(RealStores stores) : IAsyncLifetime
{
    private static readonly DateOnly Today = new(2026, 6, 30);
    private static readonly string[] Texts = ["RENT June", "groceries", "Salary", "rent deposit", "coffee 100%", "under_score", null!];

    private readonly InProcessApi _api = InProcessApi.On(stores);
    private TestClientApp? _app;
    private Guid _accountId;
    private List<Transaction> _rows = [];

    private sealed record Item(Guid Id, decimal Amount, DateOnly? BookingDate, DateOnly? ValueDate, string Status, string? Remittance, string? CounterpartyName);

    private sealed record Page(List<Item> Items, string? NextCursor);

    public async Task InitializeAsync()
    {
        _app = await TestClientApp.CreateAsync(_api);
        var account = await _app.AddAccountAsync(_api, "sandboxbank");
        _accountId = account.Id;
        var now = DateTimeOffset.UtcNow;
        _rows = Enumerable.Range(0, 260).Select(i =>
        {
            var pending = i % 9 == 0;
            var date = Today.AddDays(-(i * 7 % 120));
            return new Transaction
            {
                Id = Guid.CreateVersion7(), AccountId = account.Id, BankTransactionId = $"t{i}", Status = pending ? TransactionStatus.Pending : TransactionStatus.Booked,
                Amount = ((i * 37 % 1000) - 500) + (i % 4 * 0.25m), Currency = "SEK", BookingDate = pending ? null : date, ValueDate = date, SortDate = date,
                Remittance = Texts[i % Texts.Length], CounterpartyName = i % 5 == 0 ? "Rentals AB" : "Shop " + i, Fingerprint = $"f{i}", Raw = "{}",
                CreatedAt = now, UpdatedAt = now,
            };
        }).ToList();
        using var scope = _api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        db.Transactions.AddRange(_rows);
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task EveryPageSizeGivesTheSameListNewestFirstEachTransactionOnce()
    {
        var lists = new List<List<Guid>>();
        foreach (var limit in new[] { 7, 100, 500 })
        {
            var items = await AllPagesAsync($"limit={limit}");
            Assert.Equal(_rows.Count, items.Count);
            Assert.Equal(_rows.Select(r => r.Id).Order(), items.Select(i => i.Id).Order());
            Assert.True(items.Zip(items.Skip(1)).All(pair => SortDate(pair.First) >= SortDate(pair.Second)), "not newest first");
            lists.Add(items.Select(i => i.Id).ToList());
        }

        Assert.All(lists, list => Assert.Equal(lists[0], list));
    }

    [Theory]
    [InlineData("status=pending")]
    [InlineData("status=booked")]
    [InlineData("dateFrom=2026-05-01")]
    [InlineData("dateTo=2026-04-15")]
    [InlineData("dateFrom=2026-04-01&dateTo=2026-04-30")]
    [InlineData("minAmount=-100.5&maxAmount=250")]
    [InlineData("minAmount=0")]
    [InlineData("text=rent")]
    [InlineData("text=RENT")]
    [InlineData("text=100%25")]
    [InlineData("text=_")]
    [InlineData("status=booked&text=rent&minAmount=-400&dateFrom=2026-03-15")]
    public async Task EachFilterGivesExactlyTheRowsItDescribes(string query)
    {
        var filters = query.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        var expected = _rows.Where(r => Matches(r, filters)).Select(r => r.Id).Order().ToList();

        var items = await AllPagesAsync("limit=50&" + query);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, items.Select(i => i.Id).Order().ToList());
    }

    private static bool Matches(Transaction t, Dictionary<string, string> filters) => filters.All(filter => filter.Key switch
    {
        "status" => t.Status == filter.Value,
        "dateFrom" => t.SortDate >= DateOnly.Parse(filter.Value, CultureInfo.InvariantCulture),
        "dateTo" => t.SortDate <= DateOnly.Parse(filter.Value, CultureInfo.InvariantCulture),
        "minAmount" => t.Amount >= decimal.Parse(filter.Value, CultureInfo.InvariantCulture),
        "maxAmount" => t.Amount <= decimal.Parse(filter.Value, CultureInfo.InvariantCulture),
        "text" => (t.Remittance ?? "").Contains(filter.Value, StringComparison.OrdinalIgnoreCase)
            || (t.CounterpartyName ?? "").Contains(filter.Value, StringComparison.OrdinalIgnoreCase),
        _ => throw new ArgumentException(filter.Key),
    });

    private static DateOnly SortDate(Item item) => item.BookingDate ?? item.ValueDate!.Value;

    private async Task<List<Item>> AllPagesAsync(string query)
    {
        var items = new List<Item>();
        for (string? cursor = ""; cursor is not null;)
        {
            var page = (await _app!.Api.GetFromJsonAsync<Page>(
                $"/v1/accounts/{_accountId}/transactions?{query}" + (cursor.Length > 0 ? "&cursor=" + Uri.EscapeDataString(cursor) : "")))!;
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }

        return items;
    }

    public async Task DisposeAsync()
    {
        _app?.Dispose();
        await _api.DisposeAsync();
    }
}
