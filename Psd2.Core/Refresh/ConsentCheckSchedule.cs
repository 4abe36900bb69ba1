using Psd2.Core.Connections;

namespace Psd2.Core.Refresh;

/// <summary>
/// When a connection's consent status is next read at the bank: every interval, at the connection's own phase
/// within it (so checks spread over the interval), and never later than the two days on which the status changes
/// by the calendar alone: the first day of the renewal window and the day after validUntil.
/// </summary>
public static class ConsentCheckSchedule
{
    /// <summary>How long after a day boundary its check runs, so that it runs on the new day whatever the skew between clocks.</summary>
    public static readonly TimeSpan AfterBoundary = TimeSpan.FromMinutes(1);

    public static DateTimeOffset Next(Guid connectionId, DateOnly? validUntil, DateTimeOffset now, TimeSpan interval)
    {
        var utc = now.ToUniversalTime();
        var periodStart = new DateTimeOffset(utc.UtcTicks - utc.UtcTicks % interval.Ticks, TimeSpan.Zero);
        var next = periodStart.AddTicks((long)(interval.Ticks * RefreshSlots.Phase(connectionId)));
        if (next <= now)
        {
            next += interval;
        }

        if (validUntil is { } last)
        {
            // ConsentChecks judges validity by the UTC date: these are the instants its answer changes.
            foreach (var day in (ReadOnlySpan<DateOnly>)[last.AddDays(-ConsentChecks.RenewalWindowDays), last.AddDays(1)])
            {
                var boundary = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) + AfterBoundary;
                if (boundary > now && boundary < next)
                {
                    next = boundary;
                }
            }
        }

        return next;
    }
}
