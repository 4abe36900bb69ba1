namespace Psd2.SandboxBank.Data;

/// <summary>
/// An account's profile and its running booked totals by day. The totals cover OpenedOn up to the latest day
/// asked for and grow when a later day is asked, so the first balance of the big account costs one pass over its
/// history and every later one an array read.
/// </summary>
internal sealed class AccountBook(AccountProfile profile)
{
    private readonly Lock _gate = new();
    private long[] _cumulative = [];
    private int _days;

    public AccountProfile Profile { get; } = profile;

    /// <summary>The sum of booked amounts, in minor units, from OpenedOn through <paramref name="day"/>.</summary>
    public long BookedThrough(DateOnly day)
    {
        var count = day.DayNumber - Profile.Account.OpenedOn.DayNumber + 1;
        if (count <= 0)
        {
            return 0;
        }

        lock (_gate)
        {
            if (count > _days)
            {
                Extend(count);
            }

            return _cumulative[count - 1];
        }
    }

    private void Extend(int count)
    {
        if (_cumulative.Length < count)
        {
            Array.Resize(ref _cumulative, Math.Max(count, _cumulative.Length + (_cumulative.Length / 4)));
        }

        // Purchases made up to MaxLag days before the known range may book inside the new one.
        var daily = new long[count - _days];
        var occurrences = new List<Occurrence>(256);
        var openedOn = Profile.Account.OpenedOn;
        for (var offset = Math.Max(0, _days - Occurrences.MaxLag); offset < count; offset++)
        {
            Occurrences.ForDay(Profile, openedOn.AddDays(offset), occurrences, 0, Occurrences.MaxLag, withCancelled: false, complete: true);
            foreach (var occurrence in occurrences)
            {
                var booking = offset + occurrence.Lag;
                if (booking >= _days && booking < count)
                {
                    daily[booking - _days] += occurrence.Minor;
                }
            }
        }

        var running = _days > 0 ? _cumulative[_days - 1] : 0;
        for (var i = 0; i < daily.Length; i++)
        {
            running += daily[i];
            _cumulative[_days + i] = running;
        }

        _days = count;
    }
}
