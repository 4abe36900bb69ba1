using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Psd2.Core.Accounts;
using Psd2.Core.Connectors;

namespace Psd2.Core.Sync;

/// <summary>What one account's sync changed.</summary>
public readonly record struct AccountSyncResult(int Added, int Updated, int Removed);

/// <summary>
/// Syncs one account all-or-nothing: in one PostgreSQL transaction (serialised per account with an advisory lock) the
/// bank's pages, read a few ahead of the writer, stream through binary COPY into a staging table as they arrive, then a few set-based statements
/// reconcile pending transactions that booked under a new id (entryReference, then fingerprint), upsert only what
/// changed, and remove pending ones the bank no longer lists. A failure on any page rolls everything back.
/// </summary>
public sealed partial class AccountSync(NpgsqlDataSource dataSource, TimeProvider time, ILogger<AccountSync> logger)
{
    /// <summary>Later syncs start this many days before the last booked date, to catch late bookings.</summary>
    public const int OverlapDays = 7;

    /// <summary>Transaction pages the bank is asked for ahead of the one being written.</summary>
    public const int PagesAhead = 4;

    public async Task<AccountSyncResult> SyncAsync(
        Account account, IAccountReader connector, ConnectorSession session, IReadOnlyList<string> access, DateOnly historyFrom, CancellationToken cancellationToken)
    {
        var balances = access.Contains(Connections.ConnectionAccess.Balances)
            ? await connector.GetBalancesAsync(session, account.BankResourceId, cancellationToken)
            : null;
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", cancellationToken, account.Id);

        var result = default(AccountSyncResult);
        if (access.Contains(Connections.ConnectionAccess.Transactions))
        {
            // The account's first sync has nothing to reconcile, update or remove: its rows are copied straight into
            // transactions, inside this transaction, as the pages arrive. Later syncs stage and merge.
            var first = !await AnyTransactionAsync(connection, account.Id, cancellationToken);
            var from = first ? historyFrom : await FromDateAsync(connection, account.Id, historyFrom, cancellationToken);
            var started = Stopwatch.GetTimestamp();
            var pages = connector.GetTransactionsAsync(session, account.BankResourceId, from, cancellationToken).ReadAhead(PagesAhead, cancellationToken);
            var copied = first
                ? await CopyAsync(connection, "transactions", account.Id, now, pages, cancellationToken)
                : await StageAsync(connection, account.Id, now, pages, cancellationToken);
            var fetched = Stopwatch.GetElapsedTime(started);
            result = first ? new AccountSyncResult(copied, 0, 0) : await MergeAsync(connection, account.Id, from, now, cancellationToken);
            LogSynced(account.Id, copied, from, first ? "copied" : "staged", fetched.TotalMilliseconds, (Stopwatch.GetElapsedTime(started) - fetched).TotalMilliseconds,
                result.Added, result.Updated, result.Removed);
        }

        if (balances is not null)
        {
            await SaveBalancesAsync(connection, account.Id, balances, now, cancellationToken);
        }

        await ExecuteAsync(connection, "UPDATE accounts SET last_synced_at = $2 WHERE id = $1", cancellationToken, account.Id, now);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The whole history the consent allows on the first sync; afterwards from the last booked date less the overlap.</summary>
    private static async Task<DateOnly> FromDateAsync(NpgsqlConnection connection, Guid accountId, DateOnly historyFrom, CancellationToken cancellationToken)
    {
        return await ScalarAsync(connection, "SELECT max(sort_date) FROM transactions WHERE account_id = $1 AND status = 'booked'", cancellationToken, accountId) is DateOnly last && last.AddDays(-OverlapDays) > historyFrom
            ? last.AddDays(-OverlapDays)
            : historyFrom;
    }

    private static async Task<int> StageAsync(
        NpgsqlConnection connection, Guid accountId, DateTimeOffset now, IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> pages, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "CREATE TEMP TABLE staging (LIKE transactions) ON COMMIT DROP", cancellationToken);
        var rows = await CopyAsync(connection, "staging", accountId, now, pages, cancellationToken);
        await ExecuteAsync(connection, "CREATE INDEX ON staging (bank_transaction_id); ANALYZE staging", cancellationToken);
        return rows;
    }

