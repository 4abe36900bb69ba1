using CsvHelper;

namespace Psd2.Api.Exports;

/// <summary>
/// An export's transactions as CSV, each with its account's id and IBAN, written straight to the response as they
/// are read. RFC 4180 (comma, CRLF, a field with a comma, quote or line break in double quotes, quotes doubled), UTF-8
/// with a byte order mark so that Excel, which reads a CSV without one in the machine's ANSI code page, shows å, ä
/// and ö. Dates are yyyy-MM-dd; amounts have a point and at least two decimals.
/// </summary>
public static class CsvExport
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>
    /// Anyone who pays the user chooses a remittance text, so a text that starts like a formula (= + - @, tab, CR)
    /// gets a leading apostrophe (CSV injection): a spreadsheet then shows it rather than running it. Numbers, dates
    /// and ids are never touched, and every other text is exactly as the bank sent it.
    /// </summary>
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { WriteByteOrderMark = true, Injection = CsvInjection.Escape };

    public static async Task WriteAsync(ExportRows rows, ExportCounts counts, Stream destination, CancellationToken cancellationToken)
    {
        // Disposed asynchronously: a synchronous flush to the response would be refused.
        await using var csv = CsvWriter.Create(destination, Options, leaveOpen: true);
        foreach (var column in ExportColumns.Transactions)
        {
            csv.WriteField(column.Header);
        }

        await csv.EndRecordAsync(cancellationToken);
        var accounts = await rows.AccountsAsync(cancellationToken);
        counts.Accounts = accounts.Count;
        await foreach (var (account, t) in rows.TransactionsAsync(accounts, cancellationToken))
        {
            csv.WriteField(t.Id, "");
            csv.WriteField(account.Id, "");
            csv.WriteField(account.Iban);
            csv.WriteField(t.BookingDate, "yyyy-MM-dd");
            csv.WriteField(t.ValueDate, "yyyy-MM-dd");
            csv.WriteField(t.Status);
            csv.WriteField(t.Amount, "0.00##");
            csv.WriteField(t.Currency);
            csv.WriteField(t.CounterpartyName);
            csv.WriteField(t.CounterpartyIban);
            csv.WriteField(t.Remittance);
            csv.WriteField(t.BankTransactionCode);
            await csv.EndRecordAsync(cancellationToken);
            counts.Transactions++;
        }

        await csv.FlushAsync(cancellationToken);
    }
}
