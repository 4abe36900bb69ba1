using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Psd2.ServiceDefaults.Resilience;
using Xunit;

namespace Psd2.ServiceDefaults.Tests;

public sealed class ResilienceHandlerTests
{
    private static readonly Uri Accounts = new("http://bank.test/accounts");

    [Fact]
    public async Task Get_is_retried_on_503_until_it_succeeds()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task Get_gives_up_after_three_retries_and_returns_the_last_503()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(4, inner.Calls);
        Assert.Same(inner.Responses.Last(), response);
    }

    [Fact]
    public async Task Responses_that_are_retried_are_disposed_and_the_returned_one_is_not()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK);

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        var responses = inner.Responses.ToArray();
        Assert.Equal(3, responses.Length);
        Assert.True(responses[0].IsDisposed);
        Assert.True(responses[1].IsDisposed);
        Assert.False(responses[2].IsDisposed);
        Assert.Same(responses[2], response);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task Unsafe_method_is_not_retried_on_503(string method)
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await SendAsync(FastOptions(), inner, new HttpMethod(method));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Post_is_not_retried_when_the_connection_fails()
    {
        var inner = new ScriptedHandler((_, _, _) => throw new HttpRequestException("connection refused"));

        await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(FastOptions(), inner, HttpMethod.Post));

        Assert.Equal(1, inner.Calls);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("TRACE")]
    public async Task Idempotent_method_is_retried_on_503(string method)
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await SendAsync(FastOptions(), inner, new HttpMethod(method));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Transient_status_is_retried(HttpStatusCode status)
    {
        var inner = ScriptedHandler.Returning(status, HttpStatusCode.OK);

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    public async Task Client_error_is_not_retried(HttpStatusCode status)
    {
        var inner = ScriptedHandler.Returning(status, HttpStatusCode.OK);

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Get_is_retried_when_the_connection_fails()
    {
        var inner = new ScriptedHandler((call, _, _) => call == 1
            ? throw new HttpRequestException("connection reset")
            : Task.FromResult<HttpResponseMessage>(new TrackedResponse(HttpStatusCode.OK)));

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Retry_waits_grow_exponentially_from_the_retry_delay()
    {
        var time = new RetryWaitRecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);

        using var response = await SendAsync(SlowTimeoutOptions(), inner, HttpMethod.Get, time);

        Assert.Equal(4, inner.Calls);
        Assert.Equal([Ms(10), Ms(20), Ms(40)], time.Waits);
    }

    [Fact]
    public async Task Retry_after_in_seconds_replaces_the_computed_wait()
    {
        var time = new RetryWaitRecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var inner = ScriptedHandler.Returning(
            Respond(HttpStatusCode.TooManyRequests, retryAfter: new RetryConditionHeaderValue(TimeSpan.FromSeconds(3))),
            Respond(HttpStatusCode.OK));

        using var response = await SendAsync(SlowTimeoutOptions(), inner, HttpMethod.Get, time);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(3)], time.Waits);
    }

    [Fact]
    public async Task Retry_after_as_http_date_waits_until_that_date()
    {
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var time = new RetryWaitRecordingTimeProvider(now);
        var inner = ScriptedHandler.Returning(
            Respond(HttpStatusCode.ServiceUnavailable, retryAfter: new RetryConditionHeaderValue(now.AddSeconds(7))),
            Respond(HttpStatusCode.OK));

        using var response = await SendAsync(SlowTimeoutOptions(), inner, HttpMethod.Get, time);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([TimeSpan.FromSeconds(7)], time.Waits);
    }

    [Fact]
    public async Task Retry_after_longer_than_the_limit_returns_the_response_unretried_and_leaves_the_circuit_closed()
    {
        var time = new RetryWaitRecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var options = SlowTimeoutOptions();
        var quotaSpent = new RetryConditionHeaderValue(TimeSpan.FromHours(9));
        var inner = ScriptedHandler.Returning(
            Respond(HttpStatusCode.TooManyRequests, quotaSpent), Respond(HttpStatusCode.TooManyRequests, quotaSpent),
            Respond(HttpStatusCode.TooManyRequests, quotaSpent), Respond(HttpStatusCode.OK));
        using var handler = new ResilienceHandler(options, time) { InnerHandler = inner };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://bank.test") };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/v1/accounts");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.OK], statuses);
        Assert.Empty(time.Waits);
    }

    [Fact]
    public async Task Retry_after_is_ignored_when_switched_off()
    {
        var time = new RetryWaitRecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var options = SlowTimeoutOptions();
        options.ShouldRetryAfterHeader = false;
        var inner = ScriptedHandler.Returning(
            Respond(HttpStatusCode.TooManyRequests, retryAfter: new RetryConditionHeaderValue(TimeSpan.FromSeconds(3))),
            Respond(HttpStatusCode.OK));

        using var response = await SendAsync(options, inner, HttpMethod.Get, time);

        Assert.Equal([Ms(10)], time.Waits);
    }

    [Fact]
    public async Task Retry_after_of_one_second_delays_the_retry_in_real_time()
    {
        var inner = ScriptedHandler.Returning(
            Respond(HttpStatusCode.ServiceUnavailable, retryAfter: new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))),
            Respond(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(FastOptions(), inner, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed >= Ms(950), $"retried after {clock.Elapsed}");
    }

    [Fact]
    public async Task Attempt_timeout_cancels_a_hanging_attempt_and_retries()
    {
        var options = FastOptions();
        options.AttemptTimeout = Ms(100);
        var firstAttemptCancelled = false;
        var inner = new ScriptedHandler(async (call, _, cancellationToken) =>
        {
            if (call == 1)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    firstAttemptCancelled = true;
                    throw;
                }
            }

            return new TrackedResponse(HttpStatusCode.OK);
        });

        using var response = await SendAsync(options, inner, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Calls);
        Assert.True(firstAttemptCancelled);
    }

    [Fact]
    public async Task Attempt_timeout_on_a_post_surfaces_without_a_retry()
    {
        var options = FastOptions();
        options.AttemptTimeout = Ms(100);
        var inner = ScriptedHandler.Hanging();

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => SendAsync(options, inner, HttpMethod.Post));

        Assert.Equal(Ms(100), error.Timeout);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Total_timeout_ends_the_request_while_attempts_keep_timing_out()
    {
        var options = FastOptions();
        // Wide margins on real timers: a loaded machine fires them late, never early. Without the total
        // timeout, 100 attempts of 100 ms would take over 11 s.
        options.AttemptTimeout = Ms(100);
        options.TotalRequestTimeout = TimeSpan.FromSeconds(2);
        options.MaxRetryAttempts = 100;
        var inner = ScriptedHandler.Hanging();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutRejectedException>(() => SendAsync(options, inner, HttpMethod.Get));

        Assert.Equal(TimeSpan.FromSeconds(2), error.Timeout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"gave up after {clock.Elapsed}");
        Assert.InRange(inner.Calls, 2, 21);
    }

    [Fact]
    public async Task Total_timeout_cuts_a_retry_wait_short()
    {
        var options = FastOptions();
        options.RetryDelay = TimeSpan.FromSeconds(30);
        options.TotalRequestTimeout = Ms(200);
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => SendAsync(options, inner, HttpMethod.Get));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"gave up after {clock.Elapsed}");
        Assert.Equal(1, inner.Calls);
        Assert.True(inner.Responses.Single().IsDisposed);
    }

    [Fact]
    public async Task Caller_cancellation_during_an_attempt_is_not_retried()
    {
        var inner = ScriptedHandler.Hanging();
        using var cancellation = new CancellationTokenSource(Ms(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => SendAsync(FastOptions(), inner, HttpMethod.Get, cancellationToken: cancellation.Token));

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Caller_cancellation_during_a_retry_wait_stops_the_retries()
    {
        var options = FastOptions();
        options.RetryDelay = TimeSpan.FromSeconds(30);
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        using var cancellation = new CancellationTokenSource(Ms(100));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => SendAsync(options, inner, HttpMethod.Get, cancellationToken: cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"gave up after {clock.Elapsed}");
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Circuit_opens_after_enough_failures_and_then_the_inner_handler_is_not_called()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        using var invoker = new HttpMessageInvoker(new ResilienceHandler(TrippingOptions()) { InnerHandler = inner });

        for (var i = 0; i < 2; i++)
        {
            using var failed = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, Accounts), CancellationToken.None);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(
            () => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, Accounts), CancellationToken.None));
        await Assert.ThrowsAsync<BrokenCircuitException>(
            () => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Accounts), CancellationToken.None));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Circuit_that_opens_mid_retry_stops_the_remaining_retries()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        using var invoker = new HttpMessageInvoker(new ResilienceHandler(TrippingOptions()) { InnerHandler = inner });

        await Assert.ThrowsAsync<BrokenCircuitException>(
            () => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Accounts), CancellationToken.None));

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void Synchronous_send_is_retried_too()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var invoker = new HttpMessageInvoker(new ResilienceHandler(FastOptions()) { InnerHandler = inner });

        using var response = invoker.Send(new HttpRequestMessage(HttpMethod.Get, Accounts), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public void Defaults_match_the_standard_resilience_handler()
    {
        var options = new StandardResilienceOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), options.TotalRequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Equal(3, options.MaxRetryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryDelay);
        Assert.Equal(DelayBackoffType.Exponential, options.BackoffType);
        Assert.True(options.UseJitter);
        Assert.True(options.ShouldRetryAfterHeader);
        Assert.Equal(0.1, options.CircuitBreakerFailureRatio);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CircuitBreakerSamplingDuration);
        Assert.Equal(100, options.CircuitBreakerMinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CircuitBreakerBreakDuration);
    }

    [Fact]
    public void Pipeline_is_built_once_per_client_name()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("bank").AddStandardResilienceHandler();
        using var provider = services.BuildServiceProvider();
        var pipelines = provider.GetRequiredService<ResiliencePipelineCache>();

        Assert.Same(pipelines.GetOrAdd("bank"), pipelines.GetOrAdd("bank"));
        Assert.NotSame(pipelines.GetOrAdd("bank"), pipelines.GetOrAdd("other"));
    }

    [Fact]
    public async Task Circuit_state_survives_the_factory_replacing_the_handlers()
    {
        var inner = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.AddHttpClient("bank")
            .AddStandardResilienceHandler(ApplyTripping)
            .ConfigurePrimaryHttpMessageHandler(() => inner);
        using var provider = services.BuildServiceProvider();

        using (var before = new HttpMessageInvoker(BuildHandlers(provider, "bank"), disposeHandler: false))
        {
            for (var i = 0; i < 2; i++)
            {
                using var failed = await before.SendAsync(new HttpRequestMessage(HttpMethod.Post, Accounts), CancellationToken.None);
            }
        }

        using var after = new HttpMessageInvoker(BuildHandlers(provider, "bank"), disposeHandler: false);
        await Assert.ThrowsAsync<BrokenCircuitException>(
            () => after.SendAsync(new HttpRequestMessage(HttpMethod.Post, Accounts), CancellationToken.None));
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Options_are_resolved_by_client_name()
    {
        var bank = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        var other = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.Configure<StandardResilienceOptions>("other", ApplyFast);
        services.AddHttpClient("bank")
            .AddStandardResilienceHandler(options =>
            {
                ApplyFast(options);
                options.MaxRetryAttempts = 1;
            })
            .ConfigurePrimaryHttpMessageHandler(() => bank);
        services.AddHttpClient("other")
            .AddStandardResilienceHandler()
            .ConfigurePrimaryHttpMessageHandler(() => other);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        using var bankResponse = await factory.CreateClient("bank").GetAsync(Accounts);
        using var otherResponse = await factory.CreateClient("other").GetAsync(Accounts);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, bankResponse.StatusCode);
        Assert.Equal(2, bank.Calls);
        Assert.Equal(4, other.Calls);
    }

    [Fact]
    public async Task Client_defaults_keep_one_circuit_per_client()
    {
        var bank = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        var other = ScriptedHandler.Returning(HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler(ApplyFast));
        services.Configure<StandardResilienceOptions>("bank", ApplyTripping);
        services.AddHttpClient("bank").ConfigurePrimaryHttpMessageHandler(() => bank);
        services.AddHttpClient("other").ConfigurePrimaryHttpMessageHandler(() => other);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => factory.CreateClient("bank").GetAsync(Accounts));
        using var otherResponse = await factory.CreateClient("other").GetAsync(Accounts);

        Assert.Equal(2, bank.Calls);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, otherResponse.StatusCode);
        Assert.Equal(4, other.Calls);
    }

    private static async Task<HttpResponseMessage> SendAsync(
        StandardResilienceOptions options,
        HttpMessageHandler inner,
        HttpMethod method,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        using var invoker = new HttpMessageInvoker(new ResilienceHandler(options, timeProvider) { InnerHandler = inner });
        return await invoker.SendAsync(new HttpRequestMessage(method, Accounts), cancellationToken);
    }

    // Runs the client's handler actions on a fresh builder, as IHttpClientFactory does whenever a client's
    // handlers expire.
    private static HttpMessageHandler BuildHandlers(IServiceProvider provider, string name)
    {
        var builder = provider.GetRequiredService<HttpMessageHandlerBuilder>();
        builder.Name = name;
        foreach (var configure in provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(name).HttpMessageHandlerBuilderActions)
        {
            configure(builder);
        }

        return builder.Build();
    }

    private static StandardResilienceOptions FastOptions()
    {
        var options = new StandardResilienceOptions();
        ApplyFast(options);
        return options;
    }

    private static void ApplyFast(StandardResilienceOptions options)
    {
        options.RetryDelay = Ms(10);
        options.UseJitter = false;
        options.AttemptTimeout = TimeSpan.FromSeconds(5);
        options.TotalRequestTimeout = TimeSpan.FromSeconds(10);
    }

    // Timeouts far longer than any retry wait, so the recording time provider can tell them apart.
    private static StandardResilienceOptions SlowTimeoutOptions()
    {
        var options = FastOptions();
        options.AttemptTimeout = TimeSpan.FromMinutes(5);
        options.TotalRequestTimeout = TimeSpan.FromMinutes(10);
        return options;
    }

    private static StandardResilienceOptions TrippingOptions()
    {
        var options = FastOptions();
        ApplyTripping(options);
        return options;
    }

    private static void ApplyTripping(StandardResilienceOptions options)
    {
        options.RetryDelay = Ms(10);
        options.UseJitter = false;
        options.CircuitBreakerFailureRatio = 0.5;
        options.CircuitBreakerMinimumThroughput = 2;
        options.CircuitBreakerBreakDuration = TimeSpan.FromSeconds(30);
    }

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private static Func<TrackedResponse> Respond(HttpStatusCode status, RetryConditionHeaderValue? retryAfter = null) => () =>
    {
        var response = new TrackedResponse(status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    };

    private sealed class TrackedResponse(HttpStatusCode status) : HttpResponseMessage(status)
    {
        public bool IsDisposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            IsDisposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class ScriptedHandler(Func<int, HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond)
        : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ConcurrentQueue<TrackedResponse> Responses { get; } = new();

        // Plays the responses in order and repeats the last one.
        public static ScriptedHandler Returning(params HttpStatusCode[] statuses) =>
            Returning(statuses.Select(status => Respond(status)).ToArray());

        public static ScriptedHandler Returning(params Func<TrackedResponse>[] responses) =>
            new((call, _, _) => Task.FromResult<HttpResponseMessage>(responses[Math.Min(call, responses.Length) - 1]()));

        public static ScriptedHandler Hanging() => new(async (_, _, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new UnreachableException();
        });

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await respond(Interlocked.Increment(ref _calls), request, cancellationToken);
            if (response is TrackedResponse tracked)
            {
                Responses.Enqueue(tracked);
            }

            return response;
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            SendAsync(request, cancellationToken).GetAwaiter().GetResult();
    }

    // Timers shorter than a minute are retry waits in these tests: recorded and cut short. Longer ones are
    // the timeouts and run as asked. The clock stands still so Retry-After dates give exact waits.
    private sealed class RetryWaitRecordingTimeProvider(DateTimeOffset now) : TimeProvider
    {
        private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);
        private readonly ConcurrentQueue<TimeSpan> _waits = new();

        public TimeSpan[] Waits => _waits.ToArray();

        public override DateTimeOffset GetUtcNow() => now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime > TimeSpan.Zero && dueTime < LongestWait)
            {
                _waits.Enqueue(dueTime);
                dueTime = TimeSpan.FromMilliseconds(1);
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
