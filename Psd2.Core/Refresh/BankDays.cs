namespace Psd2.Core.Refresh;

/// <summary>An institution's bank days: calendar dates in its time zone, which is where its daily access budget resets.</summary>
public sealed class BankDays(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone => zone;

    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>When the bank day begins, as an instant (a day is 23 or 25 hours long when the clocks change).</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
