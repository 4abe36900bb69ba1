using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Psd2.Core.Webhooks;

namespace Psd2.Core.Tests.Webhooks;

/// <summary>The retry schedule (exponential, capped, jittered, dead after the window) and the URL rules deliveries follow.</summary>
public sealed class WebhookScheduleTests
{
    private static readonly WebhookOptions Production = new();

    [Fact]
    public void TheWaitDoublesFromTheBaseUpToTheCap()
    {
        var waits = Enumerable.Range(1, 12).Select(n => WebhookBackoff.Ceiling(n, Production).TotalSeconds).ToList();

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600], waits);
        Assert.Equal(TimeSpan.FromHours(1), WebhookBackoff.Ceiling(10_000, Production));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.37)]
    [InlineData(0.999999)]
    public void JitterKeepsTheWaitBetweenHalfTheCeilingAndAllOfIt(double random)
    {
        for (var attempt = 1; attempt <= 15; attempt++)
        {
            var ceiling = WebhookBackoff.Ceiling(attempt, Production);
            var delay = WebhookBackoff.Delay(attempt, Production, random);
            Assert.InRange(delay, ceiling / 2, ceiling);
        }

        Assert.Equal(TimeSpan.FromSeconds(5), WebhookBackoff.Delay(1, Production, 0));
        Assert.NotEqual(WebhookBackoff.Delay(3, Production, 0.1), WebhookBackoff.Delay(3, Production, 0.9));
    }

    [Fact]
    public void RetriesGoOnForTheWholeWindowAndThenTheDeliveryIsDead()
    {
        var start = new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(7);
        var now = start;
        var attempts = 1;
        while (WebhookBackoff.NextAttempt(attempts, start, now, Production, random.NextDouble()) is { } next)
        {
            Assert.True(next > now);
            now = next;
            attempts++;
        }

        // With a 1 h cap the last try falls within the last hour of the 24; ten short ones, then hourly (jittered down to 30 min).
        Assert.InRange(now - start, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        Assert.InRange(attempts, 30, 55);
    }

    [Fact]
    public void ATryPastTheWindowIsNotScheduled()
    {
        var start = new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);

        Assert.Null(WebhookBackoff.NextAttempt(12, start, start.AddHours(23.9), Production, 0.5));
        Assert.Equal(start.AddHours(23) + TimeSpan.FromMinutes(45), WebhookBackoff.NextAttempt(12, start, start.AddHours(23), Production, 0.5));
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefused()
    {
        static List<string> Errors(WebhookOptions o) => o.Validate(new(o)).Select(r => r.ErrorMessage!).ToList();

        Assert.Empty(Errors(new WebhookOptions()));
        Assert.NotEmpty(Errors(new WebhookOptions { BackoffBase = TimeSpan.Zero }));
        Assert.NotEmpty(Errors(new WebhookOptions { BackoffCap = TimeSpan.FromSeconds(1) }));
        Assert.NotEmpty(Errors(new WebhookOptions { MaxAge = TimeSpan.FromSeconds(1) }));
        Assert.NotEmpty(Errors(new WebhookOptions { RequestTimeout = TimeSpan.FromMinutes(5) }));
    }

    [Theory]
    [InlineData("Production", "true", false)]
    [InlineData("Staging", "true", false)]
    [InlineData("Testing", "true", true)]
    [InlineData("Development", "true", true)]
    [InlineData("Production", "false", true)]
    public void LoopbackHttpIsRefusedOutsideDevelopmentAndTesting(string environment, string allowLoopbackHttp, bool starts)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:AllowLoopbackHttp"] = allowLoopbackHttp,
            ["Webhooks:MaxAge"] = "1.00:00:00",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddWebhookOptions(new Environment(environment)).BuildServiceProvider();

        var read = () => services.GetRequiredService<IOptions<WebhookOptions>>().Value;

        if (starts)
        {
            Assert.Equal(TimeSpan.FromDays(1), read().MaxAge);
        }
        else
        {
            Assert.Contains("AllowLoopbackHttp", Assert.Throws<OptionsValidationException>(read).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AScheduleThatCannotWorkStopsTheStart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:BackoffCap"] = "00:00:01" }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddWebhookOptions(new Environment("Production")).BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WebhookOptions>>().Value);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Psd2.Worker";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    [Theory]
    [InlineData("https://hooks.example.com/psd2", null)]
    [InlineData("https://hooks.example.com:8443/psd2?tenant=4", null)]
    [InlineData("https://93.184.215.14/hook", null)]
    [InlineData("http://hooks.example.com/psd2", "webhook_url_insecure")]
    [InlineData("http://127.0.0.1:5000/hook", "webhook_url_insecure")]
    [InlineData("https://127.0.0.1/hook", "webhook_url_forbidden")]
    [InlineData("https://localhost/hook", "webhook_url_forbidden")]
    [InlineData("https://api.localhost/hook", "webhook_url_forbidden")]
    [InlineData("https://10.1.2.3/hook", "webhook_url_forbidden")]
    [InlineData("https://172.20.0.1/hook", "webhook_url_forbidden")]
    [InlineData("https://192.168.0.10/hook", "webhook_url_forbidden")]
    [InlineData("https://169.254.169.254/latest/meta-data", "webhook_url_forbidden")]
    [InlineData("https://100.64.0.1/hook", "webhook_url_forbidden")]
    [InlineData("https://0.0.0.0/hook", "webhook_url_forbidden")]
    [InlineData("https://2130706433/hook", "webhook_url_forbidden")]
    [InlineData("https://0x7f000001/hook", "webhook_url_forbidden")]
    [InlineData("https://[::1]/hook", "webhook_url_forbidden")]
    [InlineData("https://[fe80::1]/hook", "webhook_url_forbidden")]
    [InlineData("https://[fd00::1]/hook", "webhook_url_forbidden")]
    [InlineData("https://[::ffff:10.0.0.1]/hook", "webhook_url_forbidden")]
    [InlineData("https://intranet/hook", "webhook_url_forbidden")]
    [InlineData("https://printer.local/hook", "webhook_url_forbidden")]
    [InlineData("not a url", "webhook_url_invalid")]
    [InlineData("", "webhook_url_invalid")]
    [InlineData("ftp://hooks.example.com/x", "webhook_url_invalid")]
    [InlineData("/relative/hook", "webhook_url_invalid")]
    [InlineData("https://user:pass@hooks.example.com/x", "webhook_url_invalid")]
    [InlineData("https://hooks.example.com/x#part", "webhook_url_invalid")]
    public void UrlsMustBeHttpsToAPublicHost(string url, string? problem)
    {
        Assert.Equal(problem, WebhookUrls.Check(url, allowLoopbackHttp: false).Problem?.Code);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/hook", null)]
    [InlineData("http://[::1]:5000/hook", null)]
    [InlineData("http://10.0.0.1/hook", "webhook_url_insecure")]
    [InlineData("https://192.168.1.1/hook", "webhook_url_forbidden")]
    [InlineData("http://localhost:5000/hook", "webhook_url_insecure")]
    public void TheHarnessMayAllowHttpOnLoopbackOnly(string url, string? problem)
    {
        Assert.Equal(problem, WebhookUrls.Check(url, allowLoopbackHttp: true).Problem?.Code);
    }

    [Theory]
    [InlineData("93.184.215.14", true)]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("169.254.1.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:192.168.1.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("ff02::1", false)]
    public void ConnectingIsAllowedToPublicAddressesOnly(string address, bool allowed)
    {
        Assert.Equal(allowed, WebhookUrls.IsPublic(IPAddress.Parse(address)));
    }
}
