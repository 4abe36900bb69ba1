using Psd2.Core.Refresh;

namespace Psd2.Core.Tests;

public sealed class RefreshSlotsTests
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(15);
    private static readonly BankDays Stockholm = new(TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"));
    private readonly RefreshSlots _slots = new(Stockholm, Margin);

    public static TheoryData<int, string> Days => new()
    {
        { 1, "2026-06-10" }, { 2, "2026-06-10" }, { 3, "2026-06-10" }, { 4, "2026-06-10" },
        { 4, "2026-03-29" }, // 23 hours: clocks go forward
        { 4, "2026-10-25" }, // 25 hours: clocks go back
        { 3, "2026-12-31" },
    };

    [Theory]
    [MemberData(nameof(Days))]
    public void EachBankDayHoldsExactlyFrequencyPerDaySlotsInsideItsWindowEvenlySpaced(int frequency, string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var (from, until) = _slots.Window(day);
        Assert.Equal(Stockholm.StartOf(day) + Margin, from);
        Assert.Equal(Stockholm.StartOf(day.AddDays(1)) - Margin, until);
        foreach (var id in Ids(200))
        {
            var slots = _slots.SlotsOn(id, frequency, day);
            Assert.Equal(frequency, slots.Count);
            Assert.All(slots, s => Assert.InRange(s, from, until.AddTicks(-1)));
            Assert.All(slots, s => Assert.Equal(day, Stockholm.DayOf(s)));
            var gaps = slots.Zip(slots.Skip(1), (a, b) => b - a).ToList();
            Assert.All(gaps, g => Assert.InRange(g.Ticks, (until - from).Ticks / frequency - 1, (until - from).Ticks / frequency + 1));
        }
    }

    [Fact]
    public void ThePhaseIsDeterministicPerConnectionAndSpreadsTenThousandConnectionsEvenly()
    {
        var ids = Ids(10_000);
        Assert.All(ids.Take(100), id => Assert.Equal(RefreshSlots.Phase(id), RefreshSlots.Phase(new Guid(id.ToString()))));
        var buckets = ids.GroupBy(id => (int)(RefreshSlots.Phase(id) * 20)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(20, buckets.Count);
        // 500 expected per bucket: a uniform spread keeps every one within about five standard deviations.
        Assert.All(buckets.Values, count => Assert.InRange(count, 390, 610));

        // Time-ordered ids (v7, created in one burst) spread as well: the phase is a hash, not the id's leading bits.
        var burst = Enumerable.Range(0, 2000).Select(_ => Guid.CreateVersion7()).ToList();
        var quarters = burst.GroupBy(id => (int)(RefreshSlots.Phase(id) * 4)).Select(g => g.Count()).ToList();
        Assert.Equal(4, quarters.Count);
        Assert.All(quarters, count => Assert.InRange(count, 400, 600));
    }

    [Fact]
    public void FollowingNextAfterGivesEverySlotOnceAndNeverMoreThanFrequencyPerBankDay()
    {
        foreach (var frequency in new[] { 1, 2, 3, 4 })
        {
            foreach (var id in Ids(25))
            {
                var start = new DateTimeOffset(2026, 3, 27, 13, 7, 0, TimeSpan.Zero);
                var perDay = new Dictionary<DateOnly, int>();
                for (var t = _slots.NextAfter(id, frequency, start); t < start.AddDays(10); t = _slots.NextAfter(id, frequency, t))
                {
                    var day = Stockholm.DayOf(t);
                    perDay[day] = perDay.GetValueOrDefault(day) + 1;
                    Assert.Contains(t, _slots.SlotsOn(id, frequency, day));
                }

                // Whole days in between (the DST change on 2026-03-29 included) have exactly frequencyPerDay.
                Assert.All(perDay.Where(d => d.Key > Stockholm.DayOf(start) && d.Key < Stockholm.DayOf(start.AddDays(10))), d => Assert.Equal(frequency, d.Value));
                Assert.All(perDay.Values, count => Assert.InRange(count, 1, frequency));
            }
        }
    }

    [Fact]
    public void NoSlotFallsWithinTheMarginAroundBankMidnight()
    {
        foreach (var id in Ids(500))
        {
            for (var t = _slots.NextAfter(id, 4, new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero)); t < new DateTimeOffset(2026, 10, 30, 0, 0, 0, TimeSpan.Zero); t = _slots.NextAfter(id, 4, t))
            {
                var local = TimeZoneInfo.ConvertTime(t, Stockholm.Zone);
                var sinceMidnight = local.TimeOfDay;
                var untilMidnight = Stockholm.StartOf(Stockholm.DayOf(t).AddDays(1)) - t;
                Assert.True(sinceMidnight >= Margin && untilMidnight > Margin, $"{local:O} is within {Margin} of midnight");
            }
        }
    }

    [Fact]
    public void ASlotIsReadOnlyInsideItsOwnBankDaysWindow()
    {
        var id = Guid.NewGuid();
        var day = new DateOnly(2026, 6, 10);
        var slot = _slots.SlotsOn(id, 4, day)[2];
        var (_, until) = _slots.Window(day);

        Assert.False(_slots.MayReadNow(slot, slot.AddTicks(-1)));
        Assert.True(_slots.MayReadNow(slot, slot));
        Assert.True(_slots.MayReadNow(slot, until.AddTicks(-1)));
        Assert.False(_slots.MayReadNow(slot, until));
        Assert.False(_slots.MayReadNow(slot, Stockholm.StartOf(day.AddDays(1)).AddHours(3)));
    }

    [Fact]
    public void NextFromNeverGivesASlotBeforeTheTimeTheBankAllows()
    {
        var id = Guid.NewGuid();
        var day = new DateOnly(2026, 6, 10);
        var slots = _slots.SlotsOn(id, 4, day);
        Assert.Equal(slots[1], _slots.NextFrom(id, 4, slots[1]));
        Assert.Equal(slots[2], _slots.NextFrom(id, 4, slots[1].AddTicks(1)));
        var tomorrow = Stockholm.StartOf(day.AddDays(1));
        Assert.Equal(_slots.SlotsOn(id, 4, day.AddDays(1))[0], _slots.NextFrom(id, 4, tomorrow));
    }

    [Fact]
    public void ConsentChecksComeOncePerIntervalAndOnTheDaysTheStatusChanges()
    {
        var id = Guid.NewGuid();
        var interval = TimeSpan.FromDays(1);
        var now = new DateTimeOffset(2026, 6, 10, 9, 30, 0, TimeSpan.Zero);
        var next = ConsentCheckSchedule.Next(id, validUntil: new DateOnly(2026, 9, 1), now, interval);
        Assert.InRange(next, now.AddTicks(1), now + interval);
        Assert.Equal(ConsentCheckSchedule.Next(id, new DateOnly(2026, 9, 1), next, interval), next + interval);

        // Entering the renewal window (7 days before validUntil) and the day after validUntil are never missed.
        var renewalStarts = new DateTimeOffset(2026, 6, 11, 0, 0, 0, TimeSpan.Zero) + ConsentCheckSchedule.AfterBoundary;
        var late = ConsentCheckSchedule.Next(id, new DateOnly(2026, 6, 18), now, interval);
        Assert.True(late <= renewalStarts);
        var expires = new DateTimeOffset(2026, 6, 11, 0, 0, 0, TimeSpan.Zero) + ConsentCheckSchedule.AfterBoundary;
        Assert.True(ConsentCheckSchedule.Next(id, new DateOnly(2026, 6, 10), now, interval) <= expires);
    }

    private static List<Guid> Ids(int count)
    {
        var random = new Random(20261204);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }).ToList();
    }
}
