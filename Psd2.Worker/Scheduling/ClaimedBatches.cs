using Microsoft.EntityFrameworkCore;
using Psd2.Core.Connections;
using Psd2.Core.Persistence;

namespace Psd2.Worker.Scheduling;

/// <summary>How a job works through the connections that are due: claim a batch, handle each, and claim again until nothing is left.</summary>
public static class ClaimedBatches
{
    public static async ValueTask ForEachAsync(
        IServiceScopeFactory scopes, Func<Psd2DbContext, CancellationToken, Task<List<Guid>>> claim,
        Func<IServiceProvider, Connection, CancellationToken, Task> handle, CancellationToken cancellationToken)
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
                await WithConnectionAsync(scopes, id, handle, cancellationToken);
            }
        }
    }

    /// <summary>Handles one claimed connection in a scope of its own; one purged since it was claimed is skipped.</summary>
    public static async Task WithConnectionAsync(
        IServiceScopeFactory scopes, Guid connectionId, Func<IServiceProvider, Connection, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var connection = await scope.ServiceProvider.GetRequiredService<Psd2DbContext>().Connections
            .SingleOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is not null)
        {
            await handle(scope.ServiceProvider, connection, cancellationToken);
        }
    }
}
