using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;
using Psd2.IntegrationTests.Harness;
using Psd2.Worker.Refresh;
using StackExchange.Redis;

namespace Psd2.IntegrationTests.Worker;

/// <summary>The per-bank pace of unattended syncs holds across worker replicas, on the app's real Redis.</summary>
[Collection(AppCollection.Name)]
public sealed class BankRateLimiterTests(AppFixture fixture)
{
    [Fact]
    public async Task ThreeReplicasTogetherStartNoMoreSyncsABankThanItsLimitASecond()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.App.GetConnectionString("redis"));
        var slow = $"slow-bank-{Guid.NewGuid():N}";
        var other = $"other-bank-{Guid.NewGuid():N}";
        var options = Options.Create(new InstitutionOptions
        {
            Banks =
            {
                [slow] = new Institution { UnattendedSyncsPerSecond = 4 },
                [other] = new Institution { UnattendedSyncsPerSecond = 100 },
            },
        });
        var replicas = Enumerable.Range(0, 3).Select(_ => new BankRateLimiter(redis, options, NullLogger<BankRateLimiter>.Instance)).ToList();
        var clock = Stopwatch.StartNew();

        // 24 syncs, 8 a replica, all wanting to start at once.
        var starts = replicas.SelectMany(replica => Enumerable.Range(0, 8).Select(async _ =>
        {
            await replica.WaitAsync(slow, CancellationToken.None);
            return clock.Elapsed;
        })).ToList();
        await Task.Delay(100);
        var otherClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => replicas[0].WaitAsync(other, CancellationToken.None)));
        otherClock.Stop();
        var started = await Task.WhenAll(starts);

        // Four a second by the wall clock's whole seconds: the 24th start comes at least five second boundaries later
        // (more than four seconds after the first), and no nine starts fall within one second (four at the end of one
        // second and four at the start of the next are the most a fixed window lets through; half a second allows for late
        // continuations on a loaded machine).
        Assert.True(started.Max() > TimeSpan.FromSeconds(4), $"the last of 24 starts came after {started.Max()}");
        Assert.True(started.Max() < TimeSpan.FromSeconds(15), $"the last of 24 starts came after {started.Max()}");
        var order = started.Order().ToArray();
        for (var i = 0; i + 8 < order.Length; i++)
        {
            Assert.True(order[i + 8] - order[i] > TimeSpan.FromMilliseconds(500), $"nine starts within {order[i + 8] - order[i]}: {string.Join(", ", order)}");
        }

        // Another bank's pace is its own.
        Assert.True(otherClock.Elapsed < TimeSpan.FromSeconds(3), $"20 starts at another bank took {otherClock.Elapsed}");
    }
}
