namespace Psd2.Core.Accounts;

/// <summary>One balance of an account as last synced (Berlin Group types: closingBooked, interimAvailable, expected, ...).</summary>
public sealed class Balance
{
    public Guid AccountId { get; set; }
    public required string BalanceType { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    public DateOnly? ReferenceDate { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
