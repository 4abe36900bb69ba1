namespace Psd2.SandboxBank.Data;

/// <summary>One entry on an account statement, booked or pending.</summary>
/// <param name="TransactionId">Opaque; a pending entry gets a new one when it books.</param>
/// <param name="EntryReference">Kept when a pending entry books, so the two can be matched.</param>
/// <param name="BookingDate">Null while pending.</param>
/// <param name="ValueDate">The day it happened.</param>
/// <param name="Amount">Signed: negative is money out. Always two decimals.</param>
/// <param name="CreditorName">The payee of money out (card purchases name the merchant only, as card schemes give no account).</param>
/// <param name="DebtorName">The payer of money in.</param>
/// <param name="BankTransactionCode">ISO 20022 Domain-Family-SubFamily, e.g. PMNT-CCRD-POSD.</param>
public sealed record BankTransaction(
    string TransactionId,
    string EntryReference,
    bool Booked,
    DateOnly? BookingDate,
    DateOnly ValueDate,
    decimal Amount,
    string Currency,
    string? CreditorName,
    string? CreditorIban,
    string? DebtorName,
    string? DebtorIban,
    string RemittanceInformationUnstructured,
    string BankTransactionCode,
    string? ProprietaryBankTransactionCode);
