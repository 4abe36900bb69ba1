using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psd2.SandboxBank.UkOpenBanking;

// The shapes of the UK Open Banking Account and Transaction API v4.0 OpenAPI file that this bank speaks, named and
// cased as there. Date-times are written as strings with their offset, as the spec asks of every response.

public sealed record OBReadConsent1(OBReadConsent1Data? Data, JsonElement? Risk);

public sealed record OBReadConsent1Data(
    IReadOnlyList<string>? Permissions,
    DateTimeOffset? ExpirationDateTime,
    DateTimeOffset? TransactionFromDateTime,
    DateTimeOffset? TransactionToDateTime);

public sealed record OBReadConsentResponse1(OBReadConsentResponse1Data Data, OBRisk2 Risk, Links Links, Meta Meta);

public sealed record OBReadConsentResponse1Data(
    string ConsentId,
    string CreationDateTime,
    string Status,
    string StatusUpdateDateTime,
    IReadOnlyList<string> Permissions,
    string? ExpirationDateTime,
    string? TransactionFromDateTime,
    string? TransactionToDateTime);

/// <summary>The Risk section: for account information it has no properties.</summary>
public sealed record OBRisk2;

public sealed record Links(string Self, string? Next = null);

public sealed record Meta(int? TotalPages = null);

public sealed record OBReadAccount6(OBReadAccount6Data Data, Links Links, Meta Meta);

public sealed record OBReadAccount6Data(IReadOnlyList<OBAccount6> Account);

public sealed record OBAccount6(
    string AccountId,
    string Status,
    string StatusUpdateDateTime,
    string Currency,
    string AccountCategory,
    string AccountTypeCode,
    string Description,
    string Nickname,
    string OpeningDate,
    IReadOnlyList<OBAccountIdentification>? Account);

/// <summary>An item of OBAccount6.Account, and the counterparty accounts of a transaction (OBCashAccount6).</summary>
public sealed record OBAccountIdentification(string? SchemeName, string? Identification, string? Name);

public sealed record OBAmount(string Amount, string Currency);

public sealed record OBReadBalance1(OBReadBalance1Data Data, Links Links, Meta Meta);

public sealed record OBReadBalance1Data(IReadOnlyList<OBCashBalance> Balance);

public sealed record OBCashBalance(string AccountId, string CreditDebitIndicator, string Type, string DateTime, OBAmount Amount);

public sealed record OBReadTransaction6(OBReadDataTransaction6 Data, Links Links, Meta Meta);

public sealed record OBReadDataTransaction6(IReadOnlyList<OBTransaction6> Transaction);

public sealed record OBTransaction6(
    string AccountId,
    string TransactionId,
    string TransactionReference,
    string CreditDebitIndicator,
    string Status,
    string TransactionMutability,
    string BookingDateTime,
    string ValueDateTime,
    string? TransactionInformation,
    OBAmount Amount,
    OBBankTransactionCodeStructure1? BankTransactionCode,
    ProprietaryBankTransactionCodeStructure1? ProprietaryBankTransactionCode,
    OBMerchantDetails1? MerchantDetails,
    OBAccountIdentification? CreditorAccount,
    OBAccountIdentification? DebtorAccount);

public sealed record OBBankTransactionCodeStructure1(string Code, string SubCode);

public sealed record ProprietaryBankTransactionCodeStructure1(string Code, string? Issuer);

public sealed record OBMerchantDetails1(string MerchantName);

public sealed record OBErrorResponse1(string Id, string Code, string Message, IReadOnlyList<OBError1> Errors);

public sealed record OBError1(string ErrorCode, string Message, string? Path);

/// <summary>Date-times as the spec writes them: ISO 8601 with the offset, whole seconds.</summary>
public static class IsoDateTime
{
    public static string Format(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(OBReadConsent1))]
[JsonSerializable(typeof(OBReadConsentResponse1))]
[JsonSerializable(typeof(OBReadAccount6))]
[JsonSerializable(typeof(OBReadBalance1))]
[JsonSerializable(typeof(OBReadTransaction6))]
[JsonSerializable(typeof(OBErrorResponse1))]
public sealed partial class OpenBankingJson : JsonSerializerContext;
