namespace Psd2.SandboxBank.Payments;

public static class PaymentServices
{
    /// <summary>Payment initiation's store, execution and SCA pages, and the booked debits the AIS statements show.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.AddSingleton<PaymentStore>();
        services.AddSingleton<PaymentBookings>();
        services.AddSingleton<PaymentAccounts>();
        services.AddSingleton<PaymentExecution>();
        services.AddSingleton<PaymentAuthorization>();
        services.AddHostedService<PaymentBookingsLoader>();
        return services;
    }
}

/// <summary>Reads the accepted payments back into <see cref="PaymentBookings"/> before the bank answers anything.</summary>
public sealed class PaymentBookingsLoader(PaymentStore store, PaymentBookings bookings) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var payment in await store.ListAcceptedAsync(cancellationToken))
        {
            bookings.Add(payment);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
