using System.Globalization;
using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Tests.Data;

public sealed class SyntheticBankTests
{
    private const ulong Seed = 20_190_914;
    private static readonly DateOnly Today = new(2025, 11, 21);
    private static readonly IReadOnlyList<PsuSeed> Population = SyntheticBank.Generate(Seed, Today);

    private static IEnumerable<AccountSeed> Accounts => Population.SelectMany(p => p.Accounts);

    [Fact]
    public void TheSameSeedAndDayGiveTheSamePopulation()
    {
        var again = SyntheticBank.Generate(Seed, Today);

        Assert.Equal(Population.Select(p => (p.PersonalNumber, p.Name, p.Decoupled)), again.Select(p => (p.PersonalNumber, p.Name, p.Decoupled)));
        Assert.Equal(Accounts, again.SelectMany(p => p.Accounts));
    }

    [Fact]
    public void AnotherSeedGivesOtherAccounts()
    {
        var other = SyntheticBank.Generate(Seed + 1, Today);

        Assert.Empty(other.SelectMany(p => p.Accounts).Select(a => a.Iban).Intersect(Accounts.Select(a => a.Iban)));
    }

    [Fact]
    public void EveryAccountHasAValidUniqueIbanAndAUniqueGuidResourceId()
    {
        Assert.All(Accounts, a => Assert.True(Iban.IsValid(a.Iban), a.Iban));
        Assert.Equal(Accounts.Count(), Accounts.Select(a => a.Iban).Distinct().Count());
        Assert.All(Accounts, a => Assert.True(Guid.TryParse(a.ResourceId, out _), a.ResourceId));
        Assert.Equal(Accounts.Count(), Accounts.Select(a => a.ResourceId).Distinct().Count());
    }

    [Fact]
    public void KronaAccountsAreSwedishAndEuroAccountsSwedishOrFinnish()
    {
        Assert.All(Accounts.Where(a => a.Currency == "SEK"), a => Assert.Matches("^SE[0-9]{22}$", a.Iban));
        Assert.All(Accounts.Where(a => a.Currency == "EUR"), a => Assert.Matches("^(SE[0-9]{22}|FI[0-9]{16})$", a.Iban));
        Assert.Equal(["EUR", "SEK"], Accounts.Select(a => a.Currency).Distinct().Order());
    }

    [Fact]
    public void PersonalNumbersAreValidAndDistinct()
    {
        Assert.All(Population, p => Assert.True(PersonalNumber.IsValid(p.PersonalNumber), p.PersonalNumber));
        Assert.Equal(Population.Count, Population.Select(p => p.PersonalNumber).Distinct().Count());
    }

    [Fact]
    public void PersonalNumbersBelongToAdults()
    {
        Assert.All(Population, p =>
        {
            var born = DateOnly.ParseExact(p.PersonalNumber[..8], "yyyyMMdd", CultureInfo.InvariantCulture);
            Assert.InRange(born, Today.AddYears(-90), Today.AddYears(-18));
        });
    }

    [Theory]
    [InlineData(SyntheticBank.ApprovingPsu, DecoupledBehaviour.ApproveAfterDelay)]
    [InlineData(SyntheticBank.CancellingPsu, DecoupledBehaviour.Cancel)]
    [InlineData(SyntheticBank.TimingOutPsu, DecoupledBehaviour.Timeout)]
    [InlineData(SyntheticBank.ManualPsu, DecoupledBehaviour.Manual)]
    public void DocumentedTestPsusBehaveAsDocumented(string personalNumber, DecoupledBehaviour expected) =>
        Assert.Equal(expected, Population.Single(p => p.PersonalNumber == personalNumber).Decoupled);

    [Fact]
    public void EachDecoupledBehaviourHasExactlyOneDocumentedPsuWhateverTheSeed()
    {
        var documented = new[] { SyntheticBank.ApprovingPsu, SyntheticBank.CancellingPsu, SyntheticBank.TimingOutPsu, SyntheticBank.ManualPsu, SyntheticBank.LargePsu };
        var population = SyntheticBank.Generate(7, Today);

        Assert.All(documented, number => Assert.Single(population, p => p.PersonalNumber == number));
        Assert.Single(population, p => p.Decoupled == DecoupledBehaviour.Cancel);
        Assert.Single(population, p => p.Decoupled == DecoupledBehaviour.Timeout);
        Assert.Single(population, p => p.Decoupled == DecoupledBehaviour.Manual);
    }

    [Fact]
    public void OrdinaryPsusHaveTwoToFourAccountsWithMoreThanTwoYearsOfHistory()
    {
        var ordinary = Population.Where(p => p.PersonalNumber is not (SyntheticBank.LargePsu or SyntheticBank.ApprovingPsu
            or SyntheticBank.CancellingPsu or SyntheticBank.TimingOutPsu or SyntheticBank.ManualPsu)).ToList();

        Assert.InRange(ordinary.Count, 5, 20);
        Assert.All(ordinary, p => Assert.InRange(p.Accounts.Count, 2, 4));
        Assert.All(Accounts, a => Assert.InRange(a.OpenedOn, Today.AddDays(-1000), Today.AddDays(-731)));
    }

