using System.Globalization;
using System.IO.Pipelines;
using SpreadCheetah;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;

namespace Psd2.Api.Exports;

/// <summary>
/// An export as an .xlsx workbook with the sheets Accounts, Balances and Transactions, written with SpreadCheetah
/// straight to the response, row by row: nothing of a row is kept once it is written. Each sheet has a frozen bold
/// header, fixed column widths, typed cells (inline strings, dates and amounts as numbers with their formats) and an
/// autofilter over every row, so its row count is read before its rows. Cells carry their references (<c>r="A2"</c>),
/// which the format makes optional but some readers (exceljs) need.
/// </summary>
public static class XlsxExport
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>An Excel sheet's last row is 1,048,576; the header takes one.</summary>
    public const int MaxRows = 1_048_575;

    public static async Task WriteAsync(ExportRows rows, ExportCounts counts, Stream destination, CancellationToken cancellationToken)
    {
        var pipe = PipeWriter.Create(destination, new StreamPipeWriterOptions(leaveOpen: true));
        await using (var spreadsheet = await Spreadsheet.CreateNewAsync(
            new PipeBufferStream(pipe), new SpreadCheetahOptions { WriteCellReferenceAttributes = true }, cancellationToken))
        {
            await WriteSheetsAsync(spreadsheet, rows, counts, cancellationToken);
        }

        // Disposing the spreadsheet wrote the ZIP's central directory into the pipe.
        await pipe.FlushAsync(cancellationToken);
        await pipe.CompleteAsync();
    }

    private static async Task WriteSheetsAsync(Spreadsheet spreadsheet, ExportRows rows, ExportCounts counts, CancellationToken cancellationToken)
    {
        var styles = new Styles(spreadsheet);

        var accounts = await rows.AccountsAsync(cancellationToken);
        await StartSheetAsync(spreadsheet, styles, "Accounts", ExportColumns.Accounts, accounts.Count, cancellationToken);
        foreach (var account in accounts)
        {
            await spreadsheet.AddRowAsync(
            [
                Text(account.Id.ToString()), Text(account.Iban), Text(account.Currency), Text(account.Name), Text(account.Product),
                Text(account.OwnerName), Text(account.InstitutionId), Text(account.ConnectionId?.ToString()), styles.DateTime(account.LastSyncedAt),
            ], cancellationToken);
            counts.Accounts++;
        }

        var balances = await rows.BalancesAsync(accounts, cancellationToken);
        await StartSheetAsync(spreadsheet, styles, "Balances", ExportColumns.Balances, balances.Count, cancellationToken);
        foreach (var (account, balance) in balances)
        {
            await spreadsheet.AddRowAsync(
            [
                Text(account.Id.ToString()), Text(account.Iban), Text(balance.BalanceType), styles.Amount(balance.Amount), Text(balance.Currency),
                styles.Date(balance.ReferenceDate), styles.DateTime(balance.UpdatedAt),
            ], cancellationToken);
            counts.Balances++;
        }

        var transactions = await rows.TransactionCountAsync(accounts, cancellationToken);
        if (transactions > MaxRows)
        {
            throw new InvalidOperationException($"A worksheet holds at most {MaxRows} rows; this export has {transactions} transactions.");
        }

        await StartSheetAsync(spreadsheet, styles, "Transactions", ExportColumns.Transactions, transactions, cancellationToken);
        await foreach (var (account, t) in rows.TransactionsAsync(accounts, cancellationToken))
        {
            await spreadsheet.AddRowAsync(
            [
                Text(t.Id.ToString()), Text(account.Id.ToString()), Text(account.Iban), styles.Date(t.BookingDate), styles.Date(t.ValueDate),
                Text(t.Status), styles.Amount(t.Amount), Text(t.Currency), Text(t.CounterpartyName), Text(t.CounterpartyIban), Text(t.Remittance),
                Text(t.BankTransactionCode),
            ], cancellationToken);
            counts.Transactions++;
        }

        await spreadsheet.FinishAsync(cancellationToken);
    }

    private static async Task StartSheetAsync(
        Spreadsheet spreadsheet, Styles styles, string name, IReadOnlyList<ExportColumn> columns, int rows, CancellationToken cancellationToken)
    {
        var options = new WorksheetOptions
        {
            FrozenRows = 1,
            AutoFilter = new AutoFilterOptions(string.Create(CultureInfo.InvariantCulture, $"A1:{ColumnLetters(columns.Count - 1)}{rows + 1}")),
        };
        for (var i = 0; i < columns.Count; i++)
        {
            options.Column(i + 1).Width = columns[i].Width;
        }

        await spreadsheet.StartWorksheetAsync(name, options, cancellationToken);
        await spreadsheet.AddRowAsync(columns.Select(c => new StyledCell(c.Header, styles.Header)).ToArray(), cancellationToken);
    }

    private static StyledCell Text(string? value) => new(CellText.Printable(value), null);

    private static string ColumnLetters(int index) => index < 26 ? ((char)('A' + index)).ToString() : ColumnLetters((index / 26) - 1) + (char)('A' + (index % 26));

    /// <summary>The workbook's styles: a bold header, ISO dates and times, amounts with two decimals and thousands separators.</summary>
    private sealed class Styles(Spreadsheet spreadsheet)
    {
        public StyleId Header { get; } = spreadsheet.AddStyle(new Style { Font = { Bold = true } });
        private readonly StyleId _date = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd") });
        private readonly StyleId _dateTime = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("yyyy-mm-dd hh:mm:ss") });
        private readonly StyleId _amount = spreadsheet.AddStyle(new Style { Format = NumberFormat.Custom("#,##0.00") });

        public StyledCell Amount(decimal value) => new(value, _amount);

        public StyledCell Date(DateOnly? value) => value is { } date ? new(date.ToDateTime(TimeOnly.MinValue), _date) : Empty;

        public StyledCell DateTime(DateTimeOffset? value) => value is { } time ? new(time.UtcDateTime, _dateTime) : Empty;

        /// <summary>An empty cell without a style (a null DateTime cell would carry the default date format).</summary>
        private static readonly StyledCell Empty = new((string?)null, null);
    }
}
