using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Psd2.Core.Accounts;
using Psd2.Core.Connections;
using Psd2.Core.Connectors;
using Psd2.Core.Persistence;
using Psd2.Core.Sync;

namespace Psd2.Api.Tests.Sync;

/// <summary>
/// One account's sync (<see cref="AccountSync"/>) on real PostgreSQL, fed by a bank in this process: the first sync
/// copies, later ones merge (pending that books keeps its id, changes update, vanished pending goes, a repeat writes
/// nothing), and a failure on any page leaves the account as it was.
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class AccountSyncTests(RealStores stores) : IAsyncLifetime
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly HistoryFrom = Today.AddDays(-90);
    private static readonly ConnectorSession Session = new("consent-1", "token", null, "request-1");

    private readonly InProcessApi _api = InProcessApi.On(stores);
    private readonly StubBankConnector _bank = new();
    private Account _account = null!;

    public async Task InitializeAsync()
    {
        using var app = await TestClientApp.CreateAsync(_api);
        _account = await app.AddAccountAsync(_api, "stub");
    }

    [Fact]
    public async Task TheFirstSyncHoldsEveryTransactionOnceAndARepeatWritesNothing()
    {
        var booked = Enumerable.Range(0, 250).Select(i => Booked($"b{i}", Today.AddDays(-(i % 80)), -i - 1m)).ToList();
        _bank.Pages.AddRange([booked[..100], booked[100..200], [.. booked[200..], booked[0]]]);

        var first = await SyncAsync();
        var rows = await RowsAsync();
        var again = await SyncAsync();

        Assert.Equal(new AccountSyncResult(250, 0, 0), first);
        Assert.Equal(booked.Select(t => t.TransactionId).Order(), rows.Select(r => r.BankTransactionId).Order());
        Assert.Equal(new AccountSyncResult(0, 0, 0), again);
        Assert.Equal(rows.Select(r => (r.Id, r.UpdatedAt)), (await RowsAsync()).Select(r => (r.Id, r.UpdatedAt)));
    }

    [Fact]
    public async Task APendingTransactionThatBooksUnderANewIdKeepsThePlatformsId()
    {
        var pending = Pending("p1", Today, -120m, entryReference: "E-1");
        var pendingWithoutReference = Pending("p2", Today, -45.5m, entryReference: null);
        _bank.Serve(Booked("b1", Today.AddDays(-3), 10m), pending, pendingWithoutReference);
        await SyncAsync();
        var before = await RowsAsync();

        // The bank books both under new transactionIds: one found again by its entryReference, one by its fingerprint.
        _bank.Serve(Booked("b1", Today.AddDays(-3), 10m), Booked("b2", Today, -120m, entryReference: "E-1"), Booked("b3", Today, -45.5m, entryReference: null));
        var result = await SyncAsync();
        var after = await RowsAsync();

        Assert.Equal(new AccountSyncResult(0, 2, 0), result);
        Assert.Equal(3, after.Count);
        Assert.All(after, row => Assert.Equal(TransactionStatus.Booked, row.Status));
        Assert.Equal(IdOf(before, "p1"), IdOf(after, "b2"));
        Assert.Equal(IdOf(before, "p2"), IdOf(after, "b3"));
        Assert.Equal(IdOf(before, "b1"), IdOf(after, "b1"));
    }

    [Fact]
    public async Task APendingTransactionTheBankNoLongerListsIsRemovedAndAChangedOneUpdated()
    {
        _bank.Serve(Booked("b1", Today.AddDays(-2), -10m), Pending("p1", Today, -99m, entryReference: "E-9"), Pending("p2", Today, -5m, entryReference: "E-2"));
        await SyncAsync();

        _bank.Serve(Booked("b1", Today.AddDays(-2), -10m, remittance: "corrected text"), Pending("p2", Today, -5m, entryReference: "E-2"));
        var result = await SyncAsync();
        var rows = await RowsAsync();

        Assert.Equal(new AccountSyncResult(0, 1, 1), result);
        Assert.Equal(["b1", "p2"], rows.Select(r => r.BankTransactionId).Order());
        Assert.Equal("corrected text", rows.Single(r => r.BankTransactionId == "b1").Remittance);
    }

    [Fact]
    public async Task AFailureOnAnyPageLeavesTheAccountAsItWas()
    {
        _bank.Serve(Booked("b1", Today.AddDays(-1), -1m));
        _bank.Balances.Add(new ConnectorBalance("closingBooked", 100m, "SEK", Today));
        await SyncAsync();
        var before = await RowsAsync();

        _bank.Pages.Clear();
        _bank.Pages.AddRange([[Booked("b2", Today, -2m)], [Booked("b3", Today, -3m)]]);
        _bank.Balances[0] = new ConnectorBalance("closingBooked", 55m, "SEK", Today);
        _bank.FailOnPage = 1;
        var failure = await Assert.ThrowsAsync<ConnectorException>(SyncAsync);

        Assert.Equal(ConnectorFailure.Transient, failure.Failure);
        Assert.Equal(before.Select(r => r.Id), (await RowsAsync()).Select(r => r.Id));
        await using var scope = _api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        Assert.Equal(100m, (await db.Balances.SingleAsync(b => b.AccountId == _account.Id)).Amount);
    }

    [Fact]
    public async Task LaterSyncsReadFromAWeekBeforeTheLastBookedDate()
    {
        _bank.Serve(Booked("b1", Today.AddDays(-30), -1m), Booked("b2", Today.AddDays(-20), -2m), Pending("p1", Today, -3m, entryReference: "E"));
        await SyncAsync();
        await SyncAsync();

        Assert.Equal([HistoryFrom, Today.AddDays(-20 - AccountSync.OverlapDays)], _bank.ReadsFrom);
    }

    private async Task<AccountSyncResult> SyncAsync()
    {
        await using var scope = _api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountSync>()
            .SyncAsync(_account, _bank, Session, ConnectionAccess.All, HistoryFrom, CancellationToken.None);
    }

    private async Task<List<Transaction>> RowsAsync()
    {
        await using var scope = _api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Psd2DbContext>();
        return await db.Transactions.AsNoTracking().Where(t => t.AccountId == _account.Id).OrderBy(t => t.Id).ToListAsync();
    }

    private static Guid IdOf(List<Transaction> rows, string bankTransactionId) => rows.Single(r => r.BankTransactionId == bankTransactionId).Id;

    private static ConnectorTransaction Booked(string id, DateOnly date, decimal amount, string? entryReference = null, string? remittance = "groceries") =>
        new(id, entryReference, true, amount, "SEK", date, date, "Shop AB", null, remittance, null, $$"""{"transactionId":"{{id}}"}""");

    private static ConnectorTransaction Pending(string id, DateOnly date, decimal amount, string? entryReference) =>
        new(id, entryReference, false, amount, "SEK", null, date, "Shop AB", null, "groceries", null, $$"""{"transactionId":"{{id}}"}""");

    public async Task DisposeAsync() => await _api.DisposeAsync();
}
