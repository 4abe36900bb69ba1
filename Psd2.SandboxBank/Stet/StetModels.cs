using System.Text.Json.Serialization;

namespace Psd2.SandboxBank.Stet;

// The shapes of the STET PSD2 API (specs/stet/stet-openapi.json) that this bank speaks, named as there.

public sealed record ErrorModel(string Timestamp, int Status, string Error, string Message, string? Path);

public sealed record GenericLink(string Href);

public sealed record AccountIdentification(string? Iban = null, string? Currency = null);

public sealed record AmountType(string Currency, string Amount);

public sealed record AccountLinks(GenericLink? Balances, GenericLink? Transactions);

public sealed record AccountResource(
    string ResourceId,
    string BicFi,
    AccountIdentification AccountId,
    string Name,
    string Usage,
    string CashAccountType,
    string Product,
    string Currency,
    string PsuStatus,
    [property: JsonPropertyName("_links")] AccountLinks Links);

public sealed record PsuContextLinks(GenericLink Self);

public sealed record HalAccounts(IReadOnlyList<AccountResource> Accounts, [property: JsonPropertyName("_links")] PsuContextLinks Links);

public sealed record BalanceResource(string Name, AmountType BalanceAmount, string BalanceType, string? LastChangeDateTime, string? ReferenceDate);

public sealed record BalancesLinks(
    GenericLink Self,
    [property: JsonPropertyName("parent-list")] GenericLink ParentList,
    GenericLink? Transactions);

public sealed record HalBalances(IReadOnlyList<BalanceResource> Balances, [property: JsonPropertyName("_links")] BalancesLinks Links);

public sealed record PartyIdentification(string Name);

/// <summary>The counterparty of a transaction, as STET 1.4.2 names the parties: debtor for money in, creditor for money out.</summary>
public sealed record RelatedParties(
    PartyIdentification? Debtor = null,
    AccountIdentification? DebtorAccount = null,
    PartyIdentification? Creditor = null,
    AccountIdentification? CreditorAccount = null);

public sealed record Transaction(
    string ResourceId,
    string EntryReference,
    AmountType TransactionAmount,
    string CreditDebitIndicator,
    string Status,
    string BookingDate,
    string? ExpectedBookingDate,
    string ValueDate,
    string TransactionDate,
    IReadOnlyList<string> RemittanceInformation,
    RelatedParties? RelatedParties);

public sealed record TransactionsLinks(
    GenericLink Self,
    [property: JsonPropertyName("parent-list")] GenericLink ParentList,
    GenericLink Balances,
    GenericLink? Next);

public sealed record HalTransactions(IReadOnlyList<Transaction> Transactions, [property: JsonPropertyName("_links")] TransactionsLinks Links);

/// <summary>The body of PUT /consents: all four members are required by the spec, so all are nullable here to be checked.</summary>
public sealed record Access(
    IReadOnlyList<AccountIdentification?>? Balances,
    IReadOnlyList<AccountIdentification?>? Transactions,
    bool? TrustedBeneficiaries,
    bool? PsuIdentity);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ErrorModel))]
[JsonSerializable(typeof(HalAccounts))]
[JsonSerializable(typeof(HalBalances))]
[JsonSerializable(typeof(HalTransactions))]
[JsonSerializable(typeof(Access))]
public sealed partial class StetJson : JsonSerializerContext;
