namespace Psd2.SandboxBank.Data;

/// <summary>Banking days, monthly dates, seasons and the krona-euro rate.</summary>
internal static class Calendar
{
    /// <summary>
    /// Electricity bills by month, in thousandths of the year's average: a Nordic winter costs three times a summer.
    /// </summary>
    private static readonly int[] HeatingPermille = [1500, 1500, 1200, 950, 750, 600, 550, 600, 750, 1000, 1200, 1400];

    /// <summary>Thousandths of the average day's count, Monday first: Fridays and Saturdays are busiest.</summary>
    private static readonly int[] WeekdayPermille = [900, 920, 950, 1000, 1180, 1250, 800];

    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    public static int Weekday(DateOnly day) => ((int)day.DayOfWeek + 6) % 7;

    public static int ActivityPermille(int weekday) => WeekdayPermille[weekday];

    public static int HeatingFactorPermille(int month) => HeatingPermille[month - 1];

    public static DateOnly Shift(DateOnly day, DayShift shift)
    {
        var step = shift switch
        {
            DayShift.NextWeekday => 1,
            DayShift.PreviousWeekday => -1,
            _ => 0,
        };

        while (step != 0 && IsWeekend(day))
        {
            day = day.AddDays(step);
        }

        return day;
    }

    /// <summary>
    /// Whether a monthly payment due on <paramref name="dayOfMonth"/> is made on <paramref name="day"/>; if so,
    /// <paramref name="due"/> is the date it was due, which names the month it is for. A weekend moves a payment by
    /// at most two days, so only the days that near are candidates.
    /// </summary>
    public static bool IsMonthly(DateOnly day, int dayOfMonth, DayShift shift, out DateOnly due)
    {
        var step = shift switch
        {
            DayShift.NextWeekday => -1,
            DayShift.PreviousWeekday => 1,
            _ => 0,
        };

        for (var distance = 0; distance <= (step == 0 ? 0 : 2); distance++)
        {
            var candidate = day.AddDays(distance * step);
            if (distance > 0 && !IsWeekend(candidate))
            {
                break;
            }

            if (candidate.Day == Math.Min(dayOfMonth, DateTime.DaysInMonth(candidate.Year, candidate.Month)) && Shift(candidate, shift) == day)
            {
                due = candidate;
                return true;
            }
        }

        due = default;
        return false;
    }

    /// <summary>
    /// Kronor per euro in ten-thousandths for the month: a slow swing between about 10.7 and 11.7 with a little
    /// month-to-month noise. Integer arithmetic only, so every machine converts alike.
    /// </summary>
    public static long SekPerEur(DateOnly day)
    {
        var months = (day.Year * 12) + day.Month - 1;
        var phase = months % 40;
        var swing = phase < 20 ? phase * 500 : (40 - phase) * 500;
        var noise = (long)(StableHash.Of(0x5E4E, (ulong)months) % 1601) - 800;
        return 107_000 + swing + noise;
    }

    /// <summary>The rate assumed when budgeting, around the middle of the swing.</summary>
    public const long NominalSekPerEur = 112_000;

    public static long ToEur(long sekMinor, long rate) => ((sekMinor * 10_000) + (rate / 2)) / rate;

    public static long ToSek(long eurMinor, long rate) => ((eurMinor * rate) + 5_000) / 10_000;
}
