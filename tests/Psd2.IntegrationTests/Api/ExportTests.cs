using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CsvHelper;
using DocumentFormat.OpenXml.Spreadsheet;
using Npgsql;
using Psd2.IntegrationTests.Harness;

namespace Psd2.IntegrationTests.Api;

/// <summary>A user's synced data exported as .xlsx and .csv, read back as a client's spreadsheet or parser would.</summary>
[Collection(AppCollection.Name)]
public sealed class ExportTests(AppFixture fixture) : IDisposable
{
    private static readonly string[] TransactionHeaders =
    [
        "Transaction id", "Account id", "Account IBAN", "Booking date", "Value date", "Status", "Amount", "Currency", "Counterparty",
        "Counterparty IBAN", "Remittance information", "Bank transaction code",
    ];

    private readonly BankTpp _bank = new(fixture.App);

    [Fact]
    public async Task XlsxHoldsAccountsBalancesAndTransactionsAsTypedCellsInTheReadApisOrder()
    {
        var (client, _) = await SyncedUserAsync(accounts: 3);
        using var owner = client;

        using var response = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=xlsx");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".xlsx", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var workbook = new ExportedWorkbook(bytes);
        Assert.Empty(workbook.ValidationErrors());
        Assert.Equal(["Accounts", "Balances", "Transactions"], workbook.SheetNames);
        await AssertOtherReadersReadTheSameAsync(workbook, bytes);

        var accounts = await AccountsAsync(client.UserId);
        var (_, accountRows) = workbook.Table("Accounts");
        AssertFrozenHeaderAndFilter(workbook, "Accounts", $"A1:I{accounts.Count + 1}");
        Assert.Equal(accounts.Select(a => a.Id.ToString()), accountRows.Select(r => workbook.Text(r["Account id"])));
        Assert.Equal(accounts.Select(a => a.Iban), accountRows.Select(r => workbook.Text(r["IBAN"])));
        Assert.All(accountRows, r => Assert.Equal("yyyy-mm-dd hh:mm:ss", workbook.NumberFormat(r["Last synced (UTC)"])));
        Assert.All(accounts.Zip(accountRows), pair => Assert.InRange(
            (DateTime.FromOADate((double)ExportedWorkbook.Number(pair.Second["Last synced (UTC)"])) - pair.First.LastSyncedAt!.Value.UtcDateTime).TotalSeconds, -1, 1));

        var balances = await QueryAsync(
            "SELECT a.id, b.amount, b.reference_date FROM balances b JOIN accounts a ON a.id = b.account_id WHERE a.user_id = $1 ORDER BY a.iban, a.currency, a.id, b.balance_type, b.currency",
            r => (AccountId: r.GetGuid(0), Amount: r.GetDecimal(1), ReferenceDate: r.IsDBNull(2) ? (DateOnly?)null : r.GetFieldValue<DateOnly>(2)), client.UserId);
        var (_, balanceRows) = workbook.Table("Balances");
        AssertFrozenHeaderAndFilter(workbook, "Balances", $"A1:G{balances.Count + 1}");
        Assert.NotEmpty(balances);
        Assert.Equal(balances.Select(b => ((string?)b.AccountId.ToString(), b.Amount)), balanceRows.Select(r => (workbook.Text(r["Account id"]), ExportedWorkbook.Number(r["Amount"]))));
        Assert.All(balanceRows, r => Assert.Equal("#,##0.00", workbook.NumberFormat(r["Amount"])));
        Assert.Equal(balances.Select(b => b.ReferenceDate), balanceRows.Select(r => r.TryGetValue("Reference date", out var c) ? Date(workbook, c) : (DateOnly?)null));

        var transactions = await TransactionsAsync(client.UserId);
        var (headers, rows) = workbook.Table("Transactions");
        AssertFrozenHeaderAndFilter(workbook, "Transactions", $"A1:L{transactions.Count + 1}");
        Assert.Equal(TransactionHeaders, headers);
        Assert.True(transactions.Count > 100, $"only {transactions.Count} transactions synced");
        Assert.Equal(transactions.Select(t => t.Id.ToString()), rows.Select(r => workbook.Text(r["Transaction id"])));
        Assert.Equal(transactions.Select(t => t.Iban), rows.Select(r => workbook.Text(r["Account IBAN"])));
        Assert.Equal(transactions.Select(t => t.Amount), rows.Select(r => ExportedWorkbook.Number(r["Amount"])));
        Assert.All(rows, r => Assert.Equal("#,##0.00", workbook.NumberFormat(r["Amount"])));
        Assert.Equal(transactions.Select(t => t.BookingDate), rows.Select(r => r.TryGetValue("Booking date", out var c) ? Date(workbook, c) : (DateOnly?)null));
        Assert.Equal(transactions.Select(t => t.ValueDate), rows.Select(r => r.TryGetValue("Value date", out var c) ? Date(workbook, c) : (DateOnly?)null));
        Assert.Equal(transactions.Select(t => t.Remittance), rows.Select(r => r.TryGetValue("Remittance information", out var c) ? workbook.Text(c) : null));
    }

