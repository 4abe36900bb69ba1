using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;

namespace Psd2.Core.Refresh;

/// <summary>Each institution's bank days and refresh slots, from its configured time zone.</summary>
public sealed class RefreshCalendar(IOptions<InstitutionOptions> institutions, IOptions<RefreshOptions> options)
{
    private readonly ConcurrentDictionary<string, RefreshSlots> _slots = new(StringComparer.Ordinal);

    public TimeSpan MidnightMargin => options.Value.MidnightMargin;

    public RefreshSlots For(string institutionId) => _slots.GetOrAdd(institutionId, id => new RefreshSlots(
        new BankDays(TimeZoneInfo.FindSystemTimeZoneById(institutions.Value.Banks[id].TimeZone)), options.Value.MidnightMargin));
}
