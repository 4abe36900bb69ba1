using System.Globalization;
using Npgsql;

namespace Psd2.Api.Accounts;

/// <summary>
/// The SQL behind every list of transactions (the read API's pages, the exports): one account's rows through the shared
/// <see cref="TransactionFilter"/>, newest first along <c>ix_transactions_account_id_sort_date_id</c>, with only the
/// columns a list shows (never the bank's raw JSON), read by position straight from PostgreSQL's answer.
/// </summary>
public static class TransactionRows
{
    /// <summary>The columns <see cref="Read"/> reads, in its order.</summary>
    private const string Columns = """
        t.id, t.account_id, t.amount, t.currency, t.booking_date, t.value_date, t.status, t.counterparty_name, t.counterparty_iban,
        t.remittance, t.bank_transaction_code, t.bank_transaction_id, t.entry_reference, t.sort_date
        """;

    /// <summary>The account's transactions through <paramref name="filter"/>, after a keyset position, at most <paramref name="limit"/>.</summary>
    public static NpgsqlBatchCommand List(Guid accountId, TransactionFilter filter, (DateOnly SortDate, Guid Id)? after = null, int? limit = null)
    {
        List<NpgsqlParameter> parameters = [new() { Value = accountId }];
        var sql = $"SELECT {Columns} FROM transactions t WHERE t.account_id = $1{filter.Conditions(parameters)}";
        if (after is { } position)
        {
            // A row comparison, which PostgreSQL answers from the index at any depth.
            parameters.Add(new() { Value = position.SortDate });
            parameters.Add(new() { Value = position.Id });
            sql += string.Create(CultureInfo.InvariantCulture, $" AND (t.sort_date, t.id) < (${parameters.Count - 1}, ${parameters.Count})");
        }

        sql += " ORDER BY t.sort_date DESC, t.id DESC";
        if (limit is { } count)
        {
            parameters.Add(new() { Value = count });
            sql += string.Create(CultureInfo.InvariantCulture, $" LIMIT ${parameters.Count}");
        }

        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters.ToArray());
        return command;
    }

    /// <summary>How many transactions of these accounts pass <paramref name="filter"/>.</summary>
    public static NpgsqlBatchCommand Count(IReadOnlyList<Guid> accountIds, TransactionFilter filter)
    {
        List<NpgsqlParameter> parameters = [new() { Value = accountIds.ToArray() }];
        var command = new NpgsqlBatchCommand($"SELECT count(*)::int FROM transactions t WHERE t.account_id = ANY($1){filter.Conditions(parameters)}");
        command.Parameters.AddRange(parameters.ToArray());
        return command;
    }

    /// <summary>The row <paramref name="reader"/> is on, as the read API shows it, with its sort date (for the next cursor).</summary>
    public static (TransactionResponse Transaction, DateOnly SortDate) Read(NpgsqlDataReader reader) => (new TransactionResponse(
        reader.GetGuid(0), reader.GetGuid(1), Amounts.Shown(reader.GetDecimal(2)), reader.GetString(3), NullableDate(reader, 4), NullableDate(reader, 5),
        reader.GetString(6), NullableString(reader, 7), NullableString(reader, 8), NullableString(reader, 9), NullableString(reader, 10),
        reader.GetString(11), NullableString(reader, 12)), reader.GetFieldValue<DateOnly>(13));

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateOnly? NullableDate(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);
}
