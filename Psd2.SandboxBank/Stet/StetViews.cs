using System.Globalization;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Stet;

/// <summary>
/// The bank's data in the STET shapes: the same accounts, balances and transactions the Berlin Group dialect shows,
/// with amounts unsigned beside a creditDebitIndicator and the counterparty among the relatedParties.
/// </summary>
public sealed class StetViews(AccountViews berlinGroupViews, BankClock clock)
{
    /// <summary>An account with links to its balances and transactions when the last PUT /consents named it for them.</summary>
    public static AccountResource Account(AccountSeed account, bool balances, bool transactions, BankOptions bank)
    {
        var path = AccountPath(account);
        return new AccountResource(
            StetPaths.AccountResourceId(account), BankCountry.Of(bank.Country).Bic, new AccountIdentification(account.Iban, account.Currency),
            Limit(account.Name, 70), "PRIV", "CACC", Limit(account.Product, 35), account.Currency, "Account Holder",
            new AccountLinks(
                balances ? new GenericLink(StetPaths.Absolute(bank, path + "/balances")) : null,
                transactions ? new GenericLink(StetPaths.Absolute(bank, path + "/transactions")) : null));
    }

    /// <summary>
    /// The Berlin Group dialect's balances (signed amounts) under STET's types: CLBD, the accounting balance at the end of
    /// yesterday, and XPCD, the instant balance with every pending entry. Its interim available balance has no STET type.
    /// </summary>
    public IReadOnlyList<BalanceResource> Balances(AccountSeed account)
    {
        var today = clock.Today;
        return berlinGroupViews.Balances(account, today)
            .Select(b => b.BalanceType switch
            {
                "closingBooked" => new BalanceResource("Accounting balance", new AmountType(b.BalanceAmount.Currency, b.BalanceAmount.Value), "CLBD",
                    IsoDateTime.Format(TimeZoneInfo.ConvertTime(clock.StartOf(today), clock.LocalTimeZone)), Day(today.AddDays(-1))),
                "expected" => new BalanceResource("Instant balance", new AmountType(b.BalanceAmount.Currency, b.BalanceAmount.Value), "XPCD", null, Day(today)),
                _ => null,
            })
            .OfType<BalanceResource>()
            .ToList();
    }

    /// <summary>
    /// One transaction. The spec requires a bookingDate even of a pending entry: it is the earliest day the entry can
    /// book (the day after it happened, and not before tomorrow), given also as expectedBookingDate.
    /// </summary>
    public Transaction Transaction(BankTransaction t)
    {
        var tomorrow = clock.Today.AddDays(1);
        var expected = t.BookingDate is null ? (t.ValueDate.AddDays(1) > tomorrow ? t.ValueDate.AddDays(1) : tomorrow) : (DateOnly?)null;
        var debit = t.Amount < 0;
        return new Transaction(
            t.TransactionId, t.EntryReference, new AmountType(t.Currency, Math.Abs(t.Amount).ToString("0.00", CultureInfo.InvariantCulture)),
            debit ? "DBIT" : "CRDT", t.Booked ? "BOOK" : "PDNG",
            Day(t.BookingDate ?? expected!.Value), expected is { } day ? Day(day) : null, Day(t.ValueDate), Day(t.ValueDate),
            t.RemittanceInformationUnstructured.Length > 0 ? [Limit(t.RemittanceInformationUnstructured, 140)] : [],
            debit ? Parties(t.CreditorName, t.CreditorIban, creditor: true) : Parties(t.DebtorName, t.DebtorIban, creditor: false));
    }

    public static string AccountPath(AccountSeed account) => $"{StetPaths.Base}/accounts/{StetPaths.AccountResourceId(account)}";

    private static RelatedParties? Parties(string? name, string? iban, bool creditor)
    {
        var party = string.IsNullOrEmpty(name) ? null : new PartyIdentification(Limit(name, 140));
        var account = iban is null ? null : new AccountIdentification(iban);
        return (party, account) switch
        {
            (null, null) => null,
            _ when creditor => new RelatedParties(Creditor: party, CreditorAccount: account),
            _ => new RelatedParties(Debtor: party, DebtorAccount: account),
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Limit(string text, int length) => text.Length <= length ? text : text[..length];
}
