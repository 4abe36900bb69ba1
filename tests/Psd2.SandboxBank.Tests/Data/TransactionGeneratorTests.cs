using Psd2.SandboxBank.Data;

namespace Psd2.SandboxBank.Tests.Data;

public sealed class TransactionGeneratorTests
{
    private static readonly DateOnly Today = new(2025, 11, 21);
    private static readonly IReadOnlyList<PsuSeed> Population = SyntheticBank.Generate(20_190_914, Today);
    private static readonly AccountSeed Large = Population.Single(p => p.PersonalNumber == SyntheticBank.LargePsu).Accounts.MaxBy(a => a.TransactionsPerDay)!;
    private static readonly AccountSeed Salary = Population.Single(p => p.PersonalNumber == SyntheticBank.ManualPsu).Accounts[0];
    private static readonly TransactionGenerator Generator = new();

    private static IEnumerable<AccountSeed> Accounts => Population.SelectMany(p => p.Accounts);

    [Fact]
    public void TwoGeneratorsGiveTheSameTransactions()
    {
        var other = new TransactionGenerator();
        foreach (var account in Accounts)
        {
            foreach (var day in new[] { account.OpenedOn, Today.AddDays(-200), Today.AddDays(-1), Today })
            {
                Assert.Equal(Generator.BookedOn(account, day), other.BookedOn(account, day));
                Assert.Equal(Generator.PendingOn(account, day), other.PendingOn(account, day));
            }

            Assert.Equal(Generator.BookedBalance(account, Today), other.BookedBalance(account, Today));
        }
    }

    [Fact]
    public void TransactionsOfADayDoNotDependOnWhatWasAskedBefore()
    {
        var fresh = new TransactionGenerator();
        var direct = fresh.BookedOn(Salary, Today.AddDays(-300));

        var warmed = new TransactionGenerator();
        warmed.BookedBalance(Salary, Today);
        warmed.BookedOn(Salary, Today);
        Assert.Equal(direct, warmed.BookedOn(Salary, Today.AddDays(-300)));
    }

    [Fact]
    public void EveryCounterpartyIbanIsValid()
    {
        var seen = 0;
        foreach (var account in Accounts)
        {
            for (var day = Today.AddDays(-62); day <= Today; day = day.AddDays(1))
            {
                foreach (var transaction in Generator.BookedOn(account, day).Concat(Generator.PendingOn(account, day)))
                {
                    foreach (var iban in new[] { transaction.CreditorIban, transaction.DebtorIban }.OfType<string>())
                    {
                        Assert.True(Iban.IsValid(iban), $"{iban} in {transaction}");
                        seen++;
                    }
                }
            }
        }

        Assert.True(seen > 1000, $"only {seen} counterparty IBANs");
    }

    [Fact]
    public void TheLargePsuHasOverAHundredThousandBookedTransactions()
    {
        var booked = 0;
        for (var day = Large.OpenedOn; day <= Today; day = day.AddDays(1))
        {
            booked += Generator.BookedOn(Large, day).Count;
        }

        Assert.InRange(booked, 100_000, 200_000);
    }

    [Fact]
    public void NothingIsBookedBeforeTheAccountOpens()
    {
        Assert.Empty(Generator.BookedOn(Salary, Salary.OpenedOn.AddDays(-1)));
        Assert.Empty(Generator.PendingOn(Salary, Salary.OpenedOn.AddDays(-1)));
        Assert.Equal(Salary.OpeningBalance, Generator.BookedBalance(Salary, Salary.OpenedOn.AddDays(-1)));
        Assert.NotEmpty(Generator.BookedOn(Large, Large.OpenedOn));
    }

    [Fact]
    public void PendingCardPurchaseBooksUnderANewIdWithTheSameEntryReference()
    {
        var pending = Generator.PendingOn(Salary, Today).Where(t => t.BankTransactionCode == "PMNT-CCRD-POSD").ToList();
        var later = Enumerable.Range(1, 3).SelectMany(d => Generator.BookedOn(Salary, Today.AddDays(d))).ToList();

        var pairs = pending.Join(later, p => p.EntryReference, b => b.EntryReference, (p, b) => (Pending: p, Booked: b)).ToList();

        Assert.NotEmpty(pairs);
        Assert.All(pairs, pair =>
        {
            Assert.False(pair.Pending.Booked);
            Assert.Null(pair.Pending.BookingDate);
            Assert.True(pair.Booked.Booked);
            Assert.NotEqual(pair.Pending.TransactionId, pair.Booked.TransactionId);
            Assert.Equal(pair.Pending.ValueDate, pair.Booked.ValueDate);
            Assert.Equal(pair.Pending.Amount, pair.Booked.Amount);
            Assert.Equal(pair.Pending.CreditorName, pair.Booked.CreditorName);
            Assert.Equal(pair.Pending.RemittanceInformationUnstructured, pair.Booked.RemittanceInformationUnstructured);
            Assert.InRange(pair.Booked.BookingDate!.Value.DayNumber - pair.Booked.ValueDate.DayNumber, 1, 3);
            Assert.True(pair.Booked.BookingDate > Today);
        });
    }

