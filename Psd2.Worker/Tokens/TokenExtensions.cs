using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Tokens;

public static class TokenExtensions
{
    /// <summary>Access tokens refreshed ahead of expiry, with rotation; a refused refresh asks the user to authenticate again.</summary>
    public static void AddTokenRefresh(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<TokenRefresh>();
        builder.AddRecurringJob<TokenRefreshJob>(TokenRefreshJob.Name, o => o.TokenRefreshInterval);
    }
}
