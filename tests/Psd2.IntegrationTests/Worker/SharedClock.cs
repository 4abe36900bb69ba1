using Aspire.Hosting.ApplicationModel;
using System.Globalization;
using System.Text.Json;
using Psd2.IntegrationTests.Harness;
using Psd2.ServiceDefaults.Time;
using StackExchange.Redis;

namespace Psd2.IntegrationTests.Worker;

/// <summary>
/// Moves the sandbox bank's test clock and the platform's together: the bank's offset is written where api and
/// worker read theirs, and the move is done once every platform service tells (its /info) the new time.
/// </summary>
internal sealed class SharedClock(TestApp app, BankTpp bank)
{
    public static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    public async Task<DateTimeOffset> NowAsync() =>
        (await bank.Admin.GetFromJsonAsync<JsonElement>("/sandbox/clock")).GetProperty("now").GetDateTimeOffset();

    public async Task<DateTimeOffset> AdvanceAsync(TimeSpan by)
    {
        using var response = await bank.Admin.PostAsJsonAsync("/sandbox/clock/advance", new { seconds = Math.Ceiling(by.TotalSeconds) });
        response.EnsureSuccessStatusCode();
        var clock = await response.Content.ReadFromJsonAsync<JsonElement>();
        var offset = clock.GetProperty("offsetSeconds").GetDouble();
        using (var redis = await ConnectionMultiplexer.ConnectAsync(app.GetConnectionString("redis")))
        {
            await redis.GetDatabase().StringSetAsync(TestClock.OffsetKey, offset.ToString(CultureInfo.InvariantCulture));
        }

        var now = clock.GetProperty("now").GetDateTimeOffset();
        foreach (var service in app.ResourceNames.Where(name => name is "api" || name.StartsWith("worker", StringComparison.Ordinal)))
        {
            if (app.Snapshot(service).State?.Text != KnownResourceStates.Running)
            {
                continue;
            }

            using var client = app.CreateHttpClient(service);
            await Eventually.True(async ct => (await client.GetFromJsonAsync<JsonElement>("/info", ct)).GetProperty("now").GetDateTimeOffset() >= now,
                Eventually.Seconds(10), $"{service} to follow the test clock", every: TimeSpan.FromMilliseconds(50));
        }

        return now;
    }

    /// <summary>Moves to the next time the bank's local clock shows <paramref name="time"/> (Europe/Stockholm).</summary>
    public async Task<DateTimeOffset> AdvanceToLocalAsync(TimeOnly time)
    {
        var now = await NowAsync();
        var local = TimeZoneInfo.ConvertTime(now, Stockholm);
        var target = local.Date + time.ToTimeSpan();
        if (target <= local.DateTime)
        {
            target = target.AddDays(1);
        }

        var instant = new DateTimeOffset(target, Stockholm.GetUtcOffset(target));
        return await AdvanceAsync(instant - now);
    }

    public static DateOnly BankDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Stockholm).DateTime);
}