    [Fact]
    public async Task FiltersNarrowTheExportLikeTheReadApiAndEachExportIsAuditedWithoutIbans()
    {
        var (client, psu) = await SyncedUserAsync(accounts: 2);
        using var owner = client;
        var all = await TransactionsAsync(client.UserId);
        var days = all.Select(t => t.SortDate).Distinct().Order().ToList();
        var (from, to) = (days[days.Count / 4], days[3 * days.Count / 4]);

        var query = $"status=booked&dateFrom={from:yyyy-MM-dd}&dateTo={to:yyyy-MM-dd}&minAmount=-500&maxAmount=-1.5";
        var expected = await TransactionsAsync(client.UserId, "t.status = 'booked' AND t.sort_date BETWEEN $2 AND $3 AND t.amount BETWEEN -500 AND -1.5", from, to);
        Assert.InRange(expected.Count, 1, all.Count - 1);
        Assert.Equal(expected.Select(t => t.Id), await ExportedIdsAsync(client, query));

        var name = all.Select(t => t.CounterpartyName).First(n => n is { Length: >= 6 })!;
        var text = name.Substring(1, 4).ToLowerInvariant();
        var matching = await TransactionsAsync(client.UserId, "coalesce(t.remittance, '') ILIKE $2 OR coalesce(t.counterparty_name, '') ILIKE $2", $"%{text}%");
        Assert.InRange(matching.Count, 1, all.Count - 1);
        Assert.Equal(matching.Select(t => t.Id), await ExportedIdsAsync(client, "text=" + Uri.EscapeDataString(text)));

        var account = (await AccountsAsync(client.UserId))[1];
        using (var response = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=xlsx&accountId={account.Id}"))
        {
            using var workbook = new ExportedWorkbook(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal([account.Id.ToString()], workbook.Table("Accounts").Rows.Select(r => workbook.Text(r["Account id"])));
            Assert.All(workbook.Table("Balances").Rows, r => Assert.Equal(account.Id.ToString(), workbook.Text(r["Account id"])));
            Assert.Equal(all.Where(t => t.AccountId == account.Id).Select(t => t.Id.ToString()), workbook.Table("Transactions").Rows.Select(r => workbook.Text(r["Transaction id"])));
        }

        var audits = await QueryAsync(
            "SELECT details::text FROM audit_events WHERE user_id = $1 AND type = 'data.exported' ORDER BY id", r => r.GetString(0), client.UserId);
        Assert.Equal(3, audits.Count);
        var first = JsonDocument.Parse(audits[0]).RootElement;
        Assert.Equal("xlsx", first.GetProperty("format").GetString());
        Assert.Equal("booked", first.GetProperty("filter").GetProperty("status").GetString());
        Assert.Equal(from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), first.GetProperty("filter").GetProperty("dateFrom").GetString());
        Assert.Equal(-500m, first.GetProperty("filter").GetProperty("minAmount").GetDecimal());
        Assert.Equal(expected.Count, first.GetProperty("rows").GetProperty("transactions").GetInt32());
        Assert.Equal(2, first.GetProperty("rows").GetProperty("accounts").GetInt32());
        Assert.True(first.GetProperty("completed").GetBoolean());
        Assert.Equal(text, JsonDocument.Parse(audits[1]).RootElement.GetProperty("filter").GetProperty("text").GetString());
        Assert.Equal(account.Id, JsonDocument.Parse(audits[2]).RootElement.GetProperty("accountId").GetGuid());
        Assert.All(audits, details => Assert.DoesNotContain(psu.Ibans, iban => details.Contains(iban, StringComparison.Ordinal)));

        var trail = await client.Api.GetFromJsonAsync<JsonElement>($"/v1/audit-events?userId={client.UserId}");
        Assert.Equal(3, trail.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "data.exported"));
    }