    [Fact]
    public void ABookedPurchaseIsNoLongerPending()
    {
        var booked = Generator.BookedOn(Salary, Today).Where(t => t.BankTransactionCode == "PMNT-CCRD-POSD").ToList();
        var pendingYesterday = Generator.PendingOn(Salary, Today.AddDays(-1)).Select(t => t.EntryReference).ToHashSet();
        var pendingToday = Generator.PendingOn(Salary, Today).Select(t => t.EntryReference).ToHashSet();

        Assert.NotEmpty(booked);
        Assert.All(booked, t => Assert.DoesNotContain(t.EntryReference, pendingToday));
        Assert.All(booked.Where(t => t.ValueDate < Today), t => Assert.Contains(t.EntryReference, pendingYesterday));
    }

    [Fact]
    public void AboutThreePercentOfCardAuthorisationsArePendingThenDisappearWithoutBooking()
    {
        var authorisations = new Dictionary<string, BankTransaction>();
        var start = Today.AddDays(-120);
        for (var day = start; day <= Today; day = day.AddDays(1))
        {
            foreach (var pending in Generator.PendingOn(Large, day).Where(t => t.BankTransactionCode == "PMNT-CCRD-POSD" && t.ValueDate >= start))
            {
                authorisations.TryAdd(pending.EntryReference, pending);
            }
        }

        var bookedReferences = Enumerable.Range(0, 125)
            .SelectMany(d => Generator.BookedOn(Large, start.AddDays(d)))
            .Select(t => t.EntryReference)
            .ToHashSet();
        var released = authorisations.Values.Where(p => p.ValueDate <= Today.AddDays(-3) && !bookedReferences.Contains(p.EntryReference)).ToList();
        var settledOrReleased = authorisations.Values.Count(p => p.ValueDate <= Today.AddDays(-3));

        Assert.InRange(released.Count, settledOrReleased / 100, settledOrReleased * 6 / 100);
        Assert.All(released, r =>
        {
            Assert.Contains(Generator.PendingOn(Large, r.ValueDate), t => t.EntryReference == r.EntryReference);
            Assert.DoesNotContain(Generator.PendingOn(Large, r.ValueDate.AddDays(3)), t => t.EntryReference == r.EntryReference);
        });
    }

    [Fact]
    public void OnlyCardPurchasesArePendingAndOtherTransactionsBookTheDayTheyHappen()
    {
        for (var day = Today.AddDays(-60); day <= Today; day = day.AddDays(1))
        {
            Assert.All(Generator.PendingOn(Salary, day), t => Assert.Equal("PMNT-CCRD-POSD", t.BankTransactionCode));
            Assert.All(Generator.BookedOn(Salary, day), t =>
            {
                Assert.Equal(day, t.BookingDate);
                var lag = day.DayNumber - t.ValueDate.DayNumber;
                Assert.InRange(lag, t.BankTransactionCode == "PMNT-CCRD-POSD" ? 1 : 0, t.BankTransactionCode == "PMNT-CCRD-POSD" ? 3 : 0);
            });
        }
    }

    [Fact]
    public void MovingTodayForwardBringsNewTransactionsAndBooksPendingOnes()
    {
        var tomorrow = Today.AddDays(1);
        var pendingToday = Generator.PendingOn(Salary, Today);
        var pendingTomorrow = Generator.PendingOn(Salary, tomorrow);
        var bookedTomorrow = Generator.BookedOn(Salary, tomorrow);

        Assert.Contains(pendingTomorrow, t => t.ValueDate == tomorrow);
        Assert.DoesNotContain(pendingToday, t => t.ValueDate == tomorrow);
        Assert.Contains(bookedTomorrow, t => pendingToday.Any(p => p.EntryReference == t.EntryReference));
        Assert.All(bookedTomorrow, t => Assert.DoesNotContain(Generator.BookedOn(Salary, Today), b => b.EntryReference == t.EntryReference));
    }

