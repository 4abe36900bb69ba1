using System.Runtime.InteropServices;

namespace Psd2.SandboxBank.Data;

/// <summary>
/// Generates an account's transactions on demand from its seed, the same on every call and every run.
/// A transaction happens on its value date and books that day, or a card purchase one to three days later;
/// while it waits it is pending under another id with the same entry reference, and 3% of card authorisations
/// are released and never book. Stored entries (<see cref="IStoredBookings"/>) are merged in, newest of their day.
/// Thread-safe: register as a singleton.
/// </summary>
public sealed class TransactionGenerator
{
    private readonly AccountBooks _books;
    private readonly IStoredBookings? _stored;

    /// <param name="balanceCacheSize">How many accounts' profiles and running totals to keep.</param>
    /// <param name="stored">Entries the bank stores, such as executed payments, booked beside the generated ones.</param>
    public TransactionGenerator(int balanceCacheSize = 10_000, IStoredBookings? stored = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(balanceCacheSize);
        _books = new AccountBooks(balanceCacheSize);
        _stored = stored;
    }

    /// <summary>Accounts currently cached.</summary>
    public int CachedAccounts => _books.Count;

    /// <summary>
    /// Transactions booked on <paramref name="day"/>: newest value date first, and within a value date the latest
    /// first. Depends on the account and the day only, so the caller must not ask for a day after today.
    /// </summary>
    public IReadOnlyList<BankTransaction> BookedOn(AccountSeed account, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (day < account.OpenedOn)
        {
            return [];
        }

        var profile = _books.For(account).Profile;
        var occurrences = new List<Occurrence>(256);
        var booked = new List<BankTransaction>(account.TransactionsPerDay + 16);
        if (_stored is not null)
        {
            booked.AddRange(_stored.BookedOn(account, day));
        }

        for (var lag = 0; lag <= Occurrences.MaxLag; lag++)
        {
            var happened = day.AddDays(-lag);
            Occurrences.ForDay(profile, happened, occurrences, lag, lag, withCancelled: false, complete: false);
            var daySeed = TransactionFactory.DaySeed(profile, happened);
            var span = CollectionsMarshal.AsSpan(occurrences);
            for (var i = span.Length - 1; i >= 0; i--)
            {
                Occurrences.Complete(profile, ref span[i]);
                booked.Add(TransactionFactory.Create(profile, happened, daySeed, in span[i], day));
            }
        }

        return booked;
    }

    /// <summary>
    /// How many transactions <see cref="BookedOn"/> gives for <paramref name="day"/>, without building them: what a
    /// list's page count needs, at a fraction of the cost.
    /// </summary>
    public int BookedCountOn(AccountSeed account, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (day < account.OpenedOn)
        {
            return 0;
        }

        var profile = _books.For(account).Profile;
        var occurrences = new List<Occurrence>(256);
        var count = _stored?.BookedOn(account, day).Count ?? 0;
        for (var lag = 0; lag <= Occurrences.MaxLag; lag++)
        {
            Occurrences.ForDay(profile, day.AddDays(-lag), occurrences, lag, lag, withCancelled: false, complete: false);
            count += occurrences.Count;
        }

        return count;
    }

    /// <summary>
    /// Transactions that have happened by <paramref name="today"/> but not booked: card purchases awaiting
    /// settlement, including those that will be released instead. Same order as <see cref="BookedOn"/>.
    /// </summary>
    public IReadOnlyList<BankTransaction> PendingOn(AccountSeed account, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(account);
        var profile = _books.For(account).Profile;
        var occurrences = new List<Occurrence>(256);
        var pending = new List<BankTransaction>();
        for (var age = 0; age < Occurrences.MaxLag; age++)
        {
            var happened = today.AddDays(-age);
            Occurrences.ForDay(profile, happened, occurrences, age + 1, Occurrences.MaxLag, withCancelled: true, complete: false);
            var daySeed = TransactionFactory.DaySeed(profile, happened);
            var span = CollectionsMarshal.AsSpan(occurrences);
            for (var i = span.Length - 1; i >= 0; i--)
            {
                Occurrences.Complete(profile, ref span[i]);
                pending.Add(TransactionFactory.Create(profile, happened, daySeed, in span[i], bookingDate: null));
            }
        }

        return pending;
    }

    /// <summary>
    /// OpeningBalance plus every amount booked from OpenedOn through <paramref name="throughDay"/>. The first call
    /// for an account sums its history up to that day; later calls read the running totals, extending them when a
    /// later day is asked. Like <see cref="BookedOn"/>, it would book the future if asked for a day after today.
    /// </summary>
    public decimal BookedBalance(AccountSeed account, DateOnly throughDay)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.OpeningBalance + Money.FromMinor(_books.For(account).BookedThrough(throughDay)) + (_stored?.BookedThrough(account, throughDay) ?? 0);
    }
}