    [Fact]
    public async Task CsvHoldsEveryTransactionWithItsIbanAndQuotesWhatNeedsQuoting()
    {
        var (client, _) = await SyncedUserAsync(accounts: 2);
        using var owner = client;
        // The bank's own texts are plain ASCII, so two rows get the texts a CSV must take care with.
        var before = await TransactionsAsync(client.UserId);
        const string Quoted = "Faktura 12, \"expressleverans\" till Åre";
        const string Formula = "=HYPERLINK(\"https://evil.example\",\"click\")";
        await ExecuteAsync("UPDATE transactions SET remittance = $2 WHERE id = $1", before[3].Id, Quoted);
        await ExecuteAsync("UPDATE transactions SET counterparty_name = $2 WHERE id = $1", before[^2].Id, Formula);
        var transactions = await TransactionsAsync(client.UserId);

        using var response = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.Contains(",\"Faktura 12, \"\"expressleverans\"\" till Åre\",", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text.Replace("\r\n", "", StringComparison.Ordinal));

        await using var csv = CsvReader.Create(new MemoryStream(bytes, 3, bytes.Length - 3), CsvReaderOptions.Default, leaveOpen: false);
        var rows = new List<string[]>();
        while (await csv.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, csv.FieldCount).Select(csv.GetString).ToArray());
        }

        Assert.Equal(TransactionHeaders, csv.Headers);
        Assert.Equal(transactions.Count, rows.Count);
        Assert.Equal(transactions.Select(t => t.Id.ToString()), rows.Select(r => r[0]));
        Assert.Equal(transactions.Select(t => (t.AccountId.ToString(), t.Iban)), rows.Select(r => (r[1], r[2])));
        Assert.Equal(transactions.Select(t => t.BookingDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? ""), rows.Select(r => r[3]));
        Assert.Equal(transactions.Select(t => t.Amount), rows.Select(r => decimal.Parse(r[6], CultureInfo.InvariantCulture)));
        Assert.Equal(Quoted, rows.Single(r => r[0] == before[3].Id.ToString())[10]);
        // A text that a spreadsheet would run as a formula is shown as text instead.
        Assert.Equal("'" + Formula, rows.Single(r => r[0] == before[^2].Id.ToString())[8]);
    }

    [Fact]
    public async Task ExportsAreTheCallersOwnAndRefuseBadParameters()
    {
        using var client = await ApiTestClient.CreateAsync(fixture.App);
        using var other = await ApiTestClient.CreateAsync(fixture.App);
        var connection = await client.ActiveDecoupledConnectionAsync(await _bank.CreatePsuAsync(accounts: 1));
        var accountId = connection.GetProperty("accounts")[0].GetProperty("id").GetGuid();

        using var own = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=csv&accountId={accountId}");
        using var foreignUser = await other.Api.GetAsync($"/v1/users/{client.UserId}/export?format=xlsx");
        using var foreignAccount = await other.Api.GetAsync($"/v1/users/{other.UserId}/export?format=xlsx&accountId={accountId}");
        using var unknownAccount = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=xlsx&accountId={Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignUser.StatusCode);
        Assert.Equal("not_found", await ApiTestClient.CodeAsync(foreignUser));
        Assert.Equal(HttpStatusCode.NotFound, foreignAccount.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownAccount.StatusCode);

        foreach (var (query, field) in new[]
        {
            ("format=pdf", "format"), ("", "format"), ("format=xlsx&accountId=not-an-id", "accountId"), ("format=xlsx&dateFrom=2025-02-30", "dateFrom"),
            ("format=csv&status=settled", "status"), ("format=csv&minAmount=10&maxAmount=5", "minAmount"), ("format=xlsx&maxAmount=ten", "maxAmount"),
        })
        {
            using var response = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }

        Assert.Single(await QueryAsync("SELECT id FROM audit_events WHERE user_id = $1 AND type = 'data.exported'", r => r.GetInt64(0), client.UserId));
        Assert.Empty(await QueryAsync("SELECT id FROM audit_events WHERE user_id = $1 AND type = 'data.exported'", r => r.GetInt64(0), other.UserId));
    }

    private sealed record DbAccount(Guid Id, string Iban, DateTimeOffset? LastSyncedAt);

    private sealed record DbTransaction(
        Guid Id, Guid AccountId, string Iban, decimal Amount, DateOnly? BookingDate, DateOnly? ValueDate, DateOnly SortDate, string? Remittance, string? CounterpartyName);

    private async Task<(ApiTestClient Client, TestPsu Psu)> SyncedUserAsync(int accounts)
    {
        var client = await ApiTestClient.CreateAsync(fixture.App);
        var psu = await _bank.CreatePsuAsync(accounts: accounts);
        var connection = await client.ActiveDecoupledConnectionAsync(psu);
        var run = await client.SyncAsync(connection.GetProperty("id").GetGuid(), TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        return (client, psu);
    }

    /// <summary>The transaction ids of an .xlsx export with the given filters, in the file's order.</summary>
    private static async Task<List<Guid>> ExportedIdsAsync(ApiTestClient client, string filters)
    {
        using var response = await client.Api.GetAsync($"/v1/users/{client.UserId}/export?format=xlsx&{filters}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var workbook = new ExportedWorkbook(await response.Content.ReadAsByteArrayAsync());
        return workbook.Table("Transactions").Rows.Select(r => Guid.Parse(workbook.Text(r["Transaction id"])!)).ToList();
    }

    private Task<List<DbAccount>> AccountsAsync(Guid userId) =>
        QueryAsync(
            "SELECT id, iban, last_synced_at FROM accounts WHERE user_id = $1 ORDER BY iban, currency, id",
            r => new DbAccount(r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2)),
            userId);

    /// <summary>The user's transactions in the read API's order, optionally narrowed by a condition over t (parameters from $2).</summary>
    private Task<List<DbTransaction>> TransactionsAsync(Guid userId, string condition = "true", params object[] parameters) => QueryAsync(
        $"""
        SELECT t.id, a.id, a.iban, t.amount, t.booking_date, t.value_date, t.sort_date, t.remittance, t.counterparty_name
        FROM transactions t JOIN accounts a ON a.id = t.account_id
        WHERE a.user_id = $1 AND ({condition})
        ORDER BY a.iban, a.currency, a.id, t.sort_date DESC, t.id DESC
        """,
        r => new DbTransaction(
            r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetDecimal(3), NullableDate(r, 4), NullableDate(r, 5), r.GetFieldValue<DateOnly>(6),
            r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)),
        [userId, .. parameters]);

    private async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params object[] parameters)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var db = new NpgsqlConnection(fixture.App.GetConnectionString("psd2db"));
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static DateOnly? NullableDate(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateOnly>(ordinal);

    /// <summary>A date cell: a number with a date format, read as Excel reads its serial.</summary>
    private static DateOnly Date(ExportedWorkbook workbook, Cell cell)
    {
        Assert.Equal("yyyy-mm-dd", workbook.NumberFormat(cell));
        return DateOnly.FromDateTime(DateTime.FromOADate((double)ExportedWorkbook.Number(cell)));
    }

    private static void AssertFrozenHeaderAndFilter(ExportedWorkbook workbook, string sheet, string filterRange)
    {
        var worksheet = workbook.Worksheet(sheet);
        var pane = worksheet.SheetViews!.GetFirstChild<SheetView>()!.Pane!;
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal(1d, pane.VerticalSplit!.Value);
        Assert.Equal("A2", pane.TopLeftCell!.Value);
        Assert.Equal(filterRange, worksheet.GetFirstChild<AutoFilter>()!.Reference!.Value);
        Assert.All(worksheet.GetFirstChild<SheetData>()!.Elements<Row>().First().Elements<Cell>(), c => Assert.True(workbook.Bold(c), $"{c.CellReference} is not bold"));
    }

    /// <summary>SheetJS and exceljs read every sheet cell for cell as the Open XML SDK does: texts, amounts and dates.</summary>
    private static async Task AssertOtherReadersReadTheSameAsync(ExportedWorkbook workbook, byte[] bytes)
    {
        var readers = await ExportedWorkbook.ThirdPartyReadersAsync(bytes);
        Assert.Equal(["exceljs", "sheetjs"], readers.Keys.Order());
        foreach (var (reader, sheets) in readers)
        {
            Assert.Equal(workbook.SheetNames, sheets.Keys);
            foreach (var sheet in workbook.SheetNames)
            {
                var expected = workbook.Grid(sheet);
                var actual = sheets[sheet];
                Assert.True(expected.Count == actual.Count, $"{reader} reads {actual.Count} rows in {sheet}, the Open XML SDK {expected.Count}");
                for (var row = 0; row < expected.Count; row++)
                {
                    var (e, a) = (expected[row], actual[row]);
                    Assert.True(e.Count == a.Count && e.Zip(a).All(pair => ExportedWorkbook.SameCell(pair.First, pair.Second)),
                        $"{reader}, {sheet} row {row + 1}: [{string.Join(", ", a)}], the Open XML SDK: [{string.Join(", ", e)}]");
                }
            }
        }
    }

    public void Dispose() => _bank.Dispose();
}