    /// <summary>
    /// The pages' transactions as rows of <paramref name="table"/> (transactions, or staging of the same shape) through
    /// one binary COPY, each bank transactionId once (a transaction the bank lists twice, on two pages, is the same one).
    /// </summary>
    private static async Task<int> CopyAsync(
        NpgsqlConnection connection, string table, Guid accountId, DateTimeOffset now, IAsyncEnumerable<IReadOnlyList<ConnectorTransaction>> pages,
        CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (id, account_id, bank_transaction_id, entry_reference, status, amount, currency, booking_date, value_date, sort_date, "
            + "counterparty_name, counterparty_iban, remittance, bank_transaction_code, fingerprint, raw, created_at, updated_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            foreach (var t in page)
            {
                if (!seen.Add(t.TransactionId))
                {
                    continue;
                }

                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(accountId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(t.TransactionId, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, t.EntryReference, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(t.Booked ? TransactionStatus.Booked : TransactionStatus.Pending, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(t.Amount, NpgsqlDbType.Numeric, cancellationToken);
                await importer.WriteAsync(t.Currency, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, t.BookingDate, NpgsqlDbType.Date, cancellationToken);
                await WriteAsync(importer, t.ValueDate, NpgsqlDbType.Date, cancellationToken);
                await importer.WriteAsync(t.BookingDate ?? t.ValueDate ?? DateOnly.MinValue, NpgsqlDbType.Date, cancellationToken);
                await WriteAsync(importer, t.CounterpartyName, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, t.CounterpartyIban, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, t.Remittance, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, t.BankTransactionCode, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(Fingerprint(t), NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(t.Raw, NpgsqlDbType.Jsonb, cancellationToken);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }
        }

        return (int)await importer.CompleteAsync(cancellationToken);
    }

    private static async Task<AccountSyncResult> MergeAsync(NpgsqlConnection connection, Guid accountId, DateOnly from, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reconciled = 0;
        if (await AnyPendingGoneAsync(connection, accountId, cancellationToken))
        {
            reconciled = await ExecuteAsync(connection, Reconcile("entry_reference"), cancellationToken, accountId, now)
                + await ExecuteAsync(connection, Reconcile("fingerprint"), cancellationToken, accountId, now);
        }

        await using var upsert = new NpgsqlCommand(Upsert, connection);
        await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (added, updated) = (reader.GetInt32(0), reader.GetInt32(1));
        await reader.CloseAsync();

        var removed = await ExecuteAsync(connection, """
            DELETE FROM transactions t
            WHERE t.account_id = $1 AND t.status = 'pending' AND t.sort_date >= $2
              AND NOT EXISTS (SELECT 1 FROM staging s WHERE s.bank_transaction_id = t.bank_transaction_id)
            """, cancellationToken, accountId, from);
        return new AccountSyncResult(added, updated + reconciled, removed);
    }

    /// <summary>Whether any pending transaction is no longer listed; usually none, and then reconciling (two sorts of the staging table) is skipped.</summary>
    private static async Task<bool> AnyPendingGoneAsync(NpgsqlConnection connection, Guid accountId, CancellationToken cancellationToken)
    {
        return (bool)(await ScalarAsync(connection, """
            SELECT EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = $1 AND t.status = 'pending'
                           AND NOT EXISTS (SELECT 1 FROM staging s WHERE s.bank_transaction_id = t.bank_transaction_id))
            """, cancellationToken, accountId))!;
    }

    /// <summary>
    /// A pending transaction the bank no longer lists takes over (keeping the platform's id) a booked one the platform
    /// does not have yet with the same key; pairs are made in order within each key, so twins never collide.
    /// </summary>
    private static string Reconcile(string key) => $"""
        WITH gone AS (
            SELECT t.id, t.{key} AS key, row_number() OVER (PARTITION BY t.{key} ORDER BY t.sort_date, t.id) AS n
            FROM transactions t
            WHERE t.account_id = $1 AND t.status = 'pending' AND t.{key} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM staging s WHERE s.bank_transaction_id = t.bank_transaction_id)),
        fresh AS (
            SELECT s.bank_transaction_id, s.{key} AS key, row_number() OVER (PARTITION BY s.{key} ORDER BY s.sort_date, s.bank_transaction_id) AS n
            FROM staging s
            WHERE s.status = 'booked' AND s.{key} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM transactions x WHERE x.account_id = $1 AND x.bank_transaction_id = s.bank_transaction_id))
        UPDATE transactions t SET
            bank_transaction_id = s.bank_transaction_id, entry_reference = s.entry_reference, status = s.status, amount = s.amount,
            currency = s.currency, booking_date = s.booking_date, value_date = s.value_date, sort_date = s.sort_date,
            counterparty_name = s.counterparty_name, counterparty_iban = s.counterparty_iban, remittance = s.remittance,
            bank_transaction_code = s.bank_transaction_code, fingerprint = s.fingerprint, raw = s.raw, updated_at = $2
        FROM gone g
        JOIN fresh f ON f.key = g.key AND f.n = g.n
        JOIN staging s ON s.bank_transaction_id = f.bank_transaction_id
        WHERE t.id = g.id
        """;

    private static async Task<bool> AnyTransactionAsync(NpgsqlConnection connection, Guid accountId, CancellationToken cancellationToken)
    {
        return (bool)(await ScalarAsync(connection, "SELECT EXISTS (SELECT 1 FROM transactions WHERE account_id = $1)", cancellationToken, accountId))!;
    }

    /// <summary>New transactions inserted, changed ones updated, unchanged ones not touched (so a repeated sync writes nothing).</summary>
    private const string Upsert = """
        WITH written AS (
        INSERT INTO transactions (id, account_id, bank_transaction_id, entry_reference, status, amount, currency, booking_date, value_date,
                                  sort_date, counterparty_name, counterparty_iban, remittance, bank_transaction_code, fingerprint, raw, created_at, updated_at)
        SELECT s.id, s.account_id, s.bank_transaction_id, s.entry_reference, s.status, s.amount, s.currency, s.booking_date, s.value_date,
               s.sort_date, s.counterparty_name, s.counterparty_iban, s.remittance, s.bank_transaction_code, s.fingerprint, s.raw, s.created_at, s.updated_at
        FROM staging s
        ON CONFLICT (account_id, bank_transaction_id) DO UPDATE SET
            entry_reference = EXCLUDED.entry_reference, status = EXCLUDED.status, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
            booking_date = EXCLUDED.booking_date, value_date = EXCLUDED.value_date, sort_date = EXCLUDED.sort_date,
            counterparty_name = EXCLUDED.counterparty_name, counterparty_iban = EXCLUDED.counterparty_iban, remittance = EXCLUDED.remittance,
            bank_transaction_code = EXCLUDED.bank_transaction_code, fingerprint = EXCLUDED.fingerprint, raw = EXCLUDED.raw, updated_at = EXCLUDED.updated_at
        WHERE (transactions.entry_reference, transactions.status, transactions.amount, transactions.currency, transactions.booking_date,
               transactions.value_date, transactions.counterparty_name, transactions.counterparty_iban, transactions.remittance,
               transactions.bank_transaction_code, transactions.raw)
              IS DISTINCT FROM
              (EXCLUDED.entry_reference, EXCLUDED.status, EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.booking_date,
               EXCLUDED.value_date, EXCLUDED.counterparty_name, EXCLUDED.counterparty_iban, EXCLUDED.remittance,
               EXCLUDED.bank_transaction_code, EXCLUDED.raw)
        RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted)::int, count(*) FILTER (WHERE NOT inserted)::int FROM written
        """;

    private static async Task SaveBalancesAsync(NpgsqlConnection connection, Guid accountId, IReadOnlyList<ConnectorBalance> balances, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, """
            INSERT INTO balances (account_id, balance_type, amount, currency, reference_date, updated_at)
            SELECT $1, b.type, b.amount, b.currency, b.reference_date, $6
            FROM unnest($2::text[], $3::numeric[], $4::text[], $5::date[]) AS b(type, amount, currency, reference_date)
            ON CONFLICT (account_id, balance_type, currency) DO UPDATE SET
                amount = EXCLUDED.amount, reference_date = EXCLUDED.reference_date, updated_at = EXCLUDED.updated_at
            WHERE (balances.amount, balances.reference_date) IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.reference_date)
            """, cancellationToken, accountId, balances.Select(b => b.Type).ToArray(), balances.Select(b => b.Amount).ToArray(),
            balances.Select(b => b.Currency).ToArray(), balances.Select(b => b.ReferenceDate).ToArray(), now);
        await ExecuteAsync(connection, """
            DELETE FROM balances WHERE account_id = $1
              AND (balance_type, currency) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))
            """, cancellationToken, accountId, balances.Select(b => b.Type).ToArray(), balances.Select(b => b.Currency).ToArray());
    }

    /// <summary>What identifies a transaction across its pending and booked lives when the bank gives no entryReference.</summary>
    public static string Fingerprint(ConnectorTransaction t) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{t.Amount.ToString("0.00##", System.Globalization.CultureInfo.InvariantCulture)}|{t.Currency}|{t.ValueDate:yyyy-MM-dd}|{t.CounterpartyName}|{t.Remittance}")))[..32];

    private static Task WriteAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter importer, DateOnly? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value.Value, type, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Account {AccountId}: {Transactions} transactions since {From} fetched and {Written} in {FetchMs:0} ms, merged in {MergeMs:0} ms ({Added} added, {Updated} updated, {Removed} removed)")]
    private partial void LogSynced(Guid accountId, int transactions, DateOnly from, string written, double fetchMs, double mergeMs, int added, int updated, int removed);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }
}
