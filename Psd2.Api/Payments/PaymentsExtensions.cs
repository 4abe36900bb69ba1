using Psd2.Core.Payments;

namespace Psd2.Api.Payments;

public static class PaymentsExtensions
{
    public static void AddPayments(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PaymentInitiation>();
        builder.Services.AddScoped<PaymentUpdates>();
    }
}
