using System.ComponentModel.DataAnnotations;

namespace Psd2.Core.Refresh;

/// <summary>How unattended refreshes are planned (<c>Refresh</c> section), shared by the worker that runs them and the api that shows them.</summary>
public sealed class RefreshOptions
{
    public const string Section = "Refresh";

    /// <summary>
    /// No unattended read starts this close to the bank's midnight, on either side: platform and bank clocks may
    /// differ by less than this without a read ever being counted on another bank day than the one it was taken from.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "03:00:00")] public TimeSpan MidnightMargin { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each connection's consent status is read at the bank (a call outside the daily budget).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "7.00:00:00")] public TimeSpan ConsentCheckInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Access tokens this close to expiry are refreshed ahead of the next call. Keep it well below the banks'
    /// access-token lifetime (an hour is common): a token that lives shorter would be refreshed at every run
    /// (the sandbox bank's Testing tokens live 5 minutes, hence 1 minute in appsettings.Testing.json).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")] public TimeSpan TokenRefreshAhead { get; set; } = TimeSpan.FromMinutes(10);
}
