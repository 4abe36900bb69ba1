using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Psd2.Api.Accounts;
using Psd2.Api.ClientApps;
using Psd2.Core.Accounts;
using Psd2.Core.Persistence;

namespace Psd2.Api.Exports;

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
    public async Task<int> TransactionCountAsync(IReadOnlyList<Account> accounts, CancellationToken cancellationToken)
    {
        await using var batch = Batch(TransactionRows.Count(accounts.Select(a => a.Id).ToList(), scope.Filter));
        return (int)(await batch.ExecuteScalarAsync(cancellationToken))!;
    }

    public async IAsyncEnumerable<(Account Account, TransactionResponse Transaction)> TransactionsAsync(
        IReadOnlyList<Account> accounts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var account in accounts)
        {
            await using var batch = Batch(TransactionRows.List(account.Id, scope.Filter));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return (account, TransactionRows.Read(reader).Transaction);
            }
        }
    }

    /// <summary>A command on the context's connection, inside its transaction (the export's snapshot).</summary>
    private NpgsqlBatch Batch(NpgsqlBatchCommand command)
    {
        var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        batch.BatchCommands.Add(command);
        return batch;
    }
}
