using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Payments;

/// <summary>What this bank accepts in a payment initiation; every refusal names the offending field.</summary>
public static partial class PaymentRules
{
    /// <summary>How far ahead a payment may be dated.</summary>
    public const int LongestScheduleDays = 365;

    /// <summary>The body's own rules, before the debtor account is looked up.</summary>
    public static (ValidPayment? Payment, TppError? Error) Validate(PaymentInitiationJson body, string product, DateOnly today)
    {
        if (body.DebtorAccount?.Iban is not { } debtorIban)
        {
            return Fail("debtorAccount.iban is required: this bank identifies accounts by IBAN.", body.DebtorAccount is null ? "debtorAccount" : "debtorAccount.iban");
        }

        if (!Iban.IsValid(debtorIban))
        {
            return Fail("debtorAccount.iban is not a valid IBAN.", "debtorAccount.iban");
        }

        if (body.DebtorAccount.Currency is { } debtorCurrency && !IsCurrency(debtorCurrency))
        {
            return Fail("debtorAccount.currency must be an ISO 4217 code.", "debtorAccount.currency");
        }

        if (body.InstructedAmount is not { } instructed)
        {
            return Fail("instructedAmount is required.", "instructedAmount");
        }

        if (instructed.Currency is not { } currency || !IsCurrency(currency))
        {
            return Fail("instructedAmount.currency must be an ISO 4217 code.", "instructedAmount.currency");
        }

        if (instructed.Amount is not { } amountText || !AmountPattern().IsMatch(amountText)
            || !decimal.TryParse(amountText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return Fail("instructedAmount.amount must be a positive amount with at most two decimals and a dot, as a string (e.g. \"125.50\").", "instructedAmount.amount");
        }

        if (body.CreditorAccount?.Iban is not { } creditorIban)
        {
            return Fail("creditorAccount.iban is required.", body.CreditorAccount is null ? "creditorAccount" : "creditorAccount.iban");
        }

        if (!Iban.IsValid(creditorIban))
        {
            return Fail("creditorAccount.iban is not a valid IBAN.", "creditorAccount.iban");
        }

        if (creditorIban == debtorIban)
        {
            return Fail("creditorAccount must be another account than debtorAccount.", "creditorAccount.iban");
        }

        if (string.IsNullOrWhiteSpace(body.CreditorName) || body.CreditorName.Length > 70)
        {
            return Fail("creditorName is required, at most 70 characters.", "creditorName");
        }

        if (body.RemittanceInformationUnstructured is { Length: > 140 })
        {
            return Fail("remittanceInformationUnstructured is at most 140 characters.", "remittanceInformationUnstructured");
        }

        if (body.EndToEndIdentification is { } endToEnd && (endToEnd.Length is 0 or > 35))
        {
            return Fail("endToEndIdentification is 1 to 35 characters.", "endToEndIdentification");
        }

        if (body.RequestedExecutionDate is { } date)
        {
            if (date < today || date > today.AddDays(LongestScheduleDays))
            {
                return (null, new TppError(400, "EXECUTION_DATE_INVALID",
                    $"requestedExecutionDate must lie between today and {LongestScheduleDays} days ahead.", "requestedExecutionDate"));
            }

            // An instant payment is executed when it is authorised; it cannot wait for a later day.
            if (product == PaymentProduct.InstantSepa && date > today)
            {
                return (null, new TppError(400, "EXECUTION_DATE_INVALID",
                    "An instant payment cannot be dated ahead; use sepa-credit-transfers.", "requestedExecutionDate"));
            }
        }

        return (new ValidPayment(debtorIban, body.DebtorAccount.Currency, amount, currency, creditorIban, body.CreditorName.Trim(),
            body.RemittanceInformationUnstructured, body.EndToEndIdentification, body.RequestedExecutionDate), null);
    }

    /// <summary>The PSU-IP-Address every initiation must carry (the PSU is present when a payment is made).</summary>
    public static TppError? CheckPsuIpAddress(IHeaderDictionary headers) =>
        headers["PSU-IP-Address"] is not { Count: 1 } value
            ? TppError.FormatError("The PSU-IP-Address header is required.", "PSU-IP-Address")
            : IPAddress.TryParse(value.ToString(), out _)
                ? null
                : TppError.FormatError("PSU-IP-Address must be an IPv4 or IPv6 address.", "PSU-IP-Address");

    /// <summary>
    /// What the debtor account is debited, in its currency: the instructed amount, or a euro amount converted at the
    /// sandbox's fixed rate. Null when the bank does not pay in that currency from that account.
    /// </summary>
    public static decimal? DebitAmount(ValidPayment payment, string accountCurrency)
    {
        if (payment.Currency == accountCurrency)
        {
            return payment.Amount;
        }

        return payment.Currency == "EUR" && EuroRates.TryGetValue(accountCurrency, out var rate)
            ? decimal.Round(payment.Amount * rate, 2, MidpointRounding.AwayFromZero)
            : null;
    }

    /// <summary>The sandbox's fixed rates: units of the account's currency per euro.</summary>
    private static readonly Dictionary<string, decimal> EuroRates = new(StringComparer.Ordinal)
    {
        ["SEK"] = 11.20m,
        ["NOK"] = 11.60m,
        ["DKK"] = 7.46m,
        ["GBP"] = 0.85m,
        ["PLN"] = 4.30m,
    };

    private static bool IsCurrency(string value) => value.Length == 3 && value.All(char.IsAsciiLetterUpper);

    private static (ValidPayment?, TppError?) Fail(string text, string path) => (null, TppError.FormatError(text, path));

    [GeneratedRegex(@"^[0-9]{1,14}(\.[0-9]{1,2})?$")]
    private static partial Regex AmountPattern();
}

public sealed record ValidPayment(
    string DebtorIban, string? DebtorCurrency, decimal Amount, string Currency, string CreditorIban, string CreditorName,
    string? Remittance, string? EndToEndId, DateOnly? RequestedExecutionDate);
