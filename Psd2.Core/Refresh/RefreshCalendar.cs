using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Psd2.Core.Banking;

namespace Psd2.Core.Refresh;

/// <summary>Each institution's bank days and refresh slots, from its configured time zone.</summary>
public sealed class RefreshCalendar(IOptions<InstitutionOptions> institutions, IOptions<RefreshOptions> options)
{
    private readonly ConcurrentDictionary<string, RefreshSlots> _slots = new(StringComparer.Ordinal);

    public RefreshSlots For(string institutionId) => _slots.GetOrAdd(institutionId, id => new RefreshSlots(
        new BankDays(TimeZoneInfo.FindSystemTimeZoneById(institutions.Value.Banks[id].TimeZone)), options.Value.MidnightMargin));
}

public static class RefreshCalendarExtensions
{
    /// <summary>The <c>Refresh</c> settings and the calendar built from them: the worker plans with it, the api shows it.</summary>
    public static void AddRefreshCalendar(this IServiceCollection services)
    {
        services.AddOptions<RefreshOptions>().BindConfiguration(RefreshOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RefreshCalendar>();
    }
}
