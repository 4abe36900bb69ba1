namespace Psd2.Core.Accounts;

/// <summary>
/// A transaction in the platform's model, whatever the bank's dialect: a signed amount, booked or pending, the
/// counterparty, and the bank's own ids and JSON for audit. Its id stays when a pending transaction books.
/// </summary>
public sealed class Transaction
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string BankTransactionId { get; set; }
    public string? EntryReference { get; set; }
    public required string Status { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public DateOnly? BookingDate { get; set; }
    public DateOnly? ValueDate { get; set; }
    /// <summary>The booking date, or the value date while pending: the order transactions are read in.</summary>
    public DateOnly SortDate { get; set; }
    public string? CounterpartyName { get; set; }
    public string? CounterpartyIban { get; set; }
    public string? Remittance { get; set; }
    public string? BankTransactionCode { get; set; }
    /// <summary>What identifies a pending transaction that books without an entryReference: amount, currency, value date, counterparty, text.</summary>
    public required string Fingerprint { get; set; }
    public required string Raw { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class TransactionStatus
{
    public const string Booked = "booked";
    public const string Pending = "pending";
}
