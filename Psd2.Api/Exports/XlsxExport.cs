using System.IO.Packaging;
using System.IO.Pipelines;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Psd2.Api.Exports;

/// <summary>
/// An export as an .xlsx workbook with the sheets Accounts, Balances and Transactions, streamed to the response.
/// The package is opened write-only, so System.IO.Packaging writes each part straight through as a ZIP entry rather
/// than holding parts in memory (which opening it read-write, as the SDK's SpreadsheetDocument does, would); the
/// sheets are written row by row and the workbook part last, when the filter ranges are known.
/// </summary>
public static class XlsxExport
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private const string RelationshipTypes = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
    private const string PartTypes = "application/vnd.openxmlformats-officedocument.spreadsheetml.";
    private const int RowsPerFlush = 500;

    public static async Task WriteAsync(ExportRows rows, ExportCounts counts, Stream destination, CancellationToken cancellationToken)
    {
        var pipe = PipeWriter.Create(destination, new StreamPipeWriterOptions(leaveOpen: true));
        var sheets = new List<(string Name, string FilterDatabase)>();
        using (var package = Package.Open(new PipeBufferStream(pipe), FileMode.Create, FileAccess.Write))
        {
            var accounts = await rows.AccountsAsync(cancellationToken);
            using (var sheet = Sheet(package, ExportColumns.Accounts, sheets))
            {
                foreach (var account in accounts)
                {
                    sheet.StartRow();
                    sheet.Text(account.Id.ToString());
                    sheet.Text(account.Iban);
                    sheet.Text(account.Currency);
                    sheet.Text(account.Name);
                    sheet.Text(account.Product);
                    sheet.Text(account.OwnerName);
                    sheet.Text(account.InstitutionId);
                    sheet.Text(account.ConnectionId?.ToString());
                    sheet.DateTime(account.LastSyncedAt);
                    sheet.EndRow();
                    counts.Accounts++;
                }

                Finish(sheet, "Accounts", sheets);
            }

            using (var sheet = Sheet(package, ExportColumns.Balances, sheets))
            {
                foreach (var (account, balance) in await rows.BalancesAsync(accounts, cancellationToken))
                {
                    sheet.StartRow();
                    sheet.Text(account.Id.ToString());
                    sheet.Text(account.Iban);
                    sheet.Text(balance.BalanceType);
                    sheet.Amount(balance.Amount);
                    sheet.Text(balance.Currency);
                    sheet.Date(balance.ReferenceDate);
                    sheet.DateTime(balance.UpdatedAt);
                    sheet.EndRow();
                    counts.Balances++;
                }

                Finish(sheet, "Balances", sheets);
            }

            await pipe.FlushAsync(cancellationToken);
            using (var sheet = Sheet(package, ExportColumns.Transactions, sheets))
            {
                await foreach (var (account, t) in rows.TransactionsAsync(accounts, cancellationToken))
                {
                    sheet.StartRow();
                    sheet.Text(t.Id.ToString());
                    sheet.Text(account.Id.ToString());
                    sheet.Text(account.Iban);
                    sheet.Date(t.BookingDate);
                    sheet.Date(t.ValueDate);
                    sheet.Text(t.Status);
                    sheet.Amount(t.Amount);
                    sheet.Text(t.Currency);
                    sheet.Text(t.CounterpartyName);
                    sheet.Text(t.CounterpartyIban);
                    sheet.Text(t.Remittance);
                    sheet.Text(t.BankTransactionCode);
                    sheet.EndRow();
                    if (++counts.Transactions % RowsPerFlush == 0)
                    {
                        await pipe.FlushAsync(cancellationToken);
                    }
                }

                Finish(sheet, "Transactions", sheets);
            }

            WriteStyles(package);
            WriteWorkbook(package, sheets);
        }

        // Closing the package wrote the ZIP's central directory into the pipe.
        await pipe.FlushAsync(cancellationToken);
        await pipe.CompleteAsync();
    }

    /// <summary>The next sheet's part; a write-only package takes one part at a time, written through before the next.</summary>
    private static WorksheetWriter Sheet(Package package, IReadOnlyList<ExportColumn> columns, List<(string Name, string FilterDatabase)> sheets)
    {
        var part = package.CreatePart(new Uri($"/xl/{SheetPath(sheets.Count + 1)}", UriKind.Relative), PartTypes + "worksheet+xml", CompressionOption.Normal);
        return new WorksheetWriter(part.GetStream(FileMode.Create, FileAccess.Write), columns);
    }

    private static void Finish(WorksheetWriter sheet, string name, List<(string Name, string FilterDatabase)> sheets)
    {
        sheet.Finish();
        sheets.Add((name, sheet.FilterDatabase(name)));
    }

    private static void WriteStyles(Package package)
    {
        var part = package.CreatePart(new Uri("/xl/styles.xml", UriKind.Relative), PartTypes + "styles+xml", CompressionOption.Normal);
        using var stream = part.GetStream(FileMode.Create, FileAccess.Write);
        XlsxStyles.Stylesheet().Save(stream);
    }

    private static void WriteWorkbook(Package package, IReadOnlyList<(string Name, string FilterDatabase)> sheets)
    {
        var part = package.CreatePart(new Uri("/xl/workbook.xml", UriKind.Relative), PartTypes + "sheet.main+xml", CompressionOption.Normal);
        package.CreateRelationship(part.Uri, TargetMode.Internal, RelationshipTypes + "officeDocument");
        var ids = sheets.Select((_, i) => part.CreateRelationship(new Uri(SheetPath(i + 1), UriKind.Relative), TargetMode.Internal, RelationshipTypes + "worksheet").Id).ToList();
        part.CreateRelationship(new Uri("styles.xml", UriKind.Relative), TargetMode.Internal, RelationshipTypes + "styles");

        // Each sheet's autofilter range is also a hidden name in the workbook, as Excel writes it.
        var workbook = new Workbook(
            new BookViews(new WorkbookView()),
            new Sheets(sheets.Select((s, i) => new Sheet { Name = s.Name, SheetId = (uint)i + 1, Id = ids[i] })),
            new DefinedNames(sheets.Select((s, i) => new DefinedName { Name = "_xlnm._FilterDatabase", LocalSheetId = (uint)i, Hidden = true, Text = s.FilterDatabase })));
        using var stream = part.GetStream(FileMode.Create, FileAccess.Write);
        workbook.Save(stream);
    }

    /// <summary>A sheet's path, relative to the workbook part in /xl.</summary>
    private static string SheetPath(int number) => $"worksheets/sheet{number}.xml";
}