    [Fact]
    public void AccountsCarryTheirOwnersNameAndABankProduct()
    {
        Assert.All(Population, p => Assert.All(p.Accounts, a => Assert.Equal(p.Name, a.OwnerName)));
        Assert.All(Accounts, a => Assert.Contains(a.Product, new[] { "Privatkonto", "Sparkonto", "Eurokonto", "Företagskonto" }));
        Assert.All(Accounts, a => Assert.False(string.IsNullOrWhiteSpace(a.Name)));
    }

    [Fact]
    public void AccountNamesDifferWithinAPsu() =>
        Assert.All(Population, p => Assert.Equal(p.Accounts.Count, p.Accounts.Select(a => a.Name).Distinct().Count()));

    [Fact]
    public void OpeningBalancesArePositiveWithTwoDecimals() =>
        Assert.All(Accounts, a =>
        {
            Assert.True(a.OpeningBalance > 0, $"{a.Iban} opens at {a.OpeningBalance}");
            Assert.Equal(2, a.OpeningBalance.Scale);
        });

    [Fact]
    public void TheLargePsuHasABusyAccount() =>
        Assert.Contains(Population.Single(p => p.PersonalNumber == SyntheticBank.LargePsu).Accounts, a => a.TransactionsPerDay >= 130);

    [Fact]
    public void CreatePsuUsesTheGivenNumberNameCountAndBehaviour()
    {
        var psu = SyntheticBank.CreatePsu(99, Today, "198112289874", "Greta Garbo", 3, DecoupledBehaviour.Manual);

        Assert.Equal("198112289874", psu.PersonalNumber);
        Assert.Equal("Greta Garbo", psu.Name);
        Assert.Equal(DecoupledBehaviour.Manual, psu.Decoupled);
        Assert.Equal(3, psu.Accounts.Count);
        Assert.All(psu.Accounts, a => Assert.True(Iban.IsValid(a.Iban)));
        Assert.All(psu.Accounts, a => Assert.Equal("Greta Garbo", a.OwnerName));
    }

    [Fact]
    public void CreatePsuGeneratesAValidNumberAndNameWhenNoneAreGiven()
    {
        var psu = SyntheticBank.CreatePsu(12345, Today, null, null, 1, DecoupledBehaviour.ApproveAfterDelay);

        Assert.True(PersonalNumber.IsValid(psu.PersonalNumber), psu.PersonalNumber);
        Assert.Contains(' ', psu.Name);
        Assert.Single(psu.Accounts);
    }

    [Fact]
    public void CreatePsuIsDeterministicAndDiffersBySeed()
    {
        var first = SyntheticBank.CreatePsu(5, Today, null, null, 4, DecoupledBehaviour.Cancel);
        var again = SyntheticBank.CreatePsu(5, Today, null, null, 4, DecoupledBehaviour.Cancel);
        var other = SyntheticBank.CreatePsu(6, Today, null, null, 4, DecoupledBehaviour.Cancel);

        Assert.Equal(first.PersonalNumber, again.PersonalNumber);
        Assert.Equal(first.Accounts, again.Accounts);
        Assert.Empty(first.Accounts.Select(a => a.Iban).Intersect(other.Accounts.Select(a => a.Iban)));
        Assert.Empty(first.Accounts.Select(a => a.Iban).Intersect(Accounts.Select(a => a.Iban)));
    }

    [Fact]
    public void CreatePsuGivesUpToTenAccountsWithDistinctNames()
    {
        var psu = SyntheticBank.CreatePsu(77, Today, null, null, SyntheticBank.MaxAccountsPerPsu, DecoupledBehaviour.ApproveAfterDelay);

        Assert.Equal(10, psu.Accounts.Count);
        Assert.Equal(10, psu.Accounts.Select(a => a.Name).Distinct().Count());
        Assert.Equal(10, psu.Accounts.Select(a => a.Iban).Distinct().Count());
        var generator = new TransactionGenerator();
        Assert.All(psu.Accounts, a => Assert.Contains(Enumerable.Range(0, 35), d => generator.BookedOn(a, Today.AddDays(-d)).Count > 0));
    }

    [Theory]
    [InlineData("198112289875")]
    [InlineData("8112289874")]
    public void CreatePsuRefusesAnInvalidPersonalNumber(string personalNumber) =>
        Assert.Throws<ArgumentException>(() => SyntheticBank.CreatePsu(1, Today, personalNumber, null, 2, DecoupledBehaviour.Timeout));

    [Theory]
    [InlineData(0)]
    [InlineData(SyntheticBank.MaxAccountsPerPsu + 1)]
    public void CreatePsuRefusesAnAccountCountOutOfRange(int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticBank.CreatePsu(1, Today, null, null, count, DecoupledBehaviour.Timeout));
}
