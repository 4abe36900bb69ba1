using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Psd2.ServiceDefaults.Resilience;

/// <summary>
/// Sends every request through the standard resilience pipeline, outermost first: total timeout, retry,
/// circuit breaker, attempt timeout. Transient outcomes are 5xx, 408, 429, <see cref="HttpRequestException"/>
/// and an attempt timing out; only idempotent methods are retried. A response whose Retry-After exceeds
/// <see cref="StandardResilienceOptions.MaxRetryAfter"/> is not transient: it is returned as it is.
/// </summary>
/// <remarks>
/// The pipeline holds the circuit breaker's state, so handlers of one client must share one pipeline
/// (see <see cref="ResiliencePipelineCache"/>). An open circuit surfaces as <see cref="BrokenCircuitException"/>,
/// the total timeout as <see cref="TimeoutRejectedException"/>, and the caller's own cancellation as
/// <see cref="OperationCanceledException"/>.
/// </remarks>
public sealed class ResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("Psd2.Resilience.Request");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <summary>Creates a handler with a pipeline of its own; its circuit breaker is not shared with any other handler.</summary>
    public ResilienceHandler(StandardResilienceOptions options, TimeProvider? timeProvider = null)
        : this(CreatePipeline(options, timeProvider))
    {
    }

    /// <summary>Creates a handler around an existing pipeline, usually one from <see cref="ResiliencePipelineCache"/>.</summary>
    public ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <summary>Builds the standard pipeline. Throws <see cref="System.ComponentModel.DataAnnotations.ValidationException"/> for out-of-range options.</summary>
    public static ResiliencePipeline<HttpResponseMessage> CreatePipeline(StandardResilienceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var time = timeProvider ?? TimeProvider.System;

        var retry = new RetryStrategyOptions<HttpResponseMessage>
        {
            Name = "Retry",
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = options.BackoffType,
            UseJitter = options.UseJitter,
            Delay = options.RetryDelay,
            ShouldHandle = args => new ValueTask<bool>(IsRetryable(args.Context) && IsTransient(args.Outcome, options.MaxRetryAfter, time)),
        };
        if (options.ShouldRetryAfterHeader)
        {
            retry.DelayGenerator = args => new ValueTask<TimeSpan?>(GetRetryAfter(args.Outcome.Result, time));
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions { Name = "TotalRequestTimeout", Timeout = options.TotalRequestTimeout })
            .AddRetry(retry)
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                Name = "CircuitBreaker",
                FailureRatio = options.CircuitBreakerFailureRatio,
                SamplingDuration = options.CircuitBreakerSamplingDuration,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                BreakDuration = options.CircuitBreakerBreakDuration,
                ShouldHandle = args => new ValueTask<bool>(IsTransient(args.Outcome, options.MaxRetryAfter, time)),
            })
            .AddTimeout(new TimeoutStrategyOptions { Name = "AttemptTimeout", Timeout = options.AttemptTimeout })
            .Build();
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = RentContext(request, cancellationToken);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Handler.SendToInnerAsync(state.Request, ctx.CancellationToken)),
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = RentContext(request, cancellationToken);
        try
        {
            return _pipeline.Execute(
                static (ctx, state) => state.Handler.SendToInner(state.Request, ctx.CancellationToken),
                context,
                (Handler: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ResilienceContext RentContext(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        // The retry predicate only sees the outcome; the method decides whether a retry is safe.
        context.Properties.Set(RequestKey, request);
        return context;
    }

    private Task<HttpResponseMessage> SendToInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private HttpResponseMessage SendToInner(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.Send(request, cancellationToken);

    // A repeated POST or PATCH could apply a payment twice, so only methods the server must treat as
    // idempotent are retried; the others still count towards the circuit breaker.
    private static bool IsRetryable(ResilienceContext context) =>
        context.Properties.TryGetValue(RequestKey, out var request) && IsIdempotent(request.Method);

    private static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get
        || method == HttpMethod.Head
        || method == HttpMethod.Options
        || method == HttpMethod.Put
        || method == HttpMethod.Delete
        || method == HttpMethod.Trace;

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter, TimeProvider time) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Exception: null, Result: { } response } => IsTransient(response.StatusCode) && !(GetRetryAfter(response, time) > maxRetryAfter),
        _ => false,
    };

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static TimeSpan? GetRetryAfter(HttpResponseMessage? response, TimeProvider time) => response?.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        // A date already in the past means the server is ready now, not that the header is invalid.
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };
}
