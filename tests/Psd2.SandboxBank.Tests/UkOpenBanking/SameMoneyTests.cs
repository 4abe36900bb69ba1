using System.Text.Json;
using System.Text.Json.Nodes;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>
/// One seed, one set of money: the UK dialect presents exactly the transactions the Berlin Group dialect does,
/// amounts, signs, dates, counterparties, remittance and the entry reference that ties pending to booked.
/// </summary>
[Collection(UkBankCollection.Name)]
public sealed class SameMoneyTests(UkBank bank)
{
    [Fact]
    public void Every_transaction_of_a_seeded_population_reads_the_same_in_both_dialects()
    {
        var today = bank.Service<BankClock>().Today;
        var generator = bank.Service<TransactionGenerator>();
        var views = bank.Service<OpenBankingViews>();
        var population = SyntheticBank.Generate(20_190_914, today);
        var compared = 0;
        foreach (var account in population.SelectMany(p => p.Accounts).Take(6))
        {
            var entries = generator.PendingOn(account, today)
                .Concat(Enumerable.Range(0, 14).SelectMany(days => generator.BookedOn(account, today.AddDays(-days))));
            foreach (var entry in entries)
            {
                var uk = JsonSerializer.SerializeToNode(views.Transaction(account, entry, detail: true), OpenBankingJson.Default.OBTransaction6)!;
                UkJourneyTests.AssertSameMoney(AccountViews.Transaction(entry), uk);
                compared++;
            }
        }

        Assert.True(compared > 100, $"only {compared} transactions compared");
    }

    [Fact]
    public void A_pending_purchase_books_under_the_same_TransactionReference()
    {
        var today = bank.Service<BankClock>().Today;
        var generator = bank.Service<TransactionGenerator>();
        var views = bank.Service<OpenBankingViews>();
        var account = SyntheticBank.Generate(20_190_914, today).SelectMany(p => p.Accounts).First(a => generator.PendingOn(a, today.AddDays(-3)).Count > 0);

        // What was pending three days ago has booked (or been released) since.
        var pending = generator.PendingOn(account, today.AddDays(-3)).Select(t => views.Transaction(account, t, detail: true)).ToList();
        var booked = Enumerable.Range(0, 4).SelectMany(days => generator.BookedOn(account, today.AddDays(-days)))
            .Select(t => views.Transaction(account, t, detail: true)).ToDictionary(t => t.TransactionReference);

        Assert.All(pending, p => Assert.Equal("PDNG", p.Status));
        var settled = pending.Where(p => booked.ContainsKey(p.TransactionReference)).ToList();
        Assert.NotEmpty(settled);
        Assert.All(settled, p =>
        {
            var later = booked[p.TransactionReference];
            Assert.Equal("BOOK", later.Status);
            Assert.NotEqual(p.TransactionId, later.TransactionId);
            Assert.Equal(p.Amount, later.Amount);
            Assert.Equal(p.CreditDebitIndicator, later.CreditDebitIndicator);
        });
    }

    [Fact]
    public void Page_counts_come_from_the_same_transactions_as_the_pages()
    {
        var today = bank.Service<BankClock>().Today;
        var generator = bank.Service<TransactionGenerator>();
        var account = SyntheticBank.Generate(20_190_914, today).SelectMany(p => p.Accounts).First();
        for (var day = today.AddDays(-60); day <= today; day = day.AddDays(1))
        {
            Assert.Equal(generator.BookedOn(account, day).Count, generator.BookedCountOn(account, day));
        }
    }

    [Fact]
    public void UK_account_numbers_are_stable_14_digits_and_a_valid_GB_IBAN_that_contains_them()
    {
        var accounts = SyntheticBank.Generate(20_190_914, bank.Service<BankClock>().Today).SelectMany(p => p.Accounts).ToList();
        var numbers = accounts.Select(UkAccountIdentifiers.SortCodeAccountNumber).ToList();

        Assert.All(numbers, n => Assert.Matches("^04[0-9]{12}$", n));
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.Equal(numbers, accounts.Select(UkAccountIdentifiers.SortCodeAccountNumber));
        Assert.All(accounts, a => Assert.True(Iban.IsValid(UkAccountIdentifiers.GbIban(a)) && UkAccountIdentifiers.GbIban(a).EndsWith(UkAccountIdentifiers.SortCodeAccountNumber(a), StringComparison.Ordinal)));
    }
}
