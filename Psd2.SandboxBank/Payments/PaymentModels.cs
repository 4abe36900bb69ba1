using System.Text.Json.Serialization;
using Psd2.SandboxBank.BerlinGroup;

namespace Psd2.SandboxBank.Payments;

// The payment shapes of the Berlin Group NextGenPSD2 1.3.12 OpenAPI file, named as there. Request fields are
// nullable so that a missing one is reported by its path rather than by the deserializer.

public sealed record PaymentAmount(string? Currency, string? Amount);

/// <summary>paymentInitiation_json: the fields this bank reads; the others the spec allows are ignored.</summary>
public sealed record PaymentInitiationJson(
    string? EndToEndIdentification,
    AccountReference? DebtorAccount,
    PaymentAmount? InstructedAmount,
    AccountReference? CreditorAccount,
    string? CreditorName,
    string? RemittanceInformationUnstructured,
    DateOnly? RequestedExecutionDate);

/// <summary>paymentInitiationRequestResponse-201.</summary>
public sealed record PaymentInitiationResponse(
    string TransactionStatus,
    string PaymentId,
    [property: JsonPropertyName("_links")] IReadOnlyDictionary<string, Href> Links,
    string? ScaStatus = null,
    string? PsuMessage = null);

/// <summary>paymentInitiationWithStatusResponse: the payment as initiated, with its status.</summary>
public sealed record PaymentWithStatusResponse(
    string? EndToEndIdentification,
    AccountReference DebtorAccount,
    PaymentAmount InstructedAmount,
    AccountReference CreditorAccount,
    string CreditorName,
    string? RemittanceInformationUnstructured,
    DateOnly? RequestedExecutionDate,
    string TransactionStatus,
    IReadOnlyList<TppMessage>? TppMessages = null);

/// <summary>paymentInitiationStatusResponse-200_json.</summary>
public sealed record PaymentStatusResponse(
    string TransactionStatus,
    bool? FundsAvailable = null,
    string? PsuMessage = null,
    IReadOnlyList<TppMessage>? TppMessages = null);

/// <summary>What the sandbox controls list: a payment as the bank holds it.</summary>
public sealed record SandboxPaymentView(
    string PaymentId, string TppId, string Product, string Status, string? StatusReason, string DebtorIban, string CreditorIban,
    string Amount, string Currency, DateOnly? ExecutionDate, DateTimeOffset CreatedAt);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(PaymentInitiationJson))]
[JsonSerializable(typeof(PaymentInitiationResponse))]
[JsonSerializable(typeof(PaymentWithStatusResponse))]
[JsonSerializable(typeof(PaymentStatusResponse))]
[JsonSerializable(typeof(IReadOnlyList<SandboxPaymentView>))]
public sealed partial class PaymentJson : JsonSerializerContext;
