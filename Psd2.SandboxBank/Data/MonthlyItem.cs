namespace Psd2.SandboxBank.Data;

/// <summary>A payment made every month on the same day: salary, rent, bills, subscriptions, own transfers.</summary>
/// <param name="Minor">The amount in minor units, unsigned: <see cref="Kind"/> gives the direction.</param>
/// <param name="Heating">The amount follows the season, as electricity does.</param>
/// <param name="Noise">When not zero, seeds a month-to-month variation of up to <paramref name="NoisePercent"/>.</param>
/// <param name="FromCurrency">When set, <paramref name="Minor"/> is in this currency and is converted at the month's rate.</param>
internal sealed record MonthlyItem(
    OccurrenceKind Kind,
    int Day,
    DayShift Shift,
    Party? Party,
    long Minor,
    string Text,
    Wording Wording = Wording.Fixed,
    bool Heating = false,
    ulong Noise = 0,
    int NoisePercent = 0,
    string? FromCurrency = null)
{
    public long AmountDue(DateOnly due)
    {
        var minor = Minor;
        if (Heating)
        {
            minor = minor * Calendar.HeatingFactorPermille(due.Month) / 1000;
        }

        if (Noise != 0 && NoisePercent > 0)
        {
            var roll = (long)(StableHash.Of(Noise, (ulong)((due.Year * 12) + due.Month)) % (ulong)((2 * NoisePercent * 10) + 1));
            minor += minor * (roll - (NoisePercent * 10)) / 1000;
        }

        if (FromCurrency is not null)
        {
            var rate = Calendar.SekPerEur(due);
            minor = FromCurrency == "SEK" ? Calendar.ToEur(minor, rate) : Calendar.ToSek(minor, rate);
        }

        return Math.Max(1, minor);
    }
}
