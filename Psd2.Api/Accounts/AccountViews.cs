using System.Text.Json;
using System.Text.Json.Serialization;
using Psd2.Core.Accounts;

namespace Psd2.Api.Accounts;

public sealed record AccountResponse(
    Guid Id, Guid UserId, string InstitutionId, Guid? ConnectionId, string Iban, string Currency, string? Name, string? Product, string? OwnerName,
    DateTimeOffset? LastSyncedAt)
{
    public static AccountResponse Of(Account a) =>
        new(a.Id, a.UserId, a.InstitutionId, a.ConnectionId, a.Iban, a.Currency, a.Name, a.Product, a.OwnerName, a.LastSyncedAt);
}

public sealed record BalanceResponse(string Type, decimal Amount, string Currency, DateOnly? ReferenceDate, DateTimeOffset UpdatedAt);

/// <summary>A transaction in the platform's model; the bank's own JSON (<c>raw</c>) only when one transaction is read.</summary>
/// <param name="Amount">Signed: negative for money going out.</param>
public sealed record TransactionResponse(
    Guid Id, Guid AccountId, decimal Amount, string Currency, DateOnly? BookingDate, DateOnly? ValueDate, string Status,
    string? CounterpartyName, string? CounterpartyIban, string? Remittance, string? BankTransactionCode, string BankTransactionId,
    string? EntryReference, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Raw = null);

public sealed record TransactionPage(IReadOnlyList<TransactionResponse> Items, string? NextCursor);

public static class Amounts
{
    /// <summary>Amounts are stored with 4 decimals and shown with 2 unless they need more: 12.5000 as 12.50, 0.1234 as it is.</summary>
    public static decimal Shown(decimal stored) => decimal.Round(stored, 2) == stored ? decimal.Round(stored, 2) : stored;
}
