using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Psd2.ServiceDefaults.Http;

/// <summary>
/// What the platform adds to Microsoft's standard resilience handler (total timeout, retry with jitter honouring
/// <c>Retry-After</c>, circuit breaker, attempt timeout, with their defaults):
/// <list type="bullet">
/// <item>Only methods the server must treat as idempotent (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) are retried: a
/// repeated POST or PATCH could create a consent or redeem a code twice. A caller can also mark any request as not
/// retryable with <see cref="WithoutRetries"/>. Such failures still count towards the circuit breaker.</item>
/// <item>A <c>Retry-After</c> longer than <see cref="MaxRetryAfter"/> is the server's decision (a quota spent until
/// tomorrow), not a passing fault: the response goes straight back to the caller, unretried and not counted by the
/// circuit breaker, so the caller can read the header and come back later.</item>
/// </list>
/// </summary>
public static class HttpResilienceDefaults
{
    /// <summary>The longest <c>Retry-After</c> the retry waits for.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private static readonly HttpRequestOptionsKey<bool> NoRetry = new("Psd2.Resilience.NoRetry");

    /// <summary>Marks the request as never to be retried, whatever its method.</summary>
    public static HttpRequestMessage WithoutRetries(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(NoRetry, true);
        return request;
    }

    /// <summary>Narrows the standard handler's retry and circuit breaker predicates as described on the class.</summary>
    public static void Apply(HttpStandardResilienceOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);

        var transient = options.Retry.ShouldHandle;
        options.Retry.ShouldHandle = async args =>
            IsRetryable(args.Context.GetRequestMessage())
            && !WaitsTooLong(args.Outcome, time)
            && await transient(args).ConfigureAwait(false);

        var failure = options.CircuitBreaker.ShouldHandle;
        options.CircuitBreaker.ShouldHandle = async args =>
            !WaitsTooLong(args.Outcome, time) && await failure(args).ConfigureAwait(false);
    }

    private static bool IsRetryable(HttpRequestMessage? request) =>
        request is not null
        && !(request.Options.TryGetValue(NoRetry, out var noRetry) && noRetry)
        && IsIdempotent(request.Method);

    private static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get
        || method == HttpMethod.Head
        || method == HttpMethod.Options
        || method == HttpMethod.Put
        || method == HttpMethod.Delete
        || method == HttpMethod.Trace;

    private static bool WaitsTooLong(Outcome<HttpResponseMessage> outcome, TimeProvider time) =>
        outcome.Result?.Headers.RetryAfter is { } retryAfter && Wait(retryAfter, time) > MaxRetryAfter;

    private static TimeSpan Wait(RetryConditionHeaderValue retryAfter, TimeProvider time) =>
        retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : TimeSpan.Zero);
}
