namespace Psd2.Api.Exports;

/// <summary>The rows an export has written so far, per sheet: what the audit event records, also for an export cut short.</summary>
public sealed class ExportCounts
{
    public int Accounts { get; set; }
    public int Balances { get; set; }
    public int Transactions { get; set; }
}
