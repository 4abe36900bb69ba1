namespace Psd2.Core.Payments;

/// <summary>When an unfinished payment's status is next read from the bank: soon at first, then less and less often.</summary>
public static class PaymentPolling
{
    public static readonly TimeSpan FirstInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LongestInterval = TimeSpan.FromMinutes(5);

    /// <summary>How long a payment is followed before it is given up on as failed.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>Sets the next poll after one that did not end the payment: the interval doubles, up to the longest.</summary>
    public static void Schedule(Payment payment, DateTimeOffset now)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(payment.PollIntervalMs, (int)FirstInterval.TotalMilliseconds));
        payment.NextPollAt = now + interval;
        payment.PollIntervalMs = (int)Math.Min(interval.TotalMilliseconds * 2, LongestInterval.TotalMilliseconds);
    }

    /// <summary>
    /// Sets the next poll of a decoupled order the PSU has not answered yet: at the bank's pace, not backed off, since the
    /// user is waiting on the other side.
    /// </summary>
    public static void Steady(Payment payment, DateTimeOffset now, TimeSpan? retryAfter) =>
        payment.NextPollAt = now + (retryAfter > FirstInterval ? retryAfter.Value : FirstInterval);

    /// <summary>The deadline of a payment made now: a day, or the day after its requested execution date.</summary>
    public static DateTimeOffset DeadlineOf(DateOnly? requestedExecutionDate, DateTimeOffset now)
    {
        var deadline = now + Lifetime;
        return requestedExecutionDate is { } date && date.AddDays(2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) > deadline.UtcDateTime
            ? new DateTimeOffset(date.AddDays(2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc))
            : deadline;
    }
}
