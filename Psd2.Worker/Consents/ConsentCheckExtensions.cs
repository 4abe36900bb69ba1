using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Consents;

public static class ConsentCheckExtensions
{
    /// <summary>Daily (at least) consent status checks: renewal_due, expired and revoked without waiting for a sync to fail.</summary>
    public static void AddConsentChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ConsentCheck>();
        builder.AddRecurringJob<ConsentCheckJob>(ConsentCheckJob.Name, o => o.ConsentCheckJobInterval);
    }
}
