namespace Psd2.SandboxBank.Data;

internal static class OccurrenceKinds
{
    /// <summary>Money in.</summary>
    public static bool IsCredit(OccurrenceKind kind) => kind is OccurrenceKind.TransferIn or OccurrenceKind.Salary
        or OccurrenceKind.OwnTransferIn or OccurrenceKind.Interest or OccurrenceKind.CustomerPayment
        or OccurrenceKind.CardSettlement or OccurrenceKind.CustomerInvoice;
}
