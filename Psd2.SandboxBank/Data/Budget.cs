namespace Psd2.SandboxBank.Data;

/// <summary>
/// Sizes incomes and transfers from expected spending, so that balances drift gently upwards over years of
/// history instead of running away in either direction. Expectations are computed from the catalogues, not
/// simulated, so any account can size them without generating a single day.
/// </summary>
internal static class Budget
{
    private const double DaysPerMonth = 365.25 / 12;

    /// <summary>Chance in percent that a savings account is drawn on in a given month.</summary>
    private const int WithdrawalChance = 12;

    /// <summary>Withdrawals are two to six monthly deposits: four on average.</summary>
    private const double MeanWithdrawalDeposits = 4;

    public static double EverydayNetPerMonth(AccountLayout account) =>
        Occurrences.MeanEverydayCount(account.TransactionsPerDay) * MarketCatalogue.For(account.Market).EverydayMean * DaysPerMonth;

    public static long SavingsDeposit(AccountLayout savings)
    {
        var random = Random(savings.Seed);
        return savings.Currency == "SEK"
            ? (5 + random.Below(36)) * 100_00
            : (5 + random.Below(36)) * 10_00;
    }

    /// <summary>The day and amount a savings account is drawn on in the month, if it is.</summary>
    public static bool TryWithdrawal(AccountLayout savings, DateOnly anyDayInMonth, out DateOnly day, out long minor)
    {
        var roll = StableHash.Of(savings.Seed, (ulong)HashStream.Withdrawal, (ulong)((anyDayInMonth.Year * 12) + anyDayInMonth.Month));
        day = new DateOnly(anyDayInMonth.Year, anyDayInMonth.Month, 1 + (int)((roll >> 8) % 28));
        minor = SavingsDeposit(savings) * (2 + (long)((roll >> 16) % 5));
        return roll % 100 < WithdrawalChance;
    }

    /// <summary>The monthly top-up of a secondary account, in the salary account's currency.</summary>
    public static long TopUp(AccountLayout secondary, AccountLayout home)
    {
        var spend = -EverydayNetPerMonth(secondary) * 1.04;
        if (secondary.Currency != home.Currency)
        {
            spend = home.Currency == "SEK" ? spend * Calendar.NominalSekPerEur / 10_000 : spend * 10_000 / Calendar.NominalSekPerEur;
        }

        return Money.RoundTo((long)spend, home.Currency == "SEK" ? 100_00 : 10_00);
    }

    /// <summary>
    /// The monthly net salary (or owner's draw) that covers the salary account's spending, bills and transfers to
    /// the household's other accounts, plus a margin of one to three percent.
    /// </summary>
    public static long Income(Household household, AccountLayout home)
    {
        var need = -EverydayNetPerMonth(home);
        foreach (var bill in Bills.For(home))
        {
            need += OccurrenceKinds.IsCredit(bill.Kind) ? -bill.Minor : bill.Minor;
        }

        foreach (var sibling in household.Accounts)
        {
            if (sibling.Role == AccountRole.Savings)
            {
                var deposit = SavingsDeposit(sibling);
                need += deposit - (deposit * MeanWithdrawalDeposits * WithdrawalChance / 100);
            }
            else if (sibling.Role == AccountRole.Secondary)
            {
                need += TopUp(sibling, home);
            }
        }

        var margin = 1.01 + (Random(home.Seed).Below(21) / 1000.0);
        return Money.RoundTo((long)(need * margin), 1_00);
    }

    /// <summary>What the café's owner takes out each month: what the salary account needs, or a fixed sum when there is none.</summary>
    public static long OwnerDraw(Household household) =>
        household.Home is { } home ? Income(household, home) : Money.RoundTo(30_000_00 + (long)(household.Key % 15_000) * 1_00, 100_00);

    /// <summary>Card takings per day, paid out by the acquirer on banking days.</summary>
    public static long DailyCardSales(AccountLayout business) => (4_000 + Random(business.Seed).Below(5_001)) * 1_00;

    public static long StaffSalary(AccountLayout business, int employee) =>
        (23_000 + new SplitMix64(StableHash.Of(business.Seed, (ulong)HashStream.Profile, (ulong)employee)).Below(6_001)) * 1_00;

    /// <summary>Tax, VAT and contributions: what the café earns beyond its costs and the owner's draw, less a margin kept.</summary>
    public static long Tax(Household household, AccountLayout business, int employees)
    {
        var surplus = EverydayNetPerMonth(business) + (DailyCardSales(business) * DaysPerMonth) - OwnerDraw(household);
        foreach (var bill in Bills.For(business))
        {
            surplus -= bill.Minor;
        }

        for (var employee = 0; employee < employees; employee++)
        {
            surplus -= StaffSalary(business, employee);
        }

        return Money.RoundTo((long)Math.Max(surplus * 0.97, 1_000_00), 1_00);
    }

    public static long OpeningBalance(Household household, AccountLayout account)
    {
        var random = Random(StableHash.Mix(account.Seed));
        var cents = random.Below(100);
        var euro = account.Currency == "EUR";
        var minor = account.Role switch
        {
            AccountRole.Business => (300_000 + random.Below(200_001)) * 1_00L,
            AccountRole.Savings => euro ? (500 + random.Below(14_501)) * 1_00L : (5_000 + random.Below(145_001)) * 1_00L,
            AccountRole.Secondary when household.Home is { } home => TopUpInOwnCurrency(account, home) * (10 + random.Below(16)) / 10,
            AccountRole.Salary => Income(household, account) * (10 + random.Below(11)) / 10,
            _ => 1_000_00L,
        };
        return minor + cents;
    }

    private static long TopUpInOwnCurrency(AccountLayout secondary, AccountLayout home)
    {
        var topUp = TopUp(secondary, home);
        return secondary.Currency == home.Currency ? topUp
            : home.Currency == "SEK" ? Calendar.ToEur(topUp, Calendar.NominalSekPerEur)
            : Calendar.ToSek(topUp, Calendar.NominalSekPerEur);
    }

    private static SplitMix64 Random(ulong seed) => new(StableHash.Of(seed, (ulong)HashStream.Budget));
}
