using System.Text.Json;
using System.Text.Json.Nodes;
using Psd2.SandboxBank.Accounts;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.Psus;
using Psd2.SandboxBank.Time;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Tests.UkOpenBanking;

/// <summary>
/// One seed, one set of money: the GB bank's UK dialect presents exactly the transactions the Swedish bank's Berlin
/// Group dialect does, amounts, signs, dates, counterparties, remittance and the entry reference that ties pending to
/// booked, with kronor shown as pounds.
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
        var country = bank.Service<BankCountry>();
        Assert.Equal(BankCountry.UnitedKingdom, country);
        var population = SyntheticBank.Generate(20_190_914, today);
        var compared = 0;
        foreach (var swedish in population.SelectMany(p => p.Accounts).Take(6))
        {
            var british = country.Present(swedish);
            Assert.StartsWith("GB", british.Iban, StringComparison.Ordinal);
            Assert.Equal(UkJourneyTests.PresentedCurrency(swedish), british.Currency);
            var berlinGroup = Entries(generator, swedish, today);
            var uk = Entries(generator, british, today);
            Assert.Equal(berlinGroup.Count, uk.Count);
            foreach (var (entry, ukEntry) in berlinGroup.Zip(uk))
            {
                var shown = JsonSerializer.SerializeToNode(views.Transaction(british, ukEntry, detail: true), OpenBankingJson.Default.OBTransaction6)!;
                UkJourneyTests.AssertSameMoney(AccountViews.Transaction(entry), shown, british.Currency);
                compared++;
            }
        }

        Assert.True(compared > 100, $"only {compared} transactions compared");
    }

    [Fact]
    public async Task The_sandbox_controls_show_the_IBAN_and_currency_the_UK_dialect_shows()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var personalNumber = await bank.CreatePsuAsync(seed: 707, timeout.Token);
        using var admin = bank.Admin();
        var psu = JsonNode.Parse(await admin.GetStringAsync($"/sandbox/psus/{personalNumber}", timeout.Token))!;
        var (directory, views) = (bank.Service<PsuDirectory>(), bank.Service<OpenBankingViews>());

        foreach (var shown in psu["accounts"]!.AsArray())
        {
            var (iban, currency) = (shown!["iban"]!.GetValue<string>(), shown["currency"]!.GetValue<string>());
            var uk = views.Account((await directory.AccountAsync(shown["resourceId"]!.GetValue<string>(), timeout.Token))!, detail: true);
            Assert.Equal(iban, uk.Account!.Single(a => a.SchemeName == UkAccountIdentifiers.IbanScheme).Identification);
            Assert.Equal(currency, uk.Currency);
            Assert.Matches("^GB[0-9]{2}SNDB04[0-9]{12}$", iban);
            Assert.Contains(currency, new[] { "GBP", "EUR" });
        }
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

    private static List<BankTransaction> Entries(TransactionGenerator generator, AccountSeed account, DateOnly today) =>
        [.. generator.PendingOn(account, today).Concat(Enumerable.Range(0, 14).SelectMany(days => generator.BookedOn(account, today.AddDays(-days))))];
}
