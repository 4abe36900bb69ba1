using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Psd2.Api.Accounts;
using Psd2.Api.ClientApps;
using Psd2.Core.Accounts;
using Psd2.Core.Persistence;

namespace Psd2.Api.Exports;

/// <summary>One exported transaction: the columns of <see cref="ExportColumns.Transactions"/>, without the bank's raw JSON.</summary>
public sealed record ExportTransaction(
    Guid Id, string Status, decimal Amount, string Currency, DateOnly? BookingDate, DateOnly? ValueDate,
    string? CounterpartyName, string? CounterpartyIban, string? Remittance, string? BankTransactionCode);

/// <summary>Whose data an export holds: a user of the client app, or one of the user's accounts, and the transaction filter.</summary>
public sealed record ExportScope(Caller Caller, Guid UserId, Guid? AccountId, TransactionFilter Filter);

/// <summary>
/// What an export holds: the user's accounts (or one of them), their balances, and their transactions through the
/// shared <see cref="TransactionFilter"/>, in the read API's order. Accounts and balances are a few rows and are
/// read whole; transactions are streamed one account at a time along the (account_id, sort_date desc, id desc)
/// index, so they are never all in memory.
/// </summary>
public sealed class ExportRows(Psd2DbContext db, ExportScope scope)
{
    public Task<List<Account>> AccountsAsync(CancellationToken cancellationToken) =>
        db.Accounts.AsNoTracking()
            .Where(a => a.ClientAppId == scope.Caller.ClientAppId && a.UserId == scope.UserId && (scope.AccountId == null || a.Id == scope.AccountId))
            .OrderBy(a => a.Iban).ThenBy(a => a.Currency).ThenBy(a => a.Id)
            .ToListAsync(cancellationToken);

    /// <summary>Each account's balances, in the accounts' order, then by type and currency.</summary>
    public async Task<List<(Account Account, Balance Balance)>> BalancesAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken)
    {
        var ids = accounts.Select(a => a.Id).ToList();
        var balances = await db.Balances.AsNoTracking().Where(b => ids.Contains(b.AccountId))
            .OrderBy(b => b.BalanceType).ThenBy(b => b.Currency).ToListAsync(cancellationToken);
        return accounts.SelectMany(a => balances.Where(b => b.AccountId == a.Id).Select(b => (a, b))).ToList();
    }

    /// <summary>How many transactions <see cref="TransactionsAsync"/> yields (the same snapshot when both run in one transaction).</summary>
    public Task<int> TransactionCountAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken)
    {
        var ids = accounts.Select(a => a.Id).ToList();
        return scope.Filter.Apply(db.Transactions.AsNoTracking().Where(t => ids.Contains(t.AccountId))).CountAsync(cancellationToken);
    }

    public async IAsyncEnumerable<(Account Account, ExportTransaction Transaction)> TransactionsAsync(
        IReadOnlyList<Account> accounts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var account in accounts)
        {
            var rows = scope.Filter.Apply(db.Transactions.AsNoTracking().Where(t => t.AccountId == account.Id))
                .OrderByDescending(t => t.SortDate).ThenByDescending(t => t.Id)
                .Select(t => new ExportTransaction(
                    t.Id, t.Status, t.Amount, t.Currency, t.BookingDate, t.ValueDate, t.CounterpartyName, t.CounterpartyIban, t.Remittance, t.BankTransactionCode))
                .AsAsyncEnumerable();
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                yield return (account, row);
            }
        }
    }
}
