using System.Collections.Concurrent;
using Npgsql;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Infrastructure;

namespace Psd2.SandboxBank.Psus;

public sealed record Psu(string PersonalNumber, string Name, DecoupledBehaviour Decoupled);

/// <summary>
/// The bank's customers and their accounts. Accounts are stored as generated and read as the bank presents them in its
/// country (<see cref="BankCountry"/>), so every dialect, page and control shows the same IBAN and currency. Accounts
/// never change once opened, so they are cached by id.
/// </summary>
public sealed class PsuDirectory(NpgsqlDataSource dataSource, BankCountry country)
{
    private const string AccountColumns =
        "resource_id, iban, currency, name, product, owner_name, opening_balance, opened_on, transactions_per_day, seed";

    private readonly ConcurrentDictionary<string, AccountSeed> _accounts = new(StringComparer.Ordinal);

    public async Task<Psu?> FindAsync(string personalNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            "SELECT personal_number, name, decoupled_behaviour FROM psus WHERE personal_number = $1", personalNumber);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Psu(reader.GetString(0), reader.GetString(1), Enum.Parse<DecoupledBehaviour>(reader.GetString(2)))
            : null;
    }

    public async Task<IReadOnlyList<AccountSeed>> AccountsAsync(string personalNumber, CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command(
            $"SELECT {AccountColumns} FROM accounts WHERE personal_number = $1 ORDER BY position", personalNumber);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var accounts = new List<AccountSeed>();
        while (await reader.ReadAsync(cancellationToken))
        {
            accounts.Add(ReadAccount(reader));
        }

        return accounts;
    }

    public async ValueTask<AccountSeed?> AccountAsync(string resourceId, CancellationToken cancellationToken)
    {
        if (_accounts.TryGetValue(resourceId, out var cached))
        {
            return cached;
        }

        await using var command = dataSource.Command($"SELECT {AccountColumns} FROM accounts WHERE resource_id = $1", resourceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? _accounts.GetOrAdd(resourceId, ReadAccount(reader)) : null;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.Command("SELECT EXISTS (SELECT 1 FROM psus)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Adds a PSU with its accounts; false when the personal number is taken.</summary>
    public async Task<bool> AddAsync(PsuSeed psu, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.Command(
            "INSERT INTO psus (personal_number, name, decoupled_behaviour) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            psu.PersonalNumber, psu.Name, psu.Decoupled.ToString()))
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        for (var position = 0; position < psu.Accounts.Count; position++)
        {
            var a = psu.Accounts[position];
            await using var insert = connection.Command(
                $"INSERT INTO accounts (personal_number, position, {AccountColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                psu.PersonalNumber, position, a.ResourceId, a.Iban, a.Currency, a.Name, a.Product, a.OwnerName, a.OpeningBalance,
                a.OpenedOn, a.TransactionsPerDay, unchecked((long)a.Seed));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private AccountSeed ReadAccount(NpgsqlDataReader r) => country.Present(new AccountSeed(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetDecimal(6),
        r.GetFieldValue<DateOnly>(7), r.GetInt32(8), unchecked((ulong)r.GetInt64(9))));
}
