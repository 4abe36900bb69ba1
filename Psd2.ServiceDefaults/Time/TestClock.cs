using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Psd2.ServiceDefaults.Time;

/// <summary>
/// Business time for tests: real time plus an offset that test suites move forward, so that bank days, consent
/// validity and token lifetimes can be exercised in seconds. Exists only in the Testing environment with
/// <c>TestClock:Enabled</c> set (the test harness sets both); every service that has it follows the same offset,
/// kept in Redis under <see cref="OffsetKey"/>, so api and worker agree. Timers and timestamps stay real.
/// </summary>
public sealed class TestClock : TimeProvider
{
    /// <summary>The offset in seconds, as a decimal number; absent means none.</summary>
    public const string OffsetKey = "psd2:test-clock:offset-seconds";

    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    internal void Set(TimeSpan offset) => Interlocked.Exchange(ref _offsetTicks, offset.Ticks);

    internal static TimeSpan Parse(RedisValue value) =>
        value.IsNullOrEmpty ? TimeSpan.Zero : TimeSpan.FromSeconds(double.Parse((string)value!, CultureInfo.InvariantCulture));
}

public static class TestClockExtensions
{
    public const string EnabledSetting = "TestClock:Enabled";

    /// <summary>Registers the test clock as the <see cref="TimeProvider"/> when the setting asks for it; refuses outside Testing.</summary>
    public static void AddTestClockIfEnabled(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>(EnabledSetting))
        {
            return;
        }

        if (!builder.Environment.IsEnvironment("Testing"))
        {
            throw new InvalidOperationException($"{EnabledSetting} is for the Testing environment only; this is {builder.Environment.EnvironmentName}.");
        }

        var clock = new TestClock();
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddHostedService<TestClockFollower>();
    }
}

/// <summary>Keeps the offset current: read once before the service starts, then four times a second.</summary>
internal sealed class TestClockFollower(TestClock clock, IServiceProvider services, ILogger<TestClockFollower> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReadAsync();
        logger.LogWarning("Test clock enabled: business time runs {Offset} ahead of real time", clock.Offset);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ReadAsync();
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Reading the test clock's offset failed; keeping {Offset}", clock.Offset);
            }
        }
    }

    private async Task ReadAsync()
    {
        var redis = services.GetRequiredService<IConnectionMultiplexer>();
        clock.Set(TestClock.Parse(await redis.GetDatabase().StringGetAsync(TestClock.OffsetKey)));
    }
}
