namespace Psd2.Core.Webhooks;

/// <summary>
/// When a failed delivery is tried again: exponential from <see cref="WebhookOptions.BackoffBase"/>, doubling per failure,
/// capped at <see cref="WebhookOptions.BackoffCap"/>, with "equal jitter" (half the wait fixed, half random) so that
/// deliveries failing together do not come back together; dead once the next try would fall outside
/// <see cref="WebhookOptions.MaxAge"/> from the start of the retry window.
/// </summary>
public static class WebhookBackoff
{
    /// <summary>The wait before the next try after <paramref name="failedAttempts"/> failures (1 or more), without jitter.</summary>
    public static TimeSpan Ceiling(int failedAttempts, WebhookOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        // 2^40 base steps exceed any sensible cap; stop doubling there so the arithmetic cannot overflow.
        var factor = Math.Pow(2, Math.Min(failedAttempts - 1, 40));
        var ticks = Math.Min(options.BackoffBase.Ticks * factor, options.BackoffCap.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The jittered wait: between half of <see cref="Ceiling"/> and all of it; <paramref name="random"/> is in [0, 1).</summary>
    public static TimeSpan Delay(int failedAttempts, WebhookOptions options, double random)
    {
        var ceiling = Ceiling(failedAttempts, options);
        return ceiling / 2 + ceiling / 2 * Math.Clamp(random, 0, 1);
    }

    /// <summary>The next try's time, or null when it would fall past the retry window and the delivery is dead.</summary>
    public static DateTimeOffset? NextAttempt(int failedAttempts, DateTimeOffset windowStart, DateTimeOffset now, WebhookOptions options, double random)
    {
        var next = now + Delay(failedAttempts, options, random);
        return next > windowStart + options.MaxAge ? null : next;
    }
}
