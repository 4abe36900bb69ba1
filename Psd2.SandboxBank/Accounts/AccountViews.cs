using System.Globalization;
using Psd2.SandboxBank.BerlinGroup;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Accounts;

/// <summary>The bank's data in the Berlin Group shapes.</summary>
public sealed class AccountViews(TransactionGenerator generator)
{
    public static string Path(AccountSeed account) => "/v1/accounts/" + account.ResourceId;

    public static AccountDetails Details(AccountSeed account, bool balances, bool transactions, IReadOnlyList<Balance>? withBalances = null)
    {
        var self = Path(account);
        var links = new Dictionary<string, Href>();
        if (balances)
        {
            links["balances"] = new(self + "/balances");
        }

        if (transactions)
        {
            links["transactions"] = new(self + "/transactions");
        }

        return new AccountDetails(account.ResourceId, account.Iban, account.Currency, account.Name, account.Product,
            "CACC", "enabled", account.OwnerName, "PRIV", links, withBalances);
    }

    /// <summary>closingBooked (end of yesterday), interimAvailable (booked today less card holds) and expected (with all pending).</summary>
    public IReadOnlyList<Balance> Balances(AccountSeed account, DateOnly today)
    {
        var closing = generator.BookedBalance(account, today.AddDays(-1));
        var booked = generator.BookedBalance(account, today);
        var pending = generator.PendingOn(account, today);
        var expected = booked + pending.Sum(t => t.Amount);
        return
        [
            new Balance(Money(account.Currency, closing), "closingBooked", today.AddDays(-1)),
            new Balance(Money(account.Currency, Available(booked, pending)), "interimAvailable", today, CreditLimitIncluded: false),
            new Balance(Money(account.Currency, expected), "expected", today),
        ];
    }

    /// <summary>interimAvailable: what the account can pay out today (a payment's funds check).</summary>
    public decimal Available(AccountSeed account, DateOnly today) =>
        Available(generator.BookedBalance(account, today), generator.PendingOn(account, today));

    private static decimal Available(decimal booked, IReadOnlyList<BankTransaction> pending) => booked + pending.Where(t => t.Amount < 0).Sum(t => t.Amount);

    public static TransactionDetails Transaction(BankTransaction t) => new(
        t.TransactionId, t.EntryReference, t.BookingDate, t.ValueDate, Money(t.Currency, t.Amount),
        t.CreditorName, t.CreditorIban is null ? null : new AccountReference(t.CreditorIban),
        t.DebtorName, t.DebtorIban is null ? null : new AccountReference(t.DebtorIban),
        t.RemittanceInformationUnstructured, t.BankTransactionCode, t.ProprietaryBankTransactionCode);

    public static Amount Money(string currency, decimal amount) => new(currency, amount.ToString("0.00", CultureInfo.InvariantCulture));
}
