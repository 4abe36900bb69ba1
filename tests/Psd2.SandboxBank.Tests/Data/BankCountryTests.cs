using System.Globalization;
using Psd2.SandboxBank.Data;
using Psd2.SandboxBank.UkOpenBanking;

namespace Psd2.SandboxBank.Tests.Data;

/// <summary>
/// The countries a bank instance presents its accounts in: each account gets a valid IBAN of the country, derived from
/// the account alone, and kronor are shown in the country's currency; the money itself does not move.
/// </summary>
public sealed class BankCountryTests
{
    private static readonly DateOnly Today = new(2025, 11, 21);
    private static readonly IReadOnlyList<AccountSeed> Accounts = [.. SyntheticBank.Generate(20_190_914, Today).SelectMany(p => p.Accounts)];

    [Fact]
    public void SwedenPresentsTheAccountsExactlyAsGenerated() =>
        Assert.All(Accounts, a => Assert.Equal(a, BankCountry.Sweden.Present(a)));

    [Fact]
    public void FrenchIbansAreValidWithTheBanksOwnCodesAndACorrectRibKey()
    {
        var ibans = Accounts.Select(a => BankCountry.France.Present(a).Iban).ToList();

        Assert.All(ibans, iban =>
        {
            Assert.True(Iban.IsValid(iban), iban);
            Assert.Matches("^FR[0-9]{2}9696900001[0-9]{13}$", iban);
            var (bank, branch, account, key) = (Number(iban[4..9]), Number(iban[9..14]), Number(iban[14..25]), Number(iban[25..]));
            Assert.InRange(key, 1, 97);
            Assert.Equal(0, ((89 * bank) + (15 * branch) + (3 * account) + key) % 97);
        });
        Assert.Equal(ibans.Count, ibans.Distinct().Count());
    }

    [Fact]
    public void AFrenchAccountNumberEndsWithTheSwedishOne() =>
        Assert.All(Accounts.Where(a => a.Iban.StartsWith("SE", StringComparison.Ordinal)),
            a => Assert.Equal(a.Iban[^10..], BankCountry.France.Present(a).Iban[15..25]));

    [Fact]
    public void BritishIbansHoldTheSortCodeAndAccountNumberTheUkDialectShows()
    {
        var presented = Accounts.Select(BankCountry.UnitedKingdom.Present).ToList();

        Assert.All(presented, a =>
        {
            Assert.True(Iban.IsValid(a.Iban), a.Iban);
            Assert.Matches("^GB[0-9]{2}SNDB04[0-9]{12}$", a.Iban);
            Assert.Equal(AccountNumbers.OwnSortCodeAccountNumber(a.Seed), a.Iban[8..]);
            Assert.Equal(AccountNumbers.OwnSortCodeAccountNumber(a.Seed), UkAccountIdentifiers.SortCodeAccountNumber(a.Iban));
        });
        Assert.Equal(presented.Count, presented.Select(a => a.Iban).Distinct().Count());
    }

    [Fact]
    public void OnlyAGbIbanHasASortCodeAndAccountNumber()
    {
        Assert.Null(UkAccountIdentifiers.SortCodeAccountNumber(Accounts[0].Iban));
        Assert.Null(UkAccountIdentifiers.SortCodeAccountNumber(BankCountry.France.Present(Accounts[0]).Iban));
    }

    [Fact]
    public void TheSameAccountGetsTheSameIbansInEveryProcess()
    {
        var account = SyntheticBank.Generate(20_190_914, Today).Single(p => p.PersonalNumber == SyntheticBank.ApprovingPsu).Accounts[0];

        Assert.Equal("SE9896900000008750720639", BankCountry.Sweden.Present(account).Iban);
        Assert.Equal("FR7696969000012875072063973", BankCountry.France.Present(account).Iban);
        Assert.Equal("GB16SNDB04215121661518", BankCountry.UnitedKingdom.Present(account).Iban);
        Assert.Equal(BankCountry.France.Present(account), BankCountry.France.Present(account));
    }

    [Fact]
    public void KronorAreShownInTheCountrysCurrencyAndOtherCurrenciesStay()
    {
        Assert.Contains(Accounts, a => a.Currency == "SEK");
        Assert.Contains(Accounts, a => a.Currency == "EUR");
        Assert.All(Accounts, a =>
        {
            Assert.Equal(a.Currency, BankCountry.Sweden.Present(a).Currency);
            Assert.Equal("EUR", BankCountry.France.Present(a).Currency);
            Assert.Equal(a.Currency == "SEK" ? "GBP" : "EUR", BankCountry.UnitedKingdom.Present(a).Currency);
        });
    }

    [Theory]
    [InlineData("FR")]
    [InlineData("GB")]
    public void APresentedAccountHasTheSameMoneyAsTheGeneratedOne(string code)
    {
        var country = BankCountry.Of(code);
        var generator = new TransactionGenerator();
        foreach (var account in Accounts.Take(8))
        {
            var presented = country.Present(account);
            Assert.Equal((account.ResourceId, account.Name, account.OwnerName, account.OpeningBalance, account.OpenedOn, account.Seed),
                (presented.ResourceId, presented.Name, presented.OwnerName, presented.OpeningBalance, presented.OpenedOn, presented.Seed));
            Assert.Equal(generator.BookedBalance(account, Today), generator.BookedBalance(presented, Today));
            for (var day = Today.AddDays(-10); day <= Today; day = day.AddDays(1))
            {
                Assert.Equal(generator.BookedOn(account, day).Select(t => t with { Currency = country.PresentCurrency(t.Currency) }), generator.BookedOn(presented, day));
            }

            Assert.Equal(generator.PendingOn(account, Today).Select(t => t with { Currency = country.PresentCurrency(t.Currency) }), generator.PendingOn(presented, Today));
        }
    }

    [Fact]
    public void OnlySwedenFranceAndTheUnitedKingdomAreCountriesOfTheBank()
    {
        Assert.Equal(["SE", "FR", "GB"], BankCountry.All.Select(c => c.Code));
        Assert.Null(BankCountry.Find("DE"));
        Assert.Null(BankCountry.Find("fr"));
        Assert.Throws<ArgumentOutOfRangeException>(() => BankCountry.Of("DE"));
    }

    private static long Number(string digits) => long.Parse(digits, CultureInfo.InvariantCulture);
}
