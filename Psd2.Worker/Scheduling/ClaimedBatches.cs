namespace Psd2.Worker.Scheduling;

/// <summary>How a job works through what is due: claim a batch, handle each, and claim again until nothing is left.</summary>
public static class ClaimedBatches
{
    public static async ValueTask ForEachAsync(
        Func<CancellationToken, Task<List<Guid>>> claim, Func<Guid, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        for (var due = await claim(cancellationToken); due.Count > 0; due = await claim(cancellationToken))
        {
            foreach (var id in due)
            {
                await handle(id, cancellationToken);
            }
        }
    }
}
