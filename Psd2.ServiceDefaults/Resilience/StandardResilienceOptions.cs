using Polly;

namespace Psd2.ServiceDefaults.Resilience;

/// <summary>
/// Settings of the standard resilience pipeline (total timeout, retry, circuit breaker, attempt timeout).
/// The defaults are those of Microsoft.Extensions.Http.Resilience's standard handler. The shape is flat so a
/// client can be tuned from configuration, e.g. <c>services.Configure&lt;StandardResilienceOptions&gt;("bank", section)</c>.
/// </summary>
public sealed class StandardResilienceOptions
{
    /// <summary>Upper bound for the whole request, every retry and every wait included. Default 30 s.</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound for a single attempt; hitting it counts as a transient failure. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt; only idempotent methods are retried. 0 turns retries off. Default 3.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Base delay between retries, shaped by <see cref="BackoffType"/> and <see cref="UseJitter"/>. Default 2 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How the retry delay grows from one attempt to the next. Default exponential.</summary>
    public DelayBackoffType BackoffType { get; set; } = DelayBackoffType.Exponential;

    /// <summary>Randomises retry delays so clients that failed together do not retry together. Default on.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// Waits as long as the server's <c>Retry-After</c> header asks (delta seconds or HTTP date) instead of the
    /// computed backoff. Default on.
    /// </summary>
    public bool ShouldRetryAfterHeader { get; set; } = true;

    /// <summary>
    /// A <c>Retry-After</c> longer than this is the server's decision (a quota spent until tomorrow), not a passing
    /// fault: the response goes straight back to the caller, unretried and not counted by the circuit breaker.
    /// Default 30 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of handled failures within the sampling window that opens the circuit. Default 0.1.</summary>
    public double CircuitBreakerFailureRatio { get; set; } = 0.1;

    /// <summary>Window over which the failure ratio is measured. Default 30 s.</summary>
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts needed within the window before the circuit may open (at least 2). Default 100.</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 100;

    /// <summary>How long the circuit stays open before a trial request is let through. Default 5 s.</summary>
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
