using System.Text.Json.Serialization;

namespace Psd2.SandboxBank.BerlinGroup;

// The shapes of the Berlin Group NextGenPSD2 1.3.12 OpenAPI file that this bank speaks, named as there.

public sealed record Href([property: JsonPropertyName("href")] string Value);

public sealed record AccountReference(string? Iban = null, string? Currency = null);

public sealed record AccountAccess(
    IReadOnlyList<AccountReference>? Accounts = null,
    IReadOnlyList<AccountReference>? Balances = null,
    IReadOnlyList<AccountReference>? Transactions = null,
    string? AvailableAccounts = null,
    string? AvailableAccountsWithBalance = null,
    string? AllPsd2 = null);

public sealed record ConsentRequest(
    AccountAccess? Access,
    bool? RecurringIndicator,
    DateOnly? ValidUntil,
    int? FrequencyPerDay,
    bool? CombinedServiceIndicator);

public sealed record ConsentCreatedResponse(
    string ConsentStatus,
    string ConsentId,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Href> Links,
    string? ScaStatus = null,
    string? PsuMessage = null);

public sealed record ConsentInformationResponse(
    AccountAccess Access,
    bool RecurringIndicator,
    DateOnly ValidUntil,
    int FrequencyPerDay,
    DateOnly LastActionDate,
    string ConsentStatus,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Href> Links);

public sealed record ConsentStatusResponse(string ConsentStatus);

public sealed record StartScaProcessResponse(
    string ScaStatus,
    string AuthorisationId,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Href> Links,
    string? PsuMessage = null);

public sealed record ScaStatusResponse(string ScaStatus, string? PsuMessage = null);

public sealed record AuthorisationsResponse(IReadOnlyList<string> AuthorisationIds);

public sealed record Amount(string Currency, [property: JsonPropertyName("amount")] string Value);

public sealed record Balance(Amount BalanceAmount, string BalanceType, DateOnly? ReferenceDate = null, bool? CreditLimitIncluded = null);

public sealed record AccountDetails(
    string ResourceId,
    string Iban,
    string Currency,
    string Name,
    string Product,
    string CashAccountType,
    string Status,
    string OwnerName,
    string Usage,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Href> Links,
    IReadOnlyList<Balance>? Balances = null);

public sealed record AccountListResponse(IReadOnlyList<AccountDetails> Accounts);

public sealed record AccountDetailsResponse(AccountDetails Account);

public sealed record BalancesResponse(AccountReference Account, IReadOnlyList<Balance> Balances);

public sealed record TransactionDetails(
    string TransactionId,
    string EntryReference,
    DateOnly? BookingDate,
    DateOnly ValueDate,
    Amount TransactionAmount,
    string? CreditorName,
    AccountReference? CreditorAccount,
    string? DebtorName,
    AccountReference? DebtorAccount,
    string RemittanceInformationUnstructured,
    string BankTransactionCode,
    string? ProprietaryBankTransactionCode);

public sealed record AccountReport(
    IReadOnlyList<TransactionDetails>? Booked,
    IReadOnlyList<TransactionDetails>? Pending,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Href> Links);

public sealed record TransactionsResponse(AccountReference Account, AccountReport Transactions, IReadOnlyList<Balance>? Balances = null);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(TppMessagesBody))]
[JsonSerializable(typeof(ConsentRequest))]
[JsonSerializable(typeof(ConsentCreatedResponse))]
[JsonSerializable(typeof(ConsentInformationResponse))]
[JsonSerializable(typeof(ConsentStatusResponse))]
[JsonSerializable(typeof(StartScaProcessResponse))]
[JsonSerializable(typeof(ScaStatusResponse))]
[JsonSerializable(typeof(AuthorisationsResponse))]
[JsonSerializable(typeof(AccountListResponse))]
[JsonSerializable(typeof(AccountDetailsResponse))]
[JsonSerializable(typeof(BalancesResponse))]
[JsonSerializable(typeof(TransactionsResponse))]
public sealed partial class BankJson : JsonSerializerContext;
