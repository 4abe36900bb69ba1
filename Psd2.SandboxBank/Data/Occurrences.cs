using System.Numerics;

namespace Psd2.SandboxBank.Data;

/// <summary>
/// What happens on an account on one day, drawn from the account's seed and that day alone: no day depends on
/// another, which is what lets the bank show any day of years of history without generating the days before it.
/// </summary>
internal static class Occurrences
{
    /// <summary>The longest a card purchase stays pending.</summary>
    public const int MaxLag = 3;

    /// <summary>Card authorisations released by the merchant instead of settled, in thousandths.</summary>
    private const int CancelledPermille = 30;

    /// <summary>
    /// Fills <paramref name="into"/> with the day's occurrences whose lag lies in [<paramref name="minLag"/>,
    /// <paramref name="maxLag"/>], in the order they happened: monthly payments in the early morning run, then
    /// everyday ones. Everyday ones carry only kind, lag and cancellation until <see cref="Complete"/>, unless
    /// <paramref name="complete"/> asks for everything at once. Filtering here, before anything is built, is what
    /// keeps a day of the big account cheap: most of the four days looked at for a booking day are skipped.
    /// </summary>
    public static void ForDay(AccountProfile profile, DateOnly day, List<Occurrence> into, int minLag, int maxLag, bool withCancelled, bool complete)
    {
        into.Clear();
        if (day < profile.Account.OpenedOn)
        {
            return;
        }

        Scheduled(profile, day, into, minLag, maxLag);
        var daySeed = StableHash.Of(profile.Account.Seed, (ulong)HashStream.Occurrence, (ulong)day.DayNumber);
        var count = EverydayCount(profile.Account.TransactionsPerDay, day, daySeed);
        var everyday = profile.Catalogue.Everyday;
        var kinds = everyday.Items;
        var cumulative = everyday.Cumulative;
        var total = (ulong)everyday.Total;
        for (var ordinal = 0; ordinal < count; ordinal++)
        {
            // One hash gives the header: kind from the high half, lag and cancellation from the low half.
            var hash = StableHash.Mix(daySeed + ((ulong)(ordinal + 1) * 0xD1B54A32D192ED03UL));
            var roll = (int)(((hash >> 32) * total) >> 32);
            var index = 0;
            while (cumulative[index] <= roll)
            {
                index++;
            }

            var kind = kinds[index];
            var lag = 0;
            var cancelled = false;
            if (kind == OccurrenceKind.CardPurchase)
            {
                var lagRoll = (int)((((hash >> 16) & 0xFFFF) * 100) >> 16);
                lag = lagRoll < 55 ? 1 : lagRoll < 88 ? 2 : 3;
                cancelled = (int)(((hash & 0xFFFF) * 1000) >> 16) < CancelledPermille;
            }

            if (lag < minLag || lag > maxLag || (cancelled && !withCancelled))
            {
                continue;
            }

            var occurrence = new Occurrence
            {
                Source = OccurrenceSource.Everyday,
                Ordinal = ordinal,
                Kind = kind,
                Lag = lag,
                Cancelled = cancelled,
                Random = new SplitMix64(hash),
            };
            if (complete)
            {
                Complete(profile, ref occurrence);
            }

            into.Add(occurrence);
        }
    }

    /// <summary>Draws the rest of an everyday occurrence: what, from whom, how much.</summary>
    public static void Complete(AccountProfile profile, ref Occurrence occurrence)
    {
        if (occurrence.Complete)
        {
            return;
        }

        var random = occurrence.Random;
        var catalogue = profile.Catalogue;
        switch (occurrence.Kind)
        {
            case OccurrenceKind.CardPurchase:
                occurrence.Item = catalogue.Merchants.PickIndex(ref random);
                occurrence.Minor = -catalogue.Merchants[occurrence.Item].Draw(ref random);
                break;
            case OccurrenceKind.CashWithdrawal:
                occurrence.Item = random.Below(catalogue.CashPlaces.Length);
                occurrence.Minor = -catalogue.CashAmounts[catalogue.CashAmounts.PickIndex(ref random)];
                break;
            case OccurrenceKind.TransferOut:
            case OccurrenceKind.TransferIn:
                occurrence.Person = random.Below(profile.Contacts.Count);
                var transfer = catalogue.TransferAmounts[catalogue.TransferAmounts.PickIndex(ref random)];
                occurrence.Minor = occurrence.Kind == OccurrenceKind.TransferIn ? transfer : -transfer;
                break;
            case OccurrenceKind.CustomerPayment:
                occurrence.Person = random.Below(profile.Contacts.Count);
                occurrence.Item = MarketCatalogue.CafeSales.PickIndex(ref random);
                occurrence.Minor = MarketCatalogue.CafeSales[occurrence.Item].Minor;
                break;
            case OccurrenceKind.SupplierInvoice:
                occurrence.Item = MarketCatalogue.CafeSuppliers.PickIndex(ref random);
                occurrence.Minor = -MarketCatalogue.CafeSuppliers[occurrence.Item].Draw(ref random);
                break;
            case OccurrenceKind.CustomerInvoice:
                occurrence.Item = MarketCatalogue.CafeClients.PickIndex(ref random);
                occurrence.Minor = MarketCatalogue.CafeClients[occurrence.Item].Draw(ref random);
                break;
            default:
                throw new InvalidOperationException($"{occurrence.Kind} is not an everyday transaction.");
        }

        occurrence.Detail = random.Next();
        occurrence.Complete = true;
    }

    /// <summary>The mean of <see cref="EverydayCount"/> over a week, which rounding makes differ from the rate asked for.</summary>
    public static double MeanEverydayCount(int perDay)
    {
        var tosses = 0L;
        for (var weekday = 0; weekday < 7; weekday++)
        {
            tosses += Tosses(perDay, Calendar.ActivityPermille(weekday));
        }

        return tosses / 14.0;
    }