    [Fact]
    public void NothingThatIsPendingTodayIsBookedByToday()
    {
        foreach (var account in Accounts)
        {
            var pending = Generator.PendingOn(account, Today).Select(t => t.EntryReference).ToHashSet();
            var bookedByToday = Enumerable.Range(0, 5).SelectMany(d => Generator.BookedOn(account, Today.AddDays(-d)));

            Assert.DoesNotContain(bookedByToday, t => pending.Contains(t.EntryReference));
            Assert.All(Generator.PendingOn(account, Today), t => Assert.InRange(t.ValueDate, Today.AddDays(-2), Today));
        }
    }

    [Fact]
    public void BookedBalanceIsTheOpeningBalancePlusEveryAmountBookedSoFar()
    {
        foreach (var account in Population.Single(p => p.PersonalNumber == SyntheticBank.ManualPsu).Accounts)
        {
            var fresh = new TransactionGenerator();
            var running = account.OpeningBalance;
            for (var day = account.OpenedOn; day <= Today; day = day.AddDays(1))
            {
                running += fresh.BookedOn(account, day).Sum(t => t.Amount);
                Assert.Equal(running, fresh.BookedBalance(account, day));
            }
        }
    }

    [Fact]
    public void BookedBalanceOfTheLargeAccountIsTheSameWhicheverDayIsAskedFirst()
    {
        var expected = new Dictionary<DateOnly, decimal>();
        var running = Large.OpeningBalance;
        for (var day = Large.OpenedOn; day <= Today; day = day.AddDays(1))
        {
            running += Generator.BookedOn(Large, day).Sum(t => t.Amount);
            expected[day] = running;
        }

        var lateFirst = new TransactionGenerator();
        Assert.Equal(expected[Today], lateFirst.BookedBalance(Large, Today));
        Assert.Equal(expected[Today.AddDays(-500)], lateFirst.BookedBalance(Large, Today.AddDays(-500)));

        var earlyFirst = new TransactionGenerator();
        foreach (var day in new[] { Large.OpenedOn, Today.AddDays(-700), Today.AddDays(-30), Today.AddDays(-31), Today })
        {
            Assert.Equal(expected[day], earlyFirst.BookedBalance(Large, day));
        }
    }

    [Fact]
    public void ConcurrentBalanceRequestsAgreeWithOneAnother()
    {
        var shared = new TransactionGenerator();
        var reference = new TransactionGenerator();
        var days = Enumerable.Range(0, 400).Select(i => Today.AddDays(-((i * 37) % 800))).ToArray();
        var expected = days.Select(d => reference.BookedBalance(Large, d)).ToArray();

        var actual = new decimal[days.Length];
        Parallel.For(0, days.Length, i => actual[i] = shared.BookedBalance(Large, days[i]));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void TheCacheKeepsNoMoreAccountsThanItsSize()
    {
        var small = new TransactionGenerator(balanceCacheSize: 2);
        foreach (var account in Accounts.Take(5))
        {
            Assert.Equal(Generator.BookedBalance(account, Today), small.BookedBalance(account, Today));
        }

        Assert.Equal(2, small.CachedAccounts);
        Assert.Equal(Generator.BookedBalance(Accounts.First(), Today), small.BookedBalance(Accounts.First(), Today));
    }

    [Fact]
    public void AmountsHaveTwoDecimalsAndTheirSignMatchesTheCounterpartySide()
    {
        foreach (var account in Accounts)
        {
            foreach (var t in Generator.BookedOn(account, Today.AddDays(-26)).Concat(Generator.BookedOn(account, Today)))
            {
                Assert.Equal(2, t.Amount.Scale);
                Assert.NotEqual(0m, t.Amount);
                Assert.Equal(account.Currency, t.Currency);
                if (t.Amount < 0)
                {
                    Assert.Null(t.DebtorName);
                    Assert.Null(t.DebtorIban);
                }
                else
                {
                    Assert.Null(t.CreditorName);
                    Assert.Null(t.CreditorIban);
                }
            }
        }
    }

    [Fact]
    public void BankTransactionCodesAreIsoDomainFamilySubFamily()
    {
        var codes = Accounts.SelectMany(a => Enumerable.Range(0, 40).SelectMany(d => Generator.BookedOn(a, Today.AddDays(-d))))
            .Select(t => t.BankTransactionCode)
            .ToHashSet();

        Assert.All(codes, code => Assert.Matches("^(PMNT|ACMT)-[A-Z]{4}-[A-Z]{4}$", code));
        Assert.Superset(new HashSet<string> { "PMNT-CCRD-POSD", "PMNT-RCDT-SALA", "PMNT-ICDT-STDO", "PMNT-RDDT-PMDD", "PMNT-RCDT-DMCT" }, codes);
    }

    [Fact]
    public void TransactionIdsAreOpaqueAndUniqueOverTheWholeHistory()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var day = Salary.OpenedOn; day <= Today; day = day.AddDays(1))
        {
            foreach (var t in Generator.BookedOn(Salary, day).Concat(Generator.PendingOn(Salary, day)))
            {
                Assert.Matches("^[0-9a-f]{20}$", t.TransactionId);
                Assert.Matches("^[0-9]{18}$", t.EntryReference);
                if (t.Booked)
                {
                    Assert.True(ids.Add(t.TransactionId), t.TransactionId);
                }
            }
        }

