using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Tests.Data;

/// <summary>
/// Values written down from an earlier run. Ids a TPP has stored must still resolve after the bank restarts, and
/// anything seeded per process (string.GetHashCode, System.Random) would pass every in-process comparison.
/// A deliberate change to the generator changes these too.
/// </summary>
public sealed class PinnedValuesTests
{
    private static readonly DateOnly Today = new(2025, 11, 21);
    private static readonly IReadOnlyList<PsuSeed> Population = SyntheticBank.Generate(20_190_914, Today);

    [Fact]
    public void AccountsAreTheSameInEveryProcess()
    {
        var account = Population.Single(p => p.PersonalNumber == SyntheticBank.ApprovingPsu).Accounts[0];

        Assert.Equal("SE9896900000008750720639", account.Iban);
        Assert.Equal("956b2aa9-61aa-4069-a93c-173954d5727f", account.ResourceId);
        Assert.Equal(85086.82m, account.OpeningBalance);
    }

    [Fact]
    public void TransactionsAreTheSameInEveryProcess()
    {
        var account = Population.Single(p => p.PersonalNumber == SyntheticBank.ApprovingPsu).Accounts[0];
        var first = new TransactionGenerator().BookedOn(account, new DateOnly(2025, 11, 3))[0];

        Assert.Equal("82cada8422226726062d", first.TransactionId);
        Assert.Equal("202511033155368859", first.EntryReference);
        Assert.Equal(100.00m, first.Amount);
        Assert.Equal("Lunch", first.RemittanceInformationUnstructured);
    }

    [Fact]
    public void TheLargeAccountsBalanceIsTheSameInEveryProcess()
    {
        var large = Population.Single(p => p.PersonalNumber == SyntheticBank.LargePsu).Accounts[0];

        Assert.Equal(594792.93m, new TransactionGenerator().BookedBalance(large, Today));
    }
}
