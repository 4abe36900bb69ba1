namespace Psd2.Api.Exports;

/// <summary>A column of an export: its header, and its width in the workbook (in characters).</summary>
public sealed record ExportColumn(string Header, double Width);

/// <summary>The columns of each sheet; the CSV export has the transaction columns.</summary>
public static class ExportColumns
{
    public static readonly IReadOnlyList<ExportColumn> Accounts =
    [
        new("Account id", 38), new("IBAN", 26), new("Currency", 9), new("Name", 24), new("Product", 18), new("Owner", 24),
        new("Institution", 14), new("Connection id", 38), new("Last synced (UTC)", 20),
    ];

    public static readonly IReadOnlyList<ExportColumn> Balances =
    [
        new("Account id", 38), new("Account IBAN", 26), new("Balance type", 18), new("Amount", 14), new("Currency", 9),
        new("Reference date", 14), new("Updated (UTC)", 20),
    ];

    public static readonly IReadOnlyList<ExportColumn> Transactions =
    [
        new("Transaction id", 38), new("Account id", 38), new("Account IBAN", 26), new("Booking date", 12), new("Value date", 12),
        new("Status", 9), new("Amount", 14), new("Currency", 9), new("Counterparty", 28), new("Counterparty IBAN", 26),
        new("Remittance information", 40), new("Bank transaction code", 22),
    ];
}
