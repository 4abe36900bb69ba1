using System.Globalization;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Time;

namespace Psd2.SandboxBank.UkOpenBanking;

/// <summary>
/// The bank's data in the v4.0 shapes: the same accounts, balances and transactions the Berlin Group dialect shows,
/// with amounts unsigned beside a CreditDebitIndicator, bank days as midnight in the bank's zone, and the
/// counterparty in CreditorAccount or DebtorAccount.
/// </summary>
public sealed class OpenBankingViews(AccountViews berlinGroupViews, BankClock clock)
{
    private const string BankName = "Sandbox Bank";

    public OBAccount6 Account(AccountSeed account, bool detail) => new(
        account.ResourceId, "Enabled", Day(account.OpenedOn), account.Currency, "Personal", "CACC",
        Limit(account.Product, 35), Limit(account.Name, 70), Day(account.OpenedOn),
        detail ? UkAccountIdentifiers.Of(account) : null);

    /// <summary>The Berlin Group dialect's three balances under their ISO codes: CLBD (closingBooked), ITAV (interimAvailable), XPCD (expected).</summary>
    public IReadOnlyList<OBCashBalance> Balances(AccountSeed account)
    {
        var today = clock.Today;
        var now = IsoDateTime.Format(clock.GetUtcNow());
        return berlinGroupViews.Balances(account, today).Select(b =>
        {
            var amount = decimal.Parse(b.BalanceAmount.Value, CultureInfo.InvariantCulture);
            var (type, at) = b.BalanceType switch
            {
                // Closing booked is the balance at the end of yesterday, the instant today began.
                "closingBooked" => ("CLBD", Day(today)),
                "interimAvailable" => ("ITAV", now),
                _ => ("XPCD", now),
            };
            return new OBCashBalance(account.ResourceId, Indicator(amount), type, at, Money(b.BalanceAmount.Currency, amount));
        }).ToList();
    }

    /// <summary>
    /// One transaction. A pending one (a card purchase awaiting settlement) has no booking date yet: its BookingDateTime
    /// is the earliest day it can book, the day after it happened and not before tomorrow, as the spec asks for the
    /// expected booking date. TransactionReference is the entry reference a pending entry keeps when it books.
    /// </summary>
    public OBTransaction6 Transaction(AccountSeed account, BankTransaction t, bool detail)
    {
        var tomorrow = clock.Today.AddDays(1);
        var bookingDay = t.BookingDate ?? (t.ValueDate.AddDays(1) > tomorrow ? t.ValueDate.AddDays(1) : tomorrow);
        var debit = t.Amount < 0;
        var code = t.BankTransactionCode.Split('-');
        var cardPurchase = t.BankTransactionCode.Contains("-CCRD-", StringComparison.Ordinal);
        return new OBTransaction6(
            account.ResourceId, t.TransactionId, t.EntryReference, Indicator(t.Amount),
            t.Booked ? "BOOK" : "PDNG", t.Booked ? "Immutable" : "Mutable",
            Day(bookingDay), Day(t.ValueDate),
            detail && t.RemittanceInformationUnstructured.Length > 0 ? Limit(t.RemittanceInformationUnstructured, 500) : null,
            Money(t.Currency, t.Amount),
            code is [_, var family, var subFamily] ? new OBBankTransactionCodeStructure1(family, subFamily) : null,
            t.ProprietaryBankTransactionCode is { Length: > 0 } proprietary ? new ProprietaryBankTransactionCodeStructure1(Limit(proprietary, 35), BankName) : null,
            detail && cardPurchase && t.CreditorName is { Length: > 0 } merchant ? new OBMerchantDetails1(Limit(merchant, 350)) : null,
            detail && debit ? Counterparty(t.CreditorIban, t.CreditorName) : null,
            detail && !debit ? Counterparty(t.DebtorIban, t.DebtorName) : null);
    }

    private static OBAccountIdentification? Counterparty(string? iban, string? name) =>
        iban is null && string.IsNullOrEmpty(name)
            ? null
            : new OBAccountIdentification(iban is null ? null : UkAccountIdentifiers.IbanScheme, iban, string.IsNullOrEmpty(name) ? null : Limit(name, 350));

    /// <summary>A zero amount counts as a credit, as the spec says of balances.</summary>
    private static string Indicator(decimal amount) => amount < 0 ? "Debit" : "Credit";

    private static OBAmount Money(string currency, decimal amount) => new(Math.Abs(amount).ToString("0.00", CultureInfo.InvariantCulture), currency);

    /// <summary>A bank day as the instant it begins in the bank's zone, with that zone's offset.</summary>
    private string Day(DateOnly day) => IsoDateTime.Format(TimeZoneInfo.ConvertTime(clock.StartOf(day), clock.LocalTimeZone));

    private static string Limit(string text, int length) => text.Length <= length ? text : text[..length];
}