        Assert.True(ids.Count > 2000, $"{ids.Count} booked transactions");
    }

    [Fact]
    public void SalaryIsPaidOnThe25thOrTheBankingDayBefore()
    {
        var salaries = Enumerable.Range(0, 400).SelectMany(d => Generator.BookedOn(Salary, Today.AddDays(-d)))
            .Where(t => t.BankTransactionCode == "PMNT-RCDT-SALA")
            .ToList();

        Assert.InRange(salaries.Count, 12, 14);
        Assert.All(salaries, s =>
        {
            Assert.True(s.Amount > 10_000m, $"salary {s.Amount}");
            Assert.NotNull(s.DebtorName);
            Assert.StartsWith("Lon ", s.RemittanceInformationUnstructured, StringComparison.Ordinal);
            var weekday = s.ValueDate.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
            Assert.True((s.ValueDate.Day == 25 && weekday) || (s.ValueDate.Day is 23 or 24 && s.ValueDate.DayOfWeek == DayOfWeek.Friday), $"paid {s.ValueDate}");
        });
        Assert.Contains(salaries, s => s.ValueDate == new DateOnly(2025, 10, 24));
    }

    [Fact]
    public void ATransferBetweenOwnAccountsShowsOnBothAccounts()
    {
        var accounts = Population.Single(p => p.PersonalNumber == SyntheticBank.ManualPsu).Accounts;
        var savings = accounts.First(a => a.Product == "Sparkonto");
        var window = Enumerable.Range(0, 92).Select(d => Today.AddDays(-d)).ToList();

        var sent = window.SelectMany(d => Generator.BookedOn(Salary, d)).Where(t => t.CreditorIban == savings.Iban).ToList();
        var received = window.SelectMany(d => Generator.BookedOn(savings, d)).Where(t => t.DebtorIban == Salary.Iban).ToList();

        Assert.InRange(sent.Count, 3, 6);
        Assert.Equal(sent.Select(t => (t.BookingDate, -t.Amount)), received.Select(t => (t.BookingDate, t.Amount)));
    }

    [Fact]
    public void KronaAccountsShopInSwedenAndFinnishEuroAccountsInFinland()
    {
        var finnish = Accounts.First(a => a.Iban.StartsWith("FI", StringComparison.Ordinal) && a.TransactionsPerDay > 0);
        var swedishShops = Purchases(Salary);
        var finnishShops = Purchases(finnish);

        Assert.Contains(swedishShops, name => name.StartsWith("ICA ", StringComparison.Ordinal) || name.StartsWith("Coop ", StringComparison.Ordinal));
        Assert.Contains(finnishShops, name => name.StartsWith("K-", StringComparison.Ordinal) || name.StartsWith("S-Market", StringComparison.Ordinal));
        // Only international services and Wolt, which serves both countries, appear on both.
        Assert.DoesNotContain(swedishShops.Intersect(finnishShops), name => !name.StartsWith("Spotify", StringComparison.Ordinal)
            && !name.StartsWith("Netflix", StringComparison.Ordinal) && !name.StartsWith("Apple", StringComparison.Ordinal) && name != "Wolt");
    }

    [Fact]
    public void RemittanceTextsAreAsciiAndNeverEmpty()
    {
        foreach (var account in Accounts)
        {
            Assert.All(Generator.BookedOn(account, Today).Concat(Generator.BookedOn(account, Today.AddDays(-27))), t =>
            {
                Assert.False(string.IsNullOrWhiteSpace(t.RemittanceInformationUnstructured));
                Assert.True(t.RemittanceInformationUnstructured.All(char.IsAscii), t.RemittanceInformationUnstructured);
            });
        }
    }

    private static HashSet<string> Purchases(AccountSeed account) =>
        Enumerable.Range(0, 60).SelectMany(d => Generator.BookedOn(account, Today.AddDays(-d)))
            .Where(t => t.BankTransactionCode == "PMNT-CCRD-POSD")
            .Select(t => t.CreditorName!)
            .ToHashSet();
}
