namespace Psd2.SandboxBank.Data;

/// <summary>What happened, which decides the sign, the counterparty and the ISO bank transaction code.</summary>
internal enum OccurrenceKind : byte
{
    CardPurchase,
    CardSubscription,
    CashWithdrawal,
    TransferOut,
    TransferIn,
    Salary,
    StandingOrder,
    DirectDebit,
    OwnTransferOut,
    OwnTransferIn,
    Interest,
    Fee,
    CustomerPayment,
    CardSettlement,
    SupplierInvoice,
    CustomerInvoice,
    StaffSalary,
    TaxPayment,
}
