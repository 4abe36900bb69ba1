using Hangfire;
using Microsoft.EntityFrameworkCore;
using Psd2.Core.Persistence;
using Psd2.Worker.Scheduling;

namespace Psd2.Worker.Payments;

/// <summary>
/// Follows unfinished payments: claims those whose next poll is due (each for a minute, so replicas never poll one
/// twice at once) and hands each to <see cref="PaymentStatusCheck"/> in a scope of its own.
/// </summary>
[AutomaticRetry(Attempts = 0)] // the next firing is the retry
public sealed class PaymentStatusJob(IServiceScopeFactory scopes, TimeProvider time) : IRecurringWorkerJob
{
    public const string Name = "payment-status";
    private const int Batch = 50;
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            List<Guid> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var now = time.GetUtcNow();
                due = await scope.ServiceProvider.GetRequiredService<Psd2DbContext>().Database.SqlQuery<Guid>($"""
                    UPDATE payments SET next_poll_at = {now + Claim}
                    WHERE id IN (SELECT id FROM payments WHERE next_poll_at <= {now} ORDER BY next_poll_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                    RETURNING id AS "Value"
                    """).ToListAsync(cancellationToken);
            }

            if (due.Count == 0)
            {
                return;
            }

            foreach (var id in due)
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PaymentStatusCheck>().CheckAsync(id, cancellationToken);
            }
        }
    }
}
