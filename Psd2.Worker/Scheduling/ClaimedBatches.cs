using Microsoft.EntityFrameworkCore;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Worker.Scheduling;

/// <summary>What a recurring job does for one connection it claimed; resolved in a scope of its own per connection.</summary>
public interface IClaimedConnectionHandler
{
    Task HandleAsync(Connection connection, CancellationToken cancellationToken);
}

/// <summary>How a recurring job works through the connections that are due: claim a batch, handle each, and claim again until nothing is left.</summary>
public static class ClaimedBatches
{
    public static async Task ForEachAsync<THandler>(
        IServiceScopeFactory scopes, Func<Psd2DbContext, CancellationToken, Task<List<Guid>>> claim, CancellationToken cancellationToken)
        where THandler : IClaimedConnectionHandler
    {
        while (true)
        {
            List<Guid> due;
            await using (var scope = scopes.CreateAsyncScope())
            {
                due = await claim(scope.ServiceProvider.GetRequiredService<Psd2DbContext>(), cancellationToken);
            }

            if (due.Count == 0)
            {
                return;
            }

            foreach (var id in due)
            {
                // A scope per connection: one unit of work each, so one connection's failure leaves the others' writes alone.
                await using var scope = scopes.CreateAsyncScope();
                var connection = await scope.ServiceProvider.GetRequiredService<Psd2DbContext>().Connections
                    .SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
                if (connection is not null)
                {
                    // Purged since it was claimed: nothing to do.
                    await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(connection, cancellationToken);
                }
            }
        }
    }
}
