using Psd2.Core.Payments;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Payments;

public static class PaymentExtensions
{
    /// <summary>Unfinished payments followed at the bank until a final status or their deadline.</summary>
    public static void AddPaymentFollowUp(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PaymentUpdates>();
        builder.Services.AddScoped<PaymentStatusCheck>();
        builder.AddRecurringJob<PaymentStatusJob>(PaymentStatusJob.Name, o => o.PaymentStatusInterval);
    }
}
