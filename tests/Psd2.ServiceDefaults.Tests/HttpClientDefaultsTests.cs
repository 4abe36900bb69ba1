using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Polly.CircuitBreaker;
using Psd2.ServiceDefaults.Http;

namespace Psd2.ServiceDefaults.Tests;

/// <summary>
/// The HttpClient every service gets from the factory after <c>AddServiceDefaults()</c>: Microsoft's standard
/// resilience handler with the platform's narrowing, and service discovery, over a scripted primary handler.
/// </summary>
public sealed class HttpClientDefaultsTests : IDisposable
{
    private const string Client = "bank";
    private static readonly Uri Accounts = new("https://bank.test/v1/accounts");

    private readonly ScriptedHandler _bank = new();
    private readonly IHost _host;

    public HttpClientDefaultsTests()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:sandboxbank:https:0"] = "https://127.0.0.1:7443",
            ["services:sandboxbank:http:0"] = "http://127.0.0.1:7080",
        });
        builder.AddServiceDefaults();
        // Short computed waits, so that a long wait can only come from a Retry-After header.
        builder.Services.ConfigureAll<HttpStandardResilienceOptions>(options =>
        {
            options.Retry.Delay = TimeSpan.FromMilliseconds(10);
            // The circuit opens once four attempts in the window have all failed: one GET and its three retries.
            options.CircuitBreaker.MinimumThroughput = 4;
            options.CircuitBreaker.FailureRatio = 1.0;
        });
        builder.Services.AddHttpClient(Client).ConfigurePrimaryHttpMessageHandler(() => _bank);
        _host = builder.Build();
    }

    private HttpClient Http => _host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(Client);

    [Fact]
    public async Task Get_that_gets_503_is_retried()
    {
        _bank.Script(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await Http.GetAsync(Accounts);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _bank.Calls);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Idempotent_write_that_gets_503_is_retried(string method)
    {
        _bank.Script(HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent);

        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), Accounts));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(2, _bank.Calls);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task Write_that_is_not_idempotent_is_not_retried_on_503(string method)
    {
        _bank.Script(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), Accounts) { Content = new StringContent("{}") });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, _bank.Calls);
    }

    [Fact]
    public async Task Post_is_not_retried_when_the_connection_fails()
    {
        _bank.Fail(new HttpRequestException("Connection refused"));

        await Assert.ThrowsAsync<HttpRequestException>(() => Http.PostAsync(Accounts, new StringContent("{}")));

        Assert.Equal(1, _bank.Calls);
    }

    [Fact]
    public async Task Get_the_caller_marks_as_not_retryable_is_not_retried()
    {
        _bank.Script(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        using var response = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Accounts).WithoutRetries());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, _bank.Calls);
    }

    [Fact]
    public async Task Retry_after_of_one_second_is_waited_for_before_the_retry()
    {
        _bank.Script(TooManyRequests(TimeSpan.FromSeconds(1)), new HttpResponseMessage(HttpStatusCode.OK));

        var clock = Stopwatch.StartNew();
        using var response = await Http.GetAsync(Accounts);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _bank.Calls);
        // Lower bound only: a loaded machine fires timers late, never early by more than the clock's granularity.
        Assert.True(_bank.CallTimes[1] - _bank.CallTimes[0] >= TimeSpan.FromMilliseconds(950), $"retried after {_bank.CallTimes[1] - _bank.CallTimes[0]}");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950));
    }

    [Fact]
    public async Task Retry_after_longer_than_the_limit_returns_the_response_unretried_and_leaves_the_circuit_closed()
    {
        _bank.Script(TooManyRequests(TimeSpan.FromHours(3)));

        for (var i = 0; i < 3; i++)
        {
            using var response = await Http.GetAsync(Accounts);

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(TimeSpan.FromHours(3), response.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(3, _bank.Calls);
    }

    [Fact]
    public async Task An_open_circuit_for_one_bank_leaves_another_bank_reachable()
    {
        _bank.Script(request => request.RequestUri!.Host == "failing.test" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);

        var failing = new Uri("https://failing.test/v1/accounts");

        using var first = await Http.GetAsync(failing);
        var callsToOpen = _bank.Calls;
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Http.GetAsync(failing));
        using var other = await Http.GetAsync(Accounts);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(4, callsToOpen);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(callsToOpen + 1, _bank.Calls);
    }

    [Theory]
    [InlineData("https+http://sandboxbank/v1/consents", "https://127.0.0.1:7443/v1/consents")]
    [InlineData("https://sandboxbank/v1/consents", "https://127.0.0.1:7443/v1/consents")]
    [InlineData("http://sandboxbank/v1/consents", "http://127.0.0.1:7080/v1/consents")]
    [InlineData("https://bank.test/v1/accounts", "https://bank.test/v1/accounts")]
    public async Task Service_discovery_resolves_logical_addresses_from_configuration(string requested, string sent)
    {
        _bank.Script(HttpStatusCode.OK);

        using var response = await Http.GetAsync(new Uri(requested));

        Assert.Equal(new Uri(sent), Assert.Single(_bank.Requests));
    }

    public void Dispose()
    {
        _host.Dispose();
        _bank.Dispose();
    }

    private static HttpResponseMessage TooManyRequests(TimeSpan retryAfter) =>
        new(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(retryAfter) } };

    /// <summary>Answers from a script (the last answer repeats) and records what reached it, and when.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
        private Func<HttpRequestMessage, HttpResponseMessage> _last = _ => new HttpResponseMessage(HttpStatusCode.OK);
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public List<Uri> Requests { get; } = [];

        public List<TimeSpan> CallTimes { get; } = [];

        public int Calls => Requests.Count;

        public void Script(params HttpStatusCode[] statuses) =>
            Script(statuses.Select(status => new HttpResponseMessage(status)).ToArray());

        public void Script(params HttpResponseMessage[] responses)
        {
            foreach (var response in responses)
            {
                // Each answer is handed out once; a repeated last answer is a fresh copy of its status and headers.
                var template = response;
                _script.Enqueue(_ => template);
                _last = _ => Copy(template);
            }
        }

        public void Script(Func<HttpRequestMessage, HttpStatusCode> answer) => _last = request => new HttpResponseMessage(answer(request));

        public void Fail(Exception exception) => _last = _ => throw exception;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request.RequestUri!);
                CallTimes.Add(_clock.Elapsed);
            }

            var answer = _script.TryDequeue(out var next) ? next : _last;
            var response = answer(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }

        private static HttpResponseMessage Copy(HttpResponseMessage template)
        {
            var copy = new HttpResponseMessage(template.StatusCode);
            foreach (var header in template.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return copy;
        }
    }
}