    /// <summary>
    /// About TransactionsPerDay, busier on Fridays and Saturdays: the number of heads in twice as many fair coin
    /// tosses, counted with popcount so that it needs neither floating point nor a loop per toss.
    /// </summary>
    private static int EverydayCount(int perDay, DateOnly day, ulong daySeed)
    {
        if (perDay <= 0)
        {
            return 0;
        }

        var tosses = Tosses(perDay, Calendar.ActivityPermille(Calendar.Weekday(day)));
        var random = new SplitMix64(StableHash.Of(daySeed, (ulong)HashStream.DailyCount));
        var count = 0;
        for (; tosses >= 64; tosses -= 64)
        {
            count += BitOperations.PopCount(random.Next());
        }

        if (tosses > 0)
        {
            count += BitOperations.PopCount(random.Next() & ((1UL << tosses) - 1));
        }

        return count;
    }

    private static int Tosses(int perDay, int activityPermille) => (int)(((2L * perDay * activityPermille) + 500) / 1000);

    private static void Scheduled(AccountProfile profile, DateOnly day, List<Occurrence> into, int minLag, int maxLag)
    {
        var seed = profile.Account.Seed;
        var monthly = profile.Monthly;
        for (var i = 0; i < monthly.Count; i++)
        {
            var item = monthly[i];
            var card = item.Kind == OccurrenceKind.CardSubscription;
            if ((minLag > 0 && !card) || !Calendar.IsMonthly(day, item.Day, item.Shift, out var due))
            {
                continue;
            }

            // Subscriptions are card charges too, settled a day or two later, but never released.
            var lag = card ? 1 + (int)(StableHash.Of(seed, (ulong)HashStream.Scheduled, (ulong)day.DayNumber, (ulong)i) & 1) : 0;
            if (lag < minLag || lag > maxLag)
            {
                continue;
            }

            var minor = item.AmountDue(due);
            into.Add(new Occurrence
            {
                Source = OccurrenceSource.Monthly,
                Ordinal = i,
                Kind = item.Kind,
                Lag = lag,
                Minor = OccurrenceKinds.IsCredit(item.Kind) ? minor : -minor,
                Due = due,
                Complete = true,
            });
        }

        if (minLag > 0)
        {
            return;
        }

        switch (profile.Layout.Role)
        {
            case AccountRole.Savings when profile.Household.Home is not null:
                AddWithdrawal(profile.Layout, OccurrenceKind.OwnTransferOut, day, into);
                if (day.Month == 12 && day.Day == 31)
                {
                    into.Add(new Occurrence
                    {
                        Source = OccurrenceSource.Interest,
                        Kind = OccurrenceKind.Interest,
                        Minor = YearlyInterest(profile, day),
                        Due = day,
                        Complete = true,
                    });
                }

                break;
            case AccountRole.Salary:
                foreach (var savings in profile.Savings)
                {
                    AddWithdrawal(savings, OccurrenceKind.OwnTransferIn, day, into);
                }

                break;
            case AccountRole.Business when !Calendar.IsWeekend(day):
                into.Add(new Occurrence
                {
                    Source = OccurrenceSource.Settlement,
                    Kind = OccurrenceKind.CardSettlement,
                    Minor = Settlement(profile, day),
                    Due = day,
                    Complete = true,
                });
                break;
            default:
                break;
        }
    }

    private static void AddWithdrawal(AccountLayout savings, OccurrenceKind kind, DateOnly day, List<Occurrence> into)
    {
        if (Budget.TryWithdrawal(savings, day, out var withdrawalDay, out var minor) && withdrawalDay == day)
        {
            into.Add(new Occurrence
            {
                Source = OccurrenceSource.Withdrawal,
                Ordinal = savings.Index,
                Kind = kind,
                Minor = kind == OccurrenceKind.OwnTransferIn ? minor : -minor,
                Due = day,
                Complete = true,
            });
        }
    }

    /// <summary>
    /// The acquirer pays each banking day for the takings since the previous payout, so Monday's covers Friday to Sunday.
    /// </summary>
    private static long Settlement(AccountProfile profile, DateOnly day)
    {
        var previousPayout = day.AddDays(-1);
        while (Calendar.IsWeekend(previousPayout))
        {
            previousPayout = previousPayout.AddDays(-1);
        }

        var total = 0L;
        for (var covered = previousPayout; covered < day; covered = covered.AddDays(1))
        {
            var noise = 700 + (long)(StableHash.Of(profile.Account.Seed, (ulong)HashStream.Settlement, (ulong)covered.DayNumber) % 601);
            total += profile.DailyCardSales * Calendar.ActivityPermille(Calendar.Weekday(covered)) / 1000 * noise / 1000;
        }

        return total;
    }

    /// <summary>
    /// Interest at the year's typical Swedish savings rate on an estimate of the balance: the true balance would
    /// make every year depend on all the years before it.
    /// </summary>
    private static long YearlyInterest(AccountProfile profile, DateOnly day)
    {
        var ratePermyriad = day.Year switch
        {
            <= 2022 => 25,
            2023 => 250,
            2024 => 300,
            2025 => 200,
            _ => 150,
        };
        var months = ((day.Year - profile.Account.OpenedOn.Year) * 12) + day.Month - profile.Account.OpenedOn.Month;
        var deposits = Budget.SavingsDeposit(profile.Layout) * Math.Max(0, months) / 2;
        var estimate = Money.ToMinor(profile.Account.OpeningBalance) + deposits;
        var monthsHeld = Math.Min(12, Math.Max(1, months));
        return Math.Max(1, estimate * ratePermyriad / 10_000 * monthsHeld / 12);
    }
}
